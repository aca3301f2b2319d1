""""About the subject" through the front door, on both index backends (#24): a period's digest
cites the stories published in it, not those that only speak of it later; a name counts where it
is written ("La Tour" is not "Tours"), so a period with no article about the subject says so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from answering.protocol import Answer
from qabot.services import Services
from qabot.settings import Settings
from tests.answering.news_corpus import Article, dated_services

TODAY = date(2025, 2, 20)

ARTICLES: dict[str, Article] = {
    "sncf-dec.md": ("2024-12-18", "AFP", "SNCF : les contrôleurs en grève pour les fêtes",
                    "Les contrôleurs de la SNCF sont en grève pour le week-end des fêtes. La direction de la SNCF "
                    "prévoit un TGV sur deux."),
    # Published in January, speaks of December: a December digest is the December story's.
    "sncf-jan.md": ("2025-01-10", "Reuters", "SNCF : la grève de décembre a coûté 50 millions",
                    "La grève des contrôleurs de la SNCF en décembre 2024 a coûté 50 millions d'euros à la SNCF."),
    "tram-oct.md": ("2024-10-03", "AFP", "Le tramway de Tours en travaux",
                    "Les travaux de la deuxième ligne du tramway de Tours ont commencé rue Nationale."),
    # "Tours" in the title only.
    "tram-dec.md": ("2024-12-12", "France Bleu", "Tours : le viaduc du tramway posé avant Noël",
                    "Le tablier du viaduc de la deuxième ligne du tramway a été posé jeudi au-dessus du Cher."),
    # November, the stem "tour" but not Tours.
    "musee-nov.md": ("2024-11-14", "Ouest-France", "Rennes : le musée des Beaux-Arts ferme pour travaux",
                     "Le musée des Beaux-Arts de Rennes ferme ses portes. « Le Nouveau-né » de Georges de La Tour "
                     "part en tournée au Louvre."),
}


@pytest.fixture(params=["local", "qdrant"])
def news(request: pytest.FixtureRequest, tmp_path: Path, make_settings: Callable[..., Settings]) -> Iterator[Services]:
    # The hashing embedder's similarities are low: the retrieval bar is not what is tested.
    services = dated_services(tmp_path / "news", ARTICLES, make_settings, request.param, TODAY,
                              refusal_min_score=0.05, refusal_min_score_crosslingual=0.05)
    yield services
    services.close_now()


async def ask(services: Services, question: str) -> Answer:
    assert services.answers is not None
    return await services.answers.ask(question)


async def test_a_period_digest_cites_the_stories_published_in_it(news: Services) -> None:
    answer = await ask(news, "Que s'est-il passé à la SNCF en décembre 2024 ?")
    assert answer.answered and [c.passage.article_id for c in answer.citations] == ["sncf-dec.md"]


async def test_a_name_in_the_title_is_written_and_a_stem_alone_is_not(news: Services) -> None:
    december = await ask(news, "Que s'est-il passé à Tours en décembre 2024 ?")
    assert december.answered and [c.passage.article_id for c in december.citations] == ["tram-dec.md"]
    november = await ask(news, "Que s'est-il passé à Tours en novembre 2024 ?")
    assert not november.answered and not november.citations
    assert "aucun article publié à la période demandée (« novembre 2024 »" in november.text


def test_a_fact_question_counts_the_period_by_its_subject_too(news: Services) -> None:
    # "Y a-t-il eu ... à Tours en novembre 2024 ?" is a fact question: the museum's stem "tour"
    # ("La Tour") no longer makes November's article about Tours, so the reply is "no article
    # in the period", as for a news question. (A fact question keeps one escape a news question
    # has not: an article as close in meaning as the best counts, PIAF's "Combien de romains
    # a-t-on dénombré en 2016 ?", whose Rome article holds neither word: the quality gate.)
    asked = news.search_query("Que s'est-il passé à Tours en novembre 2024 ?")
    fact = news.retriever.search(asked, 5).dates
    digest = news.retriever.search(replace(asked, news=True), 5).dates
    assert fact is not None and fact.in_period == 0
    assert digest is not None and digest.in_period == 0
    december = news.retriever.search(news.search_query("Qu'est-ce qui a été posé à Tours en décembre 2024 ?"), 5)
    assert december.dates is not None and december.dates.in_period >= 1
    assert december.passages[0].article_id == "tram-dec.md"
