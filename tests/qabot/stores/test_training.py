"""The readers' votes as the learned reader's training pairs (qabot/stores/training.py), on SQLite and
on a real PostgreSQL: answers saved and voted on through the real rooms, a reader forgotten, and
the export holds exactly the pairs the votes make, none of the forgotten reader's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from answering.protocol import Answer, Citation
from answering.query import Intent
from answering.sentences import MarkedSentence, render_marked
from qabot.stores import Stores
from qabot.stores.training import DeclinedQuestion, VotedPair, led_with, question_id
from retrieval.models import Passage

ARTICLE = "000_1b43e35984dace57.txt"
STARTED = "L’offensive a commencé le 15 novembre."
FLED = "Depuis le début de l’offensive, 130 000 civils ont fui Alep."
KILLED = "Selon l’OSDH, l’opération militaire aurait coûté la vie à plus de 415 civils à Alep-Est, et 130 à Alep-Ouest."
PASSAGE = Passage(chunk_id=3, article_id=ARTICLE, title="Alep", date="2016-12", start=120, end=400,
                  text=f"{STARTED} {FLED} {KILLED}", score=1.0)
# Chat and user ids: askers 1..4, a group chat where they all see one answer.
GROUP = -100


def quoted(question: str, *sentences: str, lead: str | None = None, intent: Intent = "fact") -> Answer:
    """An answer quoting `sentences` of PASSAGE, its body as the citation check writes it."""
    return Answer(question=question, text=render_marked([MarkedSentence(s, (1,)) for s in sentences]),
                  citations=[Citation(1, PASSAGE)], answered=True, language="fr", answerer="extractive",
                  short_answer=lead, framing="D'après les articles :", intent=intent)


def declined(question: str) -> Answer:
    return Answer(question=question, text="Je n'ai pas trouvé la réponse dans les articles.", citations=[],
                  answered=False, language="fr", answerer="extractive", suggestions=["Alep"])


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Stores]:
    opened = await Stores.open(database_url)
    yield opened
    await opened.close()


async def ask(store: Stores, asker: int, answer: Answer, votes: dict[int, int]) -> None:
    saved = await store.answers.save_answer(GROUP, asker, answer)
    for user, vote in votes.items():
        await store.answers.vote(saved, user, vote)


async def test_the_export_holds_what_the_votes_say_and_nothing_of_a_forgotten_reader(store: Stores) -> None:
    fled = "Combien de civils ont fui Alep ?"
    # 👍 by three readers over two askers' identical questions (case and punctuation aside): one
    # positive, its bold fact the span; reader 4's 👎 goes with /forget below.
    await ask(store, 1, quoted(fled, FLED, KILLED, lead="130 000"), {1: 1, 2: 1, 4: -1})
    await ask(store, 2, quoted("combien de civils ont fui Alep", FLED, lead="130 000"), {3: 1})
    # 👎: the sentence it led with is a negative; no span
    await ask(store, 3, quoted("Combien de civils sont morts à Alep-Est ?", FLED), {3: -1})
    # a tie: dropped
    await ask(store, 1, quoted("Quand l'offensive a-t-elle commencé ?", FLED), {1: 1, 2: -1})
    # an LLM's own words, a timeline, an unvoted answer: nothing learnt
    llm = quoted("Combien de blessés ?", FLED)
    await ask(store, 2, Answer(question=llm.question, text="Plus de 130 000 personnes ont fui. [1]",
                               citations=llm.citations, answered=True, language="fr", answerer="llm"), {2: 1})
    await ask(store, 2, quoted("Chronologie de l'offensive ?", STARTED, FLED, intent="timeline"), {2: 1})
    await ask(store, 1, quoted("Où est Alep ?", KILLED), {})
    # the forgotten reader's own question, 👍 by others too, and their declined question
    await ask(store, 4, quoted("Combien de morts à Alep-Est ?", KILLED, lead="415"), {4: 1, 1: 1})
    await store.answers.save_answer(GROUP, 4, declined("Qui est le maire de Tokyo ?"))
    await store.answers.save_answer(GROUP, 1, declined("Quel temps fera-t-il à Alep ?"))
    await store.answers.save_answer(GROUP, 2, declined("quel temps fera-t-il à Alep"))

    before = {(p.question, p.label, p.up, p.down) for p in (await store.training.export(None)).pairs}
    assert {("Combien de morts à Alep-Est ?", 1, 2, 0), ("combien de civils ont fui Alep", 1, 3, 1)} <= before
    await store.readers.forget_user(4, inline_chat=0)
    exported = await store.training.export(None)

    assert sorted(exported.pairs, key=lambda p: p.label) == [
        VotedPair(question_id=question_id("Combien de civils sont morts à Alep-Est ?"),
                  question="Combien de civils sont morts à Alep-Est ?", sentence=FLED, before=STARTED,
                  label=0, answer=None, article=ARTICLE, up=0, down=1),
        VotedPair(question_id=question_id(fled), question="combien de civils ont fui Alep", sentence=FLED,
                  before=STARTED, label=1, answer=(32, 39), article=ARTICLE, up=3, down=0),
    ]
    assert FLED[32:39] == "130 000"
    assert question_id(fled) == question_id("combien de civils ont fui Alep")
    assert exported.set_aside == {"tie": 1, "not a quotation": 1, "timeline": 1}
    assert exported.declined == (
        DeclinedQuestion(question_id=question_id("quel temps fera-t-il à Alep"), question="quel temps fera-t-il à Alep",
                         asked=2, last_at=exported.declined[0].last_at,
                         wordings=("quel temps fera-t-il à Alep", "Quel temps fera-t-il à Alep ?"), nearest=("Alep",)),
    )


async def test_a_reader_counts_once_per_example_with_their_latest_vote(store: Stores) -> None:
    question = "Combien de civils ont fui Alep ?"
    await ask(store, 1, quoted(question, FLED), {1: 1, 2: 1})
    await ask(store, 1, quoted(question, FLED), {1: -1})  # reader 1 asked again and changed their mind
    await ask(store, 3, quoted(question, FLED), {3: -1})
    (pair,) = (await store.training.export(None)).pairs
    assert (pair.label, pair.up, pair.down) == (0, 1, 2)


async def test_since_keeps_only_what_was_asked_since(store: Stores) -> None:
    await ask(store, 1, quoted("Combien de civils ont fui Alep ?", FLED), {1: 1})
    await store.answers.save_answer(GROUP, 1, declined("Quel temps fera-t-il à Alep ?"))
    assert len((await store.training.export("2000-01-01T00:00:00+00:00")).pairs) == 1
    later = await store.training.export("2999-01-01T00:00:00+00:00")
    assert later.pairs == () and later.declined == () and later.set_aside == {}


def test_the_lead_sentence_is_found_as_its_passage_has_it() -> None:
    passages = {1: ("a.txt", "## Le bilan\nDepuis le début, 130 000 civils[3] ont fui. Les combats continuent."),
                2: ("b.txt", "Autre chose.")}
    body = "Depuis le début, 130 000 civils ont fui. [1] Les combats continuent. [1]"
    led = led_with(body, passages, "130 000")
    assert led is not None
    assert (led.sentence, led.before, led.article) == ("Depuis le début, 130 000 civils[3] ont fui.", "Le bilan", "a.txt")
    assert led.span == (17, 24)  # the bold fact's offsets in the sentence as the article has it
    assert led_with(body, passages, "130 000 civils ont").span is None  # type: ignore[union-attr]  # not verbatim
    assert led_with("Les combats continuent. [1]", passages, "combats").span == (4, 11)  # type: ignore[union-attr]
    assert led_with("Les combats continuent. [2]", passages, None) is None  # not in the passage it cites
    assert led_with("Une phrase sans citation.", passages, None) is None
