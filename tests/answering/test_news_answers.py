"""Questions that are not one fact (#24): open news gets a digest of the stories about the
subject, a timeline one dated line per story in time order; a fact answer from a dated article
says who reported it and when; "no article in the period" only when something is about the
subject. Every test runs on both index backends (`local` and embedded `qdrant`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from answering.protocol import Answer
from qabot.services import Services
from qabot.settings import Settings
from tests.answering.news_corpus import Article, dated_services
from tests.fakes.openai_server import FakeOpenAI

TODAY = date(2025, 2, 20)  # a Thursday

_STRIKE = ("Les contrôleurs de la SNCF sont en grève pour le week-end des fêtes. La direction de la SNCF "
           "prévoit un TGV sur deux sur les grandes lignes. Les syndicats de la SNCF réclament une prime.")
ARTICLES: dict[str, Article] = {
    "sncf-oct.md": ("2024-10-15", "AFP", "SNCF : première grève de l'automne",
                    "Une première grève a perturbé la SNCF mardi. Les syndicats de la SNCF dénoncent les "
                    "suppressions de postes dans les ateliers."),
    "sncf-dec.md": ("2024-12-18", "AFP", "SNCF : les contrôleurs en grève pour les fêtes", _STRIKE),
    # The same wire story published again elsewhere: one story, never two lines.
    "sncf-dec-copie.md": ("2024-12-18", "Ouest-France", "SNCF : les contrôleurs en grève pour les fêtes",
                          _STRIKE),
    "sncf-feb.md": ("2025-02-12", "Reuters", "SNCF : un accord salarial signé",
                    "La SNCF et les syndicats ont signé un accord salarial de 3,5 %. La grève des contrôleurs "
                    "de la SNCF est levée."),
    # December 2024 too, another subject: never padded into a SNCF answer.
    "telethon-dec.md": ("2024-12-08", "AFP", "Le Téléthon 2024 a recueilli 70,5 millions d'euros",
                        "Le Téléthon 2024 a recueilli 70,5 millions d'euros de promesses de dons. Les "
                        "bénévoles du Téléthon ont animé des milliers de défis en décembre."),
    # Yesterday, relative to TODAY.
    "metro-hier.md": ("2025-02-19", "AFP", "Paris : une panne paralyse le métro",
                      "Une panne électrique a paralysé trois lignes du métro parisien mercredi soir. Le trafic "
                      "du métro a repris dans la nuit."),
    # A subject with a number in its name, and figures elsewhere that must not pass for it.
    "ariane-feb.md": ("2025-02-17", "AFP", "Ariane 6 sur son pas de tir",
                      "La fusée Ariane 6 a été transférée sur son pas de tir de Kourou, avant son deuxième vol."),
    "auto-feb.md": ("2025-02-18", "Reuters", "Les immatriculations reculent",
                    "Les immatriculations de voitures neuves ont reculé de 2,6 % en janvier, à 96 000 unités."),
    # No date: a story that cannot be placed in a timeline.
    "sncf-undated.md": (None, None, "La SNCF en chiffres",
                        "La SNCF transporte cinq millions de voyageurs chaque jour sur ses lignes."),
}


def news_services(folder: Path, make_settings: Callable[..., Settings], backend: str, **overrides: object) -> Services:
    """The articles above indexed on `backend`, questions read on TODAY."""
    return dated_services(folder, ARTICLES, make_settings, backend, TODAY, refusal_min_score=0.3,
                          refusal_min_score_crosslingual=0.1, **overrides)


@pytest.fixture(params=["local", "qdrant"])
def news(request: pytest.FixtureRequest, tmp_path: Path, make_settings: Callable[..., Settings]) -> Iterator[Services]:
    services = news_services(tmp_path / "news", make_settings, request.param)
    yield services
    services.close_now()


@pytest.fixture(params=["local", "qdrant"])
def news_llm(
    request: pytest.FixtureRequest, tmp_path: Path, make_settings: Callable[..., Settings], no_network: None
) -> Iterator[tuple[Services, FakeOpenAI]]:
    """The same, answered by a language model behind the loopback OpenAI-compatible fake."""
    with FakeOpenAI() as fake:
        services = news_services(
            tmp_path / "news", make_settings, request.param, llm_provider="openai", llm_base_url=fake.base_url,
            llm_model="fake-model", llm_api_key="sk-test", llm_timeout_s=10.0, llm_max_retries=0,
        )
        yield services, fake
        services.close_now()


async def ask(services: Services, question: str) -> Answer:
    assert services.answers is not None
    return await services.answers.ask(question)


def cited(answer: Answer) -> list[str]:
    return [c.passage.article_id for c in answer.citations]


async def test_an_open_question_on_a_period_gets_its_story_only(news: Services) -> None:
    answer = await ask(news, "Que s'est-il passé à la SNCF en décembre 2024 ?")
    assert answer.answered and answer.intent == "open"
    # One copy of the December strike story; the Téléthon shares the period, not the subject.
    assert len(cited(answer)) == 1 and cited(answer)[0] in {"sncf-dec.md", "sncf-dec-copie.md"}
    assert answer.text.startswith("18 décembre 2024 (")
    assert "Téléthon" not in answer.composed()
    assert answer.composed().startswith("D'après les articles : 18 décembre 2024 (")


async def test_the_latest_news_are_the_newest_stories_newest_first_each_dated(news: Services) -> None:
    answer = await ask(news, "Quelles sont les dernières nouvelles de la SNCF ?")
    assert answer.answered and answer.intent == "open"
    lines = answer.text.split("\n")
    assert [line.split(" (")[0] for line in lines] == ["12 février 2025", "18 décembre 2024", "15 octobre 2024"]
    assert lines[0] == ("12 février 2025 (Reuters) — La SNCF et les syndicats ont signé un accord salarial de "
                        "3,5 %. [1]")
    assert [c.n for c in answer.citations] == [1, 2, 3]
    assert answer.composed().startswith("Les articles sur ce sujet, du plus récent au plus ancien :\n12 février")
    assert cited(answer)[0] == "sncf-feb.md" and "telethon-dec.md" not in cited(answer)


async def test_from_the_start_the_digest_reads_oldest_first(news: Services) -> None:
    answer = await ask(news, "Que s'est-il passé à la SNCF depuis le début ?")
    assert answer.answered and answer.intent == "open"
    lines = answer.text.split("\n")
    assert [line.split(" (")[0] for line in lines] == ["15 octobre 2024", "18 décembre 2024", "12 février 2025"]
    assert answer.composed().startswith("Les articles sur ce sujet, du plus ancien au plus récent :\n15 octobre")
    english = await ask(news, "What happened at SNCF from the start?")
    assert english.text.startswith("15 October 2024 (")


async def test_a_number_in_the_subject_does_not_bring_in_other_figures(news: Services) -> None:
    answer = await ask(news, "Quelles sont les dernières nouvelles d'Ariane 6 ?")
    assert answer.answered and cited(answer) == ["ariane-feb.md"]


async def test_the_last_article_on_a_subject_is_the_newest(news: Services) -> None:
    answer = await ask(news, "Le dernier article sur la SNCF parle de quoi ?")
    assert answer.intent == "open" and cited(answer)[0] == "sncf-feb.md"


async def test_what_happened_yesterday_reads_the_clock(news: Services) -> None:
    answer = await ask(news, "Que s'est-il passé hier ?")
    assert answer.answered and cited(answer) == ["metro-hier.md"]
    assert answer.text.startswith("19 février 2025 (AFP) — Une panne électrique a paralysé")


async def test_an_english_open_question_is_answered_in_english_dates(news: Services) -> None:
    answer = await ask(news, "What happened at SNCF in December 2024?")
    assert answer.answered and answer.intent == "open" and answer.language == "en"
    assert answer.text.startswith("18 December 2024 (")
    assert answer.composed().startswith("According to the articles (quoted in their original language): 18 December 2024 (")


async def test_a_timeline_is_one_dated_line_per_story_in_time_order(news: Services) -> None:
    answer = await ask(news, "Chronologie de la grève à la SNCF")
    assert answer.answered and answer.intent == "timeline"
    lines = answer.text.split("\n")
    assert [line.split(" — ")[0] for line in lines] == ["15 octobre 2024", "18 décembre 2024", "12 février 2025"]
    assert all(line.endswith(f"[{n}]") for n, line in enumerate(lines, start=1))
    # One line per story: the syndicated copy and the undated article are not lines of their own.
    assert len(set(cited(answer)) & {"sncf-dec.md", "sncf-dec-copie.md"}) == 1
    assert "sncf-undated.md" not in cited(answer)
    assert answer.composed().startswith("Chronologie d'après les articles :\n15 octobre 2024 — ")


async def test_a_timeline_keeps_to_the_period_asked(news: Services) -> None:
    answer = await ask(news, "How did the SNCF strike unfold in December 2024?")
    assert answer.intent == "timeline" and answer.answered
    assert len(answer.text.split("\n")) == 1 and answer.text.startswith("18 December 2024 — ")
    assert answer.framing is not None and "« December 2024 »" in answer.framing


async def test_a_fact_answer_says_who_reported_it_and_when(news: Services) -> None:
    answer = await ask(news, "Quel accord salarial la SNCF a-t-elle signé ?")
    assert answer.answered and answer.intent == "fact"
    assert answer.reported == "Reuters, 12 février 2025"
    assert answer.composed().endswith("(Reuters, 12 février 2025)")
    assert answer.to_dict()["reported"] == "Reuters, 12 février 2025" and answer.to_dict()["intent"] == "fact"
    english = await ask(news, "What salary agreement did SNCF sign?")
    assert english.reported == "Reuters, 12 February 2025"


async def test_an_undated_article_adds_nothing(news: Services) -> None:
    answer = await ask(news, "Combien de voyageurs la SNCF transporte-t-elle chaque jour ?")
    assert answer.answered and cited(answer)[0] == "sncf-undated.md"
    assert answer.reported is None and not answer.composed().endswith(")")


async def test_no_article_in_the_period_only_when_one_is_about_the_subject(news: Services) -> None:
    about = await ask(news, "Que s'est-il passé à la SNCF en mars 2023 ?")
    assert not about.answered and "aucun article publié à la période demandée" in about.text
    never = await ask(news, "Qui a remporté l'Eurovision en 2019 ?")
    assert not never.answered and "période" not in never.text
    assert never.text.startswith("Je n'ai pas trouvé")


async def test_a_question_naming_only_a_period_without_articles_is_told_there_are_none(news: Services) -> None:
    """Nothing but the period to be about ("Que s'est-il passé le 3 janvier ?"): its having no
    article is the answer, not "not found in the articles"."""
    french = await ask(news, "Que s'est-il passé le 3 janvier 2025 ?")
    assert not french.answered and french.text.startswith("Je n'ai trouvé aucun article publié à la période demandée")
    assert "3 janvier 2025" in french.text
    english = await ask(news, "What happened on 3 January 2025?")
    assert not english.answered and english.text.startswith("I found no article published in the period asked about")


async def test_with_a_model_the_digest_stories_go_to_it_and_its_summary_is_checked(
    news_llm: tuple[Services, FakeOpenAI],
) -> None:
    services, fake = news_llm
    fake.script("La SNCF et les syndicats ont signé un accord salarial de 3,5 % [1]. "
                "Les contrôleurs de la SNCF étaient en grève pour le week-end des fêtes [2].")
    answer = await ask(services, "Quelles sont les dernières nouvelles de la SNCF ?")
    assert answer.answered and answer.answerer == "llm" and answer.intent == "open" and answer.fallback is None
    assert cited(answer)[0] == "sncf-feb.md" and cited(answer)[1] in {"sncf-dec.md", "sncf-dec-copie.md"}
    prompt = fake.requests[-1]["messages"][-1]["content"]
    assert "résume en trois phrases au plus" in prompt
    # The digest's stories, newest first, and nothing that merely shares their dates.
    assert prompt.index("accord salarial") < prompt.index("week-end des fêtes") < prompt.index("première grève")
    assert "Téléthon" not in prompt and "métro" not in prompt


async def test_an_unchecked_summary_gives_way_to_the_extractive_digest(news_llm: tuple[Services, FakeOpenAI]) -> None:
    services, fake = news_llm
    fake.script("La SNCF a annoncé la fermeture de toutes ses gares en 2026 [1].")
    answer = await ask(services, "Quelles sont les dernières nouvelles de la SNCF ?")
    assert answer.answered and answer.answerer == "extractive" and answer.fallback == "uncited"
    assert answer.text.startswith("12 février 2025 (Reuters) — ") and "fermeture" not in answer.composed()


async def test_a_timeline_asks_no_model(news_llm: tuple[Services, FakeOpenAI]) -> None:
    services, fake = news_llm
    answer = await ask(services, "Chronologie de la grève à la SNCF")
    assert answer.answered and answer.intent == "timeline" and not fake.requests
    assert answer.text.startswith("15 octobre 2024 — ")
