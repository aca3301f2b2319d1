"""Dates in retrieval: a question's period favours articles published in it or naming it; the
latest favours recent ones; no article in the period is reported, not papered over. Part of
the index backends' contract: every test runs on `local` and on `qdrant` (embedded)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from qabot.services import Services
from qabot.settings import Settings
from retrieval.dates import DateFinder, Period, QuestionDates
from retrieval.models import SearchResult
from retrieval.news.shaping import latest_headlines
from retrieval.news.temporal import CandidateDating, mentions_for_index, rerank
from retrieval.search import Fused
from retrieval.text import search_query
from tests.answering.news_corpus import Article, dated_services

TODAY = date(2016, 12, 22)  # a Thursday

ARTICLES: dict[str, Article] = {
    # The same subject month after month, in the same words: only dates tell them apart.
    "alep-oct.md": ("2016-10-14", "AFP", "Alep : les bombardements reprennent sur Alep-Est",
                    "Les bombardements ont repris sur Alep-Est, où 250 000 civils sont assiégés par "
                    "l'armée syrienne. Les hôpitaux d'Alep sont débordés."),
    "alep-nov.md": ("2016-11-28", "AFP", "Alep : l'armée syrienne avance dans Alep-Est",
                    "L'armée syrienne a repris un tiers d'Alep-Est. Des milliers de civils fuient "
                    "les bombardements sur Alep."),
    "alep-dec.md": ("2016-12-15", "Reuters", "Alep : les premiers bus d'évacuation quittent Alep-Est",
                    "Les premiers bus d'évacuation ont quitté Alep-Est avec des civils et des "
                    "blessés, après l'accord de cessez-le-feu sur Alep."),
    # Published later, speaks of December: never left out of a December question.
    "alep-bilan.md": ("2017-01-10", "Le Monde", "Alep, un mois après la chute",
                      "Le 22 décembre 2016, les derniers rebelles ont quitté Alep-Est. Un mois "
                      "après, la ville d'Alep panse ses plaies."),
    # December, another subject.
    "noel.md": ("2016-12-20", "AFP", "Marchés de Noël : la fréquentation en baisse",
                "Les marchés de Noël accueillent moins de visiteurs cette année à Strasbourg."),
    # Last week (12-18 December 2016) and yesterday, relative to TODAY.
    "cop.md": ("2016-12-13", "AP", "Climate talks end without a deal",
               "The climate talks in Marrakech ended without a deal on finance."),
    "metro.md": ("2016-12-21", "AFP", "Paris : une panne paralyse le métro",
                 "Une panne électrique a paralysé trois lignes du métro parisien hier soir."),
}


@pytest.fixture(params=["local", "qdrant"])
def dated(request: pytest.FixtureRequest, tmp_path: Path, make_settings: Callable[..., Settings]) -> Iterator[Services]:
    services = dated_services(tmp_path / "dated", ARTICLES, make_settings, request.param, TODAY,
                              refusal_min_score=0.0, refusal_min_score_crosslingual=0.0)
    yield services
    services.close_now()


def search(services: Services, question: str, k: int = 3, dates: bool = True) -> SearchResult:
    """Retrieval for `question` read as the answer service reads it, or with its dates left aside."""
    return services.retriever.search(services.search_query(question) if dates else search_query(question), k=k)


def articles(services: Services, question: str, k: int = 3, dates: bool = True) -> list[str]:
    return [p.article_id for p in search(services, question, k, dates).passages]


def test_a_period_favours_the_articles_published_in_it(dated: Services) -> None:
    found = articles(dated, "Que s'est-il passé à Alep en décembre 2016 ?", k=5)
    assert set(found[:2]) == {"alep-dec.md", "alep-bilan.md"}
    # Only articles in December or speaking of it: no answer from October or November.
    assert set(found) <= {"alep-dec.md", "alep-bilan.md", "noel.md", "cop.md", "metro.md"}
    # A later article that speaks of December is kept.
    assert "alep-bilan.md" in found
    result = search(dated, "Que s'est-il passé à Alep en octobre 2016 ?", k=1)
    assert result.passages[0].article_id == "alep-oct.md"
    assert result.dates is not None and result.dates.period == Period.month(2016, 10) and result.dates.in_period


def test_without_dates_the_same_words_cannot_choose(dated: Services) -> None:
    plain = articles(dated, "Que s'est-il passé à Alep en novembre 2016 ?", k=5, dates=False)
    with_dates = articles(dated, "Que s'est-il passé à Alep en novembre 2016 ?", k=5)
    assert with_dates[0] == "alep-nov.md"
    assert {"alep-oct.md", "alep-dec.md"} & set(plain)  # other months mixed in
    assert not {"alep-oct.md", "alep-dec.md"} & set(with_dates)


def test_relative_periods_use_the_clock(dated: Services) -> None:
    assert articles(dated, "What happened at the climate talks last week?", k=1) == ["cop.md"]
    assert articles(dated, "Que s'est-il passé dans le métro hier ?", k=1) == ["metro.md"]
    assert dated.search_query("hier").dates == QuestionDates(DateFinder().find("hier", TODAY), latest=False)


def test_the_latest_comes_first(dated: Services) -> None:
    found = articles(dated, "Quelles sont les dernières nouvelles d'Alep ?", k=4)
    assert found[:2] == ["alep-bilan.md", "alep-dec.md"]
    plain = articles(dated, "Quelles sont les dernières nouvelles d'Alep ?", k=4, dates=False)
    assert plain[:2] != found[:2]


def test_no_article_in_the_period_leaves_the_ranking_and_says_so(dated: Services) -> None:
    question = "Que s'est-il passé à Alep en mars 2015 ?"
    result = search(dated, question, k=3)
    assert result.dates is not None and result.dates.in_period == 0
    assert [p.article_id for p in result.passages] == articles(dated, question, dates=False)


def test_an_article_sharing_only_the_date_words_is_no_answer_for_the_period(dated: Services) -> None:
    # noel.md is in December 2016 but not about the metro: "no article" is the right answer.
    result = search(dated, "Y a-t-il eu une panne du métro en décembre 2016 ?", k=3)
    assert result.dates is not None and result.dates.in_period >= 1  # metro.md, published then
    result = search(dated, "Y a-t-il eu des marchés de Noël à Strasbourg en octobre 2016 ?", k=3)
    assert result.dates is not None and result.dates.in_period == 0


async def test_the_answer_says_no_article_speaks_of_the_period(dated: Services) -> None:
    assert dated.answers is not None
    french = await dated.answers.ask("Que s'est-il passé à Alep en mars 2015 ?")
    assert not french.answered and not french.citations
    assert "aucun article publié à la période demandée (« mars 2015 », du 1er mars 2015 au 31 mars 2015)" in french.text
    assert "Alep" in french.text  # the articles on the subject at other dates are listed
    english = await dated.answers.ask("What happened in Aleppo in March 2015?")
    assert "I found no article published in the period asked about" in english.text
    assert "from 1 March 2015 to 31 March 2015" in english.text  # dates as a reader reads them
    answered = await dated.answers.ask("Que s'est-il passé à Alep en octobre 2016 ?")
    assert answered.answered and {c.passage.article_id for c in answered.citations} == {"alep-oct.md"}


def test_mentions_for_the_index_need_a_publication_day_for_relative_dates() -> None:
    finder = DateFinder()
    text = "Hier, le 12 décembre, et en 2015."
    assert mentions_for_index(finder, text, "2016-12-14") == [
        Period.day(date(2016, 12, 13)), Period.day(date(2016, 12, 12)), Period.year(2015)]
    # A month-level date (the seeds): "hier" cannot be placed, "le 12 décembre" can.
    assert mentions_for_index(finder, text, "2016-12") == [Period.day(date(2016, 12, 12)), Period.year(2015)]
    assert mentions_for_index(finder, text, None) == [Period.year(2015)]
    # "depuis 2011" names 2011.
    assert mentions_for_index(finder, "depuis 2011", "2016-12-14") == [Period.year(2011)]


def test_latest_headlines_with_and_without_a_topic(dated: Services) -> None:
    newest = latest_headlines(dated.retriever, 3)
    assert [h.article_id for h in newest] == ["alep-bilan.md", "metro.md", "noel.md"]
    assert newest[0].source == "Le Monde" and newest[0].date == "2017-01-10"
    on_aleppo = latest_headlines(dated.retriever, 2, "Alep")
    assert [h.article_id for h in on_aleppo] == ["alep-bilan.md", "alep-dec.md"]


def test_in_a_period_the_articles_published_in_it_and_about_the_subject_lead() -> None:
    # Scores as fusion gives them: the period's article on another subject scores higher on the
    # date words; one about the subject published in the period leads it; one about the subject
    # that only names the period keeps its score's place (PIAF's articles, all of 2020, name the
    # years asked about: a fact's answer sits there).
    december = Period.month(2024, 12)
    dating = {
        1: CandidateDating("telethon.md", "2024-12-08", passage_mentions=True, article_mentions=True),
        2: CandidateDating("ecb-dec.md", "2024-12-12", passage_mentions=False, article_mentions=False),
        3: CandidateDating("bilan.md", "2025-01-10", passage_mentions=True, article_mentions=True),
    }
    fused = [Fused(1, 0.05, 1, 0.85, 1, 3.0), Fused(3, 0.04, 2, 0.84, 2, 2.0), Fused(2, 0.02, 5, 0.82, None, None)]
    asked = DateFinder().question("Qu'a décidé la BCE en décembre 2024 ?", TODAY)
    assert asked is not None and asked.period == december
    about = {2, 3}
    ranked, outcome = rerank(fused, dating, asked, lambda f: f.chunk_id in about)
    assert outcome.in_period == 2
    # Boosted: the Téléthon 0.135, the later review 0.068, the ECB 0.04.
    assert [f.chunk_id for f in ranked] == [2, 1, 3]
