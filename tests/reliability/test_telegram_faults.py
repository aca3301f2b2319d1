"""Telegram misbehaving: 429 with retry_after, 5xx, dropped connections, on sendMessage and on
getUpdates. Every question still gets exactly one answer, and no update is handled twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from telegram.constants import FloodLimit

from bot.state import Tuning
from tests.reliability.conftest import (
    GRENOBLE_Q,
    FaultyTelegram,
    answer_id_of,
    live_bot,
    make_live_settings,
    write_report,
)

QUESTIONS = [
    GRENOBLE_Q,
    "Combien de civils ont fui Alep depuis le début de l'offensive ?",
    "Quand commenceront les travaux des pistes cyclables à Grenoble ?",
]
CHATS = (11, 12, 13)


def inject(tg: FaultyTelegram, fault: str, method: str) -> None:
    if fault == "429":
        tg.fail(method, status=429, retry_after=1)
    elif fault == "5xx":
        tg.fail(method, status=502, times=2)
    else:
        tg.drop(method, times=2)


@pytest.mark.parametrize("method", ["sendMessage", "getUpdates"])
@pytest.mark.parametrize("fault", ["429", "5xx", "drop"])
async def test_faults_lose_no_answer_and_duplicate_none(
    faulty_telegram: FaultyTelegram, make_settings: Callable[..., Any], corpus_dir: Path,
    no_network: None, method: str, fault: str,
) -> None:
    tg = faulty_telegram
    async with live_bot(make_live_settings(make_settings, tg), tg) as bot:
        await bot.settle()
        inject(tg, fault, method)
        for chat in CHATS:
            for question in QUESTIONS:
                tg.message(f"{question} (chat {chat})", chat_id=chat)
        await tg.wait_for(lambda: all(len(tg.answers(c)) >= len(QUESTIONS) for c in CHATS), within=60)
        await bot.settle()

        assert not bot.unexpected_errors, bot.unexpected_errors
        assert set(bot.processed.values()) == {1}, "an update was handled twice"
        assert sorted(bot.asked.values()) == [1] * len(CHATS) * len(QUESTIONS)
        for chat in CHATS:
            answers = tg.answers(chat)
            assert len(answers) == len(QUESTIONS)  # exactly one answer each, in order
            stored = [await bot.state.db.answers.answer(answer_id_of(m), chat) for m in answers]
            assert [s.question for s in stored] == [f"{q} (chat {chat})" for q in QUESTIONS]
            assert "Désolé" not in " ".join(m.visible for m in tg.sent(chat))
        failed = [c for c in tg.calls_of(method) if c.status != 200] + [c for c in tg.dropped if c.method == method]
        assert failed, "the fault was never hit"
        write_report(f"telegram_faults_{method}_{fault}", {
            "method": method, "fault": fault, "questions": len(CHATS) * len(QUESTIONS),
            "answers": sum(len(tg.answers(c)) for c in CHATS), "failed_calls": len(failed),
            "updates_processed_twice": sum(1 for n in bot.processed.values() if n > 1),
        })


def test_flood_limits_are_telegrams_unless_a_test_lifts_them() -> None:
    """The bot keeps Telegram's flood limits; only tests over the loopback API lift them."""
    assert (Tuning().requests_per_second, Tuning().group_requests_per_minute) == (
        FloodLimit.MESSAGES_PER_SECOND, FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP)
