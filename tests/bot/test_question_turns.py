"""Questions answered in turns: at most ANSWER_CONCURRENCY at once per worker, the others waiting
in the order they came, with "typing…" shown meanwhile (bot.state.QuestionTurns)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from typing import Any

from answering.protocol import Answer, PartialCallback, Turn
from bot.app import answer_concurrency
from bot.state import QuestionTurns
from tests.bot.conftest import StartBot


async def test_questions_beyond_the_limit_wait_their_turn_with_typing_shown(start_bot: StartBot) -> None:
    harness = await start_bot(answer_concurrency=2)
    answers, tg = harness.services.answers, harness.tg
    turns: QuestionTurns = harness.application.bot_data["state"].turns
    release = asyncio.Event()
    in_flight, most = 0, 0
    real_ask = answers.ask

    async def held(question: str, history: Sequence[Turn] = (), on_partial: PartialCallback | None = None) -> Answer:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        try:
            await release.wait()
            return await real_ask(question, history, on_partial)
        finally:
            in_flight -= 1

    answers.ask = held  # type: ignore[method-assign]
    chats = range(31, 37)
    for chat in chats:
        harness.ask("Quel budget pour les pistes cyclables de Grenoble ?", chat_id=chat)
    await tg.wait_for(lambda: in_flight == 2 and turns.waiting == 4)
    # Every asker sees "typing…" while waiting, and nobody has an answer yet.
    assert all(tg.calls_of("sendChatAction", chat) for chat in chats)
    assert not any(tg.sent(chat) for chat in chats)

    release.set()
    for chat in chats:
        assert "pistes cyclables" in (await tg.reply(chat, 0)).visible
    assert most == 2 and turns.waiting == 0 and len(answers.calls) == 6


async def test_turns_are_given_in_the_order_questions_came() -> None:
    turns = QuestionTurns(1)
    order: list[int] = []
    first = turns.turn()
    await first.__aenter__()

    async def question(n: int) -> None:
        async with turns.turn():
            order.append(n)
            await asyncio.sleep(0)

    waiting = []
    for n in range(5):
        waiting.append(asyncio.create_task(question(n)))
        await asyncio.sleep(0)  # each one queues before the next arrives
    assert turns.waiting == 5 and order == []
    await first.__aexit__(None, None, None)
    await asyncio.gather(*waiting)
    assert order == [0, 1, 2, 3, 4] and turns.waiting == 0


async def test_no_limit_lets_every_question_in_at_once() -> None:
    turns = QuestionTurns(0)
    inside = 0
    entered = asyncio.Event()

    async def question() -> None:
        nonlocal inside
        async with turns.turn():
            inside += 1
            if inside == 10:
                entered.set()
            await entered.wait()

    await asyncio.wait_for(asyncio.gather(*(question() for _ in range(10))), 5)
    assert inside == 10 and turns.waiting == 0


def test_the_default_limit_follows_the_cores_and_the_answerer(make_settings: Callable[..., Any]) -> None:
    cores = os.cpu_count() or 1
    assert answer_concurrency(make_settings()) == 2 * cores  # extractive: all CPU work
    assert answer_concurrency(make_settings(llm_provider="openai", llm_api_key="k")) == 0  # waits on the model
    assert answer_concurrency(make_settings(answer_concurrency=3)) == 3
    assert answer_concurrency(make_settings(llm_provider="openai", llm_api_key="k", answer_concurrency=5)) == 5
