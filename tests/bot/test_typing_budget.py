"""Typing only takes spare room in Telegram's overall 30 requests a second: under load it is
skipped, never queued ahead of the answers (bot.app.MessagesPacedRateLimiter)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import MessagesPacedRateLimiter
from bot.state import WallClock


@pytest.fixture
async def limiter() -> Any:
    # Three requests a minute: nothing drains from the bucket while the test runs.
    limiter = MessagesPacedRateLimiter(overall_max_rate=3, overall_time_period=60, group_per_minute=0,
                                       clock=WallClock(), max_retries=0)
    await limiter.initialize()
    yield limiter
    await limiter.shutdown()


async def request(limiter: MessagesPacedRateLimiter, endpoint: str, chat_id: int, sent: list[str]) -> Any:
    async def call(*args: Any, **kwargs: Any) -> bool:
        sent.append(endpoint)
        return True

    return await limiter.process_request(call, (), {}, endpoint, {"chat_id": chat_id}, None)


@pytest.mark.parametrize("chat_id", [7, -100123])  # a private chat, a group
async def test_typing_is_skipped_when_the_overall_budget_is_spent(limiter: Any, chat_id: int) -> None:
    sent: list[str] = []
    assert await request(limiter, "sendChatAction", chat_id, sent) is True  # room: shown
    await request(limiter, "sendMessage", chat_id, sent)
    await request(limiter, "sendMessage", chat_id, sent)
    assert sent == ["sendChatAction", "sendMessage", "sendMessage"]

    assert await request(limiter, "sendChatAction", chat_id, sent) is True  # no room: skipped
    assert sent == ["sendChatAction", "sendMessage", "sendMessage"]
    # An answer is not skipped: it waits for its room in the bucket.
    answer = asyncio.create_task(request(limiter, "sendMessage", chat_id, sent))
    await asyncio.sleep(0.05)
    assert not answer.done() and sent[-1] == "sendMessage" and len(sent) == 3
    answer.cancel()


async def test_typing_is_always_sent_when_the_overall_limit_is_lifted() -> None:
    limiter = MessagesPacedRateLimiter(overall_max_rate=0, group_per_minute=0, clock=WallClock(), max_retries=0)
    sent: list[str] = []
    for _ in range(50):
        await request(limiter, "sendChatAction", 7, sent)
    assert sent == ["sendChatAction"] * 50
