"""The offline answerer on the seed article, with the real model."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from answering.protocol import Turn
from qabot.services import Services

pytestmark = pytest.mark.seed

ALEPPO = "Combien de civils ont fui Alep depuis le début de l'offensive ?"


async def test_answers_with_the_figure_and_its_citation(seed_services: Callable[..., Services]) -> None:
    answer = await seed_services().ask(ALEPPO)
    assert answer.answered and answer.answerer == "extractive" and answer.language == "fr"
    assert answer.short_answer == "130 000"
    assert answer.framing == "D'après les articles :" and answer.text.startswith("Depuis le début")
    assert answer.composed().startswith("**130 000**\nD'après les articles : Depuis le début")
    assert "130 000 civils ont fui" in answer.text and "[1]" in answer.text
    assert "130 000" in answer.citations[0].passage.text
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert set(answer.timings_ms) == {"retrieve", "judge", "generate", "total"}
    assert answer.timings_ms["judge"] <= answer.timings_ms["generate"]


async def test_question_the_articles_cannot_answer_is_declined(seed_services: Callable[..., Services]) -> None:
    answer = await seed_services().ask("Quel est le prix d'un ticket de métro à Tokyo ?")
    assert not answer.answered
    assert answer.text == "Je n'ai pas trouvé la réponse dans les articles."
    assert answer.citations == [] and answer.suggestions == []  # nothing came close
    assert answer.to_dict()["citations"] == []


@pytest.mark.parametrize(("question", "answered"), [
    ("How many civilians have fled Aleppo?", True),  # short, and "Aleppo" never matches "Alep"
    ("How many civilians were killed in East Aleppo?", True),
    ("How much does a metro ticket cost in Tokyo?", False),
    ("Who won the 2018 football world cup?", False),
])
async def test_english_questions_meet_the_cross_language_bar(seed_services: Callable[..., Services], question: str, answered: bool) -> None:
    answer = await seed_services().ask(question)
    assert answer.language == "en" and answer.answered is answered, answer.text


async def test_english_question_is_framed_in_english(seed_services: Callable[..., Services]) -> None:
    answer = await seed_services().ask("How many civilians have fled Aleppo since the offensive began?")
    assert answer.language == "en"
    assert answer.framing and answer.framing.startswith("According to the articles")
    assert "130 000" in answer.text


async def test_follow_up_is_rewritten_with_the_earlier_key_terms(seed_services: Callable[..., Services]) -> None:
    history = [Turn("Combien de civils ont été tués à Alep-Est ?", "… 415 civils à Alep-Est … [1]")]
    answer = await seed_services().ask("Et à Alep-Ouest ?", history)
    assert answer.question == "Et à Alep-Ouest ?"  # the user's wording is kept
    assert answer.standalone_question and "civils" in answer.standalone_question
    assert answer.answered and "130 à Alep-Ouest" in answer.text


async def test_short_new_question_is_not_answered_with_the_earlier_subject(seed_services: Callable[..., Services]) -> None:
    # Two key terms make it look like a follow-up; carrying "civils fui Alep" over would find
    # Aleppo passages that say nothing of Japan, and quote them as the answer.
    history = [Turn("Combien de civils ont fui Alep ?", "… 130 000 civils ont fui Alep. [1]")]
    answer = await seed_services().ask("Quelle est la capitale du Japon ?", history)
    assert not answer.answered, answer.text
    assert answer.standalone_question is None  # taken as the new question it is
    assert answer.text == "Je n'ai pas trouvé la réponse dans les articles."


async def test_follow_up_in_other_words_than_the_article_stays_a_follow_up(seed_services: Callable[..., Services]) -> None:
    # The article never says "morts" ("coûté la vie"), but the question alone is close in
    # meaning to the article the conversation is about.
    history = [Turn("Combien de civils ont fui Alep ?", "… 130 000 civils ont fui Alep. [1]")]
    answer = await seed_services().ask("Combien de morts ?", history)
    assert answer.answered and "415 civils" in answer.text, answer.text
    assert answer.standalone_question and "Alep" in answer.standalone_question


@pytest.mark.parametrize("sentences", [1, 3])
async def test_sentence_count_is_bounded(seed_services: Callable[..., Services], sentences: int) -> None:
    answer = await seed_services(answer_max_sentences=sentences).ask("Que s'est-il passé à Alep ?")
    assert answer.answered
    assert answer.text.count("[") <= sentences


async def test_english_question_sharing_only_a_name_is_answered_in_english(seed_services: Callable[..., Services]) -> None:
    answer = await seed_services().ask("What did Ban Ki-moon say?")
    assert answer.answered and answer.language == "en"
    assert answer.framing and answer.framing.startswith("According to the articles") and "Ban Ki-moon" in answer.text


async def test_question_naming_someone_in_the_article_passes_the_refusal_bar(seed_services: Callable[..., Services]) -> None:
    answer = await seed_services().ask("Qui est Rami Abdel Rahmane ?")
    assert answer.answered and "Observatoire syrien" in answer.text


async def test_short_follow_up_keeps_the_conversation_language(seed_services: Callable[..., Services]) -> None:
    history = [Turn("How many civilians have fled Aleppo since the offensive began?", "… [1]")]
    answer = await seed_services().ask("Et à Alep-Ouest ?", history)
    assert answer.language == "fr"  # clearly French on its own
    answer = await seed_services().ask("Et Alep-Ouest ?", history)
    assert answer.language == "en"  # too close to call: the conversation's language
    assert answer.framing and answer.framing.startswith("According to the articles")



async def test_the_seed_questions_of_the_judge_issue(seed_services: Callable[..., Services]) -> None:
    services = seed_services()
    # Other words than the article's ("commencé" / "lancée"): answered with the date, quoted
    # first. The judge gives that sentence a low probability (0.15: it is answered on the fact it
    # holds), so the shipped lead model does not put the date in bold: right, or absent.
    started = await services.ask("Quand l'offensive a-t-elle commencé ?")
    assert started.answered and started.text.startswith("Selon un responsable militaire à Alep, l’offensive lancée le 15 novembre")
    assert started.short_answer in (None, "15 novembre"), started.short_answer
    # The sentence that names the spokesman comes first, not the one that names Ban Ki-moon
    # (its probability is lower still: no bold lead either).
    spokesman = await services.ask("Qui est le porte-parole de Ban Ki-moon ?")
    assert spokesman.answered and spokesman.short_answer in (None, "Stepjane Dujarric"), spokesman.short_answer
    assert spokesman.text.index("Dujarric") < spokesman.text.index("sonnette")
    # The article gives no population: its figures count people who fled or died.
    for question in ("Quelle est la population d'Alep ?", "What is the population of Aleppo?"):
        population = await services.ask(question)
        assert not population.answered and population.citations == [], population.text
    # The same right after another question on the story, as in a chat: it reads as a
    # follow-up (two key terms), which the fitted judge does not decide; the measure still does.
    after = await services.ask("Quelle est la population d'Alep ?", [Turn(started.question, started.text)])
    assert not after.answered and after.citations == [], after.text
