"""Institutions named differently in French and English ("la BCE", "the ECB"): a question naming
one is about the articles writing the other, in retrieval's count of a period's articles and in
the stories a digest shows (retrieval.news.aliases). Every test runs on `local` and on embedded
`qdrant`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from qabot.services import Services
from qabot.settings import Settings
from tests.answering.news_corpus import Article, ask, dated_services

TODAY = date(2025, 2, 20)

ARTICLES: dict[str, Article] = {
    # December's only story on the bank is English wire copy.
    "ecb-dec.md": ("2024-12-12", "Reuters", "ECB trims deposit rate to 3%, signals more cuts ahead",
                   "The ECB lowered its deposit rate by 25 basis points to 3.00% on Thursday, its fourth cut "
                   "of the year. The ECB now expects inflation to average 2.1% next year."),
    "bce-oct.md": ("2024-10-17", "AFP", "La BCE abaisse ses taux pour la troisième fois",
                   "La BCE a abaissé jeudi son taux de dépôt à 3,25 %, sa troisième baisse de l'année. La BCE "
                   "juge que l'inflation ralentit plus vite que prévu."),
    # December too, another subject: the period's other article, never the answer.
    "telethon-dec.md": ("2024-12-08", "AFP", "Le Téléthon 2024 a recueilli 70,5 millions d'euros",
                        "Le Téléthon 2024 a recueilli 70,5 millions d'euros de promesses de dons en décembre "
                        "2024. Les bénévoles ont animé des milliers de défis."),
}


def indexed(folder: Path, articles: dict[str, Article], make_settings: Callable[..., Settings], backend: str) -> Iterator[Services]:
    # The hashing embedder's similarities are low, and shared by no two languages: the words
    # and names decide, not the retrieval bar nor meaning.
    services = dated_services(folder, articles, make_settings, backend, TODAY,
                              refusal_min_score=0.05, refusal_min_score_crosslingual=0.05)
    yield services
    services.close_now()


@pytest.fixture(params=["local", "qdrant"])
def bank(request: pytest.FixtureRequest, tmp_path: Path, make_settings: Callable[..., Settings]) -> Iterator[Services]:
    yield from indexed(tmp_path / "bank", ARTICLES, make_settings, request.param)


def test_the_period_counts_the_article_naming_the_institution_in_english(bank: Services) -> None:
    asked = bank.search_query("Qu'a décidé la BCE en décembre 2024 ?")
    for query in (asked, replace(asked, news=True)):  # the looser test of a fact, the strict one of news
        result = bank.retriever.search(query, 3)
        assert result.dates is not None and result.dates.in_period >= 1
        # In the period, what is about the subject leads (the Téléthon names "décembre 2024").
        assert result.passages[0].article_id == "ecb-dec.md"


async def test_a_french_digest_shows_the_english_story(bank: Services) -> None:
    december = await ask(bank, "Que s'est-il passé à la BCE en décembre 2024 ?")
    assert december.answered and [c.passage.article_id for c in december.citations] == ["ecb-dec.md"]
    # A period with nothing on the bank in either language still says so.
    march = await ask(bank, "Que s'est-il passé à la BCE en mars 2023 ?")
    assert not march.answered and "aucun article publié à la période demandée" in march.text


def test_an_english_question_counts_the_french_article(bank: Services) -> None:
    result = bank.retriever.search(bank.search_query("What did the ECB decide in October 2024?"), 3)
    assert result.dates is not None and result.dates.in_period >= 1
    assert result.passages[0].article_id == "bce-oct.md"


# "UN" and "WHO" analyse to nothing (the analyser's stop words "un", "who"): no stored terms
# hold them, the English article is seen to write one by its text.
UNITED: dict[str, Article] = {
    "un-dec.md": ("2024-12-12", "Reuters", "UN Security Council extends peacekeeping mission",
                  "The UN Security Council voted on Thursday to extend its peacekeeping mission for a year. "
                  "The UN now plans to send more troops."),
    "onu-oct.md": ("2024-10-17", "AFP", "L'ONU prolonge sa mission de paix",
                   "L'ONU a prolongé jeudi sa mission de maintien de la paix. L'ONU prévoit des renforts."),
    "telethon-dec.md": ARTICLES["telethon-dec.md"],
}


@pytest.fixture(params=["local", "qdrant"])
def united(request: pytest.FixtureRequest, tmp_path: Path, make_settings: Callable[..., Settings]) -> Iterator[Services]:
    yield from indexed(tmp_path / "united", UNITED, make_settings, request.param)


async def test_an_institution_whose_other_name_holds_no_term_is_found_by_its_text(united: Services) -> None:
    asked = united.search_query("Qu'a décidé l'ONU en décembre 2024 ?")
    for query in (asked, replace(asked, news=True)):
        result = united.retriever.search(query, 3)
        assert result.dates is not None and result.dates.in_period >= 1
        assert result.passages[0].article_id == "un-dec.md"
    december = await ask(united, "Que s'est-il passé à l'ONU en décembre 2024 ?")
    assert december.answered and [c.passage.article_id for c in december.citations] == ["un-dec.md"]


def test_an_english_question_naming_an_unanalysed_acronym_counts_the_french_article(united: Services) -> None:
    # "UN" leaves the question no term: "onu", its French name's, stands for it.
    result = united.retriever.search(united.search_query("What did the UN decide in October 2024?"), 3)
    assert result.dates is not None and result.dates.in_period >= 1
    assert result.passages[0].article_id == "onu-oct.md"
