"""News answers in Telegram (#24): a timeline pages through its lines with a "suite" button
(small validated callback data, the page's own citation buttons), and a fact answer from a
dated article closes with who reported it and when."""

from __future__ import annotations

import operator
from functools import partial

from answering.protocol import Answer, Citation
from retrieval.models import Passage
from tests.bot.conftest import Harness
from tests.bot.test_inline import inline_answer
from tests.bot.test_sources import press

QUESTION = "Chronologie de la grève des trams"
LINES = 23


def timeline_answer(question: str) -> Answer | None:
    """A timeline of LINES dated stories, one cited line each."""
    if question.rstrip(" ?") != QUESTION:
        return None
    passages = [
        Passage(chunk_id=n, article_id=f"tram-{n:02d}.md", title=f"Grève des trams, épisode {n}",
                date=f"2025-01-{n:02d}", start=0, end=40, text=f"Les trams sont à l'arrêt, épisode {n}.",
                score=1.0, source="AFP")
        for n in range(1, LINES + 1)
    ]
    text = "\n".join(f"{n} janvier 2025 — Les trams sont à l'arrêt, épisode {n}. [{n}]" for n in range(1, LINES + 1))
    return Answer(question=question, text=text, citations=[Citation(n, p) for n, p in enumerate(passages, 1)],
                  answered=True, language="fr", answerer="extractive", intent="timeline",
                  framing="Chronologie d'après les articles :")


def cited_buttons(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["text"].split(" ")[0] for b in message.buttons() if b["text"].startswith("[")]


async def test_a_timeline_pages_through_its_lines(harness: Harness) -> None:
    harness.services.answers.override = timeline_answer
    first = await harness.answer_to(QUESTION)
    assert first.visible.startswith("Chronologie d'après les articles :\n1 janvier 2025 — ")
    assert "10 janvier 2025" in first.visible and "11 janvier 2025" not in first.visible
    assert cited_buttons(first) == [f"[{n}]" for n in range(1, 11)]
    more = first.button("Suite ▶️ (2/3)")
    assert more["callback_data"].startswith("t:") and len(more["callback_data"].encode()) <= 64

    second = await press(harness, first, more["callback_data"])
    assert "11 janvier 2025" in second.visible and "20 janvier 2025" in second.visible
    assert "10 janvier 2025" not in second.visible and "21 janvier 2025" not in second.visible
    assert cited_buttons(second) == [f"[{n}]" for n in range(11, 21)]
    assert second.button("◀️ Précédent") and second.button("👍")

    last = await press(harness, second, second.button("Suite ▶️ (3/3)")["callback_data"])
    assert "23 janvier 2025" in last.visible and not any(b["text"].startswith("Suite") for b in last.buttons())
    # A citation of a later page opens its passage.
    view = await press(harness, last, last.button("[22]")["callback_data"])
    assert "Grève des trams, épisode 22" in view.visible

    back = await press(harness, view, view.button("↩️ Réponse")["callback_data"])
    assert back.text == first.text


async def test_a_forged_timeline_page_opens_nothing(harness: Harness) -> None:
    harness.services.answers.override = timeline_answer
    first = await harness.answer_to(QUESTION)
    answer_id = first.button("Suite ▶️ (2/3)")["callback_data"].split(":")[1]
    for data in (f"t:{answer_id}:3", f"t:{answer_id}:999", f"t:{answer_id}:-1", f"t:{answer_id}:1:2", "t:x:1"):
        query_id = harness.tg.press(first, data)
        await harness.tg.wait_for(partial(operator.contains, harness.tg.callback_answers, query_id))
        assert harness.tg.callback_answers[query_id]["text"] == "Ce bouton n'est plus disponible.", data
    assert harness.tg.messages[(7, first.message_id)].text == first.text


async def test_a_fact_answer_says_who_reported_it_and_when(harness: Harness) -> None:
    def dated(question: str) -> Answer | None:
        passage = Passage(chunk_id=1, article_id="alep.md", title="Alep", date="2016-12-12", start=0, end=40,
                          text="130 000 civils ont fui Alep.", score=1.0, source="AFP")
        return Answer(question=question, text="130 000 civils ont fui Alep. [1]", citations=[Citation(1, passage)],
                      answered=True, language="fr", answerer="extractive", reported="AFP, 12 décembre 2016")

    harness.services.answers.override = dated
    answer = await harness.answer_to("Combien de civils ont fui Alep ?")
    assert "130 000 civils ont fui Alep. [1] (AFP, 12 décembre 2016)" in answer.visible
    stored = await harness.store.answers.answer(int(answer.button("[1]")["callback_data"].split(":")[1]), 7)
    assert stored is not None and stored.reported == "AFP, 12 décembre 2016" and stored.intent == "fact"


GROUP = -1004


async def test_a_timeline_pages_in_a_group_for_any_member(harness: Harness) -> None:
    harness.services.answers.override = timeline_answer
    first = await harness.answer_to(f"/ask {QUESTION}", chat_id=GROUP, user_id=11, chat_type="supergroup")
    assert first.visible.startswith("Chronologie d'après les articles :\n1 janvier 2025 — ")
    assert "11 janvier 2025" not in first.visible
    # Another member pages on: the lines are the group's, not only the asker's.
    more = first.button("Suite ▶️ (2/3)")["callback_data"]
    second = await press(harness, first, more, user_id=12, chat_type="supergroup")
    assert "11 janvier 2025" in second.visible and "10 janvier 2025" not in second.visible
    assert cited_buttons(second) == [f"[{n}]" for n in range(11, 21)]


async def test_an_inline_timeline_is_sent_as_its_dated_lines(harness: Harness) -> None:
    harness.services.answers.override = timeline_answer
    [result] = (await inline_answer(harness, f"{QUESTION} ?"))["results"]
    text = result["input_message_content"]["message_text"]
    # One line per story, as in a chat (the inline message once ran them into one paragraph).
    assert text.startswith("Chronologie d'après les articles :\n1 janvier 2025 — Les trams sont à l'arrêt, "
                           "épisode 1. <b>[1]</b>\n2 janvier 2025 — ")
    assert result["description"].startswith("1 janvier 2025 — Les trams sont à l'arrêt, épisode 1. [1] 2 janvier")
