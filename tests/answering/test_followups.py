"""Follow-up questions: when a question leans on the conversation, and its standalone form."""

from __future__ import annotations

from dataclasses import replace

import pytest

from answering.followups import (
    CarryOver,
    as_followup,
    continues_subject,
    leans_on,
    speaks_of_own_terms,
)
from answering.protocol import Turn
from answering.query import Query, plain_query
from tests.answering.passages import passage

HISTORY = [Turn("Combien de civils ont fui Alep ?", "130 000 [1]")]


def fr(text: str) -> Query:
    return plain_query(text, "fr")


def test_follow_up_detection() -> None:
    assert leans_on(fr("Et à Alep-Ouest ?"), HISTORY)
    assert leans_on(fr("Et combien de morts ?"), HISTORY)
    assert not leans_on(fr("Et à Alep-Ouest ?"), [])
    assert not leans_on(fr("Qui dirige l'Observatoire syrien des droits de l'Homme ?"), HISTORY)
    assert not leans_on(fr("🤔🤔🤔"), HISTORY) and not leans_on(fr("?"), HISTORY)  # nothing to lean on


def test_a_declined_question_gives_a_follow_up_nothing_to_lean_on() -> None:
    declined = [Turn("Quelle est la population d'Alep ?", "Je n'ai pas trouvé la réponse.", answered=False)]
    assert not leans_on(fr("Et à Alep-Ouest ?"), declined)


async def test_offline_rewrite_carries_the_earlier_key_words() -> None:
    question = fr("Et à Alep-Ouest ?")
    rewrite = await CarryOver().rewrite(question, HISTORY)
    assert rewrite.standalone.startswith("Et à Alep-Ouest ?") and "civils" in rewrite.carried and "fui" in rewrite.carried
    followup = as_followup(question, rewrite, HISTORY)
    assert followup.followup and followup.text == "Et à Alep-Ouest ?"
    assert followup.standalone == rewrite.standalone
    assert "ouest" in followup.added_terms and "civil" in followup.carried_terms
    assert followup.alone().search == question.search


def test_a_follow_up_must_find_its_own_terms_in_the_passages() -> None:
    aleppo = [passage(1, "Selon l'OSDH, 415 civils à Alep-Est et 130 à Alep-Ouest.")]
    assert speaks_of_own_terms(fr("Et à Alep-Ouest ?"), aleppo)
    assert not speaks_of_own_terms(fr("Quelle est la capitale du Japon ?"), aleppo)
    assert speaks_of_own_terms(fr("Et pourquoi ?"), aleppo)  # nothing of its own to look for
    assert speaks_of_own_terms(plain_query("And in West Aleppo?", "en"), aleppo)  # no shared words across languages


def test_a_follow_up_in_other_words_continues_when_close_in_meaning_to_the_same_article() -> None:
    rewritten = [passage(1, "L'opération aurait coûté la vie à plus de 415 civils.")]
    close = [passage(1, "…", dense_score=0.84)]
    assert continues_subject(rewritten, close, floor=0.80)
    assert not continues_subject(rewritten, [replace(close[0], dense_score=0.76)], floor=0.80)
    elsewhere = [passage(2, "…", dense_score=0.90)]  # close, but to another article
    assert not continues_subject(rewritten, elsewhere, floor=0.80)
    assert not continues_subject(rewritten, [passage(1, "…")], floor=0.80)  # BM25 only: no meaning to compare


@pytest.mark.parametrize(
    "question",
    [
        "Quand l'offensive a-t-elle commencé ?",  # issue 22: answered with the 130 000 who fled
        "Quelle est la population d'Alep ?",
        "Qui dirige l'Observatoire syrien des droits de l'Homme ?",
        "Combien la marine indienne a-t-elle de porte-avions ?",
        "Quelle bataille les Anglais perdent ils ?",  # typed without hyphens
        "Combien y a-t-il d'habitants à Alep ?",  # "il" of no one
        "Qui est le porte-parole de Ban Ki-moon ?",
        "When did the offensive begin?",
        "Who is the spokesman of the UN secretary-general?",
        "What happened in Aleppo?",  # after "Que s'est-il passé à Alep ?": was read as its fragment, declined
        "What's happening in Aleppo?",
        "Who won the election?",
        "Que s'est-il passé à Tours en février 2025 ?",  # "il" of no one: a news question
        "Que s'est-il passé hier ?",
        "Qu'est-ce qui se passe à Alep ?",
        "Who killed David?",
    ],
)
def test_a_complete_question_stands_alone(question: str) -> None:
    assert not leans_on(plain_query(question, "en" if question.isascii() else "fr"), HISTORY)


@pytest.mark.parametrize(
    "question",
    [
        "Et à Alep-Ouest ?", "Combien de morts ?", "Et combien de morts ?", "Pourquoi ?", "Le nombre de blessés ?",
        "Quand a-t-elle commencé ?", "Pourquoi a-t-il démissionné ?", "Quel âge a-t-il ?", "Comment s'y prirent-ils ?",
        "Qui lui a succédé ?", "Et en quelle année ?",
        "And in West Aleppo?", "How many dead?", "When did it begin?", "Who runs it?", "What about the east?",
        "Que s'est-il passé ?", "Que s'est-il passé ensuite ?", "What happened?", "What happened then?",
    ],
)
def test_a_fragment_leans_on_the_conversation(question: str) -> None:
    assert leans_on(plain_query(question, "en" if question.isascii() else "fr"), HISTORY)
