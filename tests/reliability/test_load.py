"""Load: 50 simulated users asking 10 questions each, all at once, through the loopback Bot API
with the extractive answerer; then the same again while an admin re-indexes the whole corpus over
and over. Every question is answered exactly once; the figures (time to answer, memory) are
printed and, with QABOT_RELIABILITY_DIR set, written to `load.json`. Nothing here asserts speed.

Each user waits for an answer before asking the next question, as a person would. Telegram's
flood limits (30 requests a second, 20 a minute per group) are lifted: the loopback API has none,
and with them the run would measure the limiter, not the bot (500 answers are at least 1,000
requests, half of them "typing…", so 33 s of limiter queue at 30 a second)."""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.state import Tuning
from tests.reliability.conftest import (
    ADMIN,
    GRENOBLE_Q,
    FaultyTelegram,
    LiveBot,
    answer_id_of,
    live_bot,
    make_live_settings,
    rss_bytes,
    write_report,
)

USERS = 50
QUESTIONS_EACH = 10
MAX_RSS_GROWTH = 100 * 2**20
# The production timings (typing refreshed every 4 s, progress every 2 s), flood limits lifted.
TUNING = Tuning(requests_per_second=0, group_requests_per_minute=0)
QUESTIONS = [
    GRENOBLE_Q,
    "Combien de civils ont fui Alep depuis le début de l'offensive ?",
    "Quand commenceront les travaux des pistes cyclables à Grenoble ?",
    "De quelle langue est issu le mot mycélium ?",
    "Qui a remporté le championnat ?",
    "Quel est le rôle du parlement européen ?",
    "Where did the civilians of Aleppo go?",
    "Que s'est-il passé aux Ulis ?",
    "Qui est Yoweri Museveni ?",
    "Combien d'habitants compte la ville ?",
]


def question_of(user: int, i: int, round_: int) -> str:
    return f"{QUESTIONS[(user + i) % len(QUESTIONS)]} (tour {round_ + 1}, utilisateur {user}, question {i + 1})"


def chat_of(user: int, round_: int) -> int:
    return 10_000 * (round_ + 1) + user


async def ask_all(bot: LiveBot, round_: int) -> list[float]:
    """Every user asks its questions one after the other; the seconds each answer took."""
    tg = bot.tg

    async def user(u: int) -> list[float]:
        chat, took = chat_of(u, round_), []
        for i in range(QUESTIONS_EACH):
            tg.message(question_of(u, i, round_), chat_id=chat)
            asked_at = tg.pushed_at[tg.last_update_id]
            await tg.wait_answers(chat, i + 1, within=120)
            took.append(tg.completions[chat][i] - asked_at)
        return took

    per_user = await asyncio.gather(*(user(u) for u in range(USERS)))
    return [seconds for took in per_user for seconds in took]


async def reindex_until(bot: LiveBot, done: asyncio.Event) -> list[float]:
    """The admin runs `/reindex full` again and again until `done`; the seconds each took."""
    tg, took = bot.tg, []
    while not done.is_set():
        finished = sum("Réindexation terminée" in m.visible for m in tg.sent(ADMIN))
        started = time.monotonic()
        tg.message("/reindex full", chat_id=ADMIN)
        def reindexed(before: int = finished) -> bool:
            return sum("Réindexation terminée" in m.visible for m in tg.sent(ADMIN)) > before

        await tg.wait_for(reindexed, within=120)
        took.append(time.monotonic() - started)
    return took


async def check_round(bot: LiveBot, round_: int) -> dict[str, int]:
    """Each question reached the answerer once and got exactly one answer, in order."""
    await bot.settle()
    await asyncio.sleep(0.5)  # room for a duplicate to show up
    tg, answered = bot.tg, 0
    for u in range(USERS):
        chat = chat_of(u, round_)
        answers = tg.answers(chat)
        assert len(answers) == QUESTIONS_EACH, (chat, [m.visible[:60] for m in tg.sent(chat)])
        stored = [await bot.state.db.answers.answer(answer_id_of(m), chat) for m in answers]
        assert [s.question for s in stored] == [question_of(u, i, round_) for i in range(QUESTIONS_EACH)]
        answered += sum(s.answered for s in stored)
        assert not any("Désolé" in m.visible for m in tg.sent(chat))
    return {"answered": answered, "declined": USERS * QUESTIONS_EACH - answered}


def figures(seconds: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(seconds, n=100)
    return {"p50_s": round(cuts[49], 3), "p95_s": round(cuts[94], 3), "max_s": round(max(seconds), 3)}


def rss_mb() -> float:
    gc.collect()
    return round(rss_bytes() / 2**20, 1)


@pytest.mark.slow
async def test_fifty_users_ten_questions_each_with_and_without_a_reindex(
    faulty_telegram: FaultyTelegram, make_settings: Callable[..., Any], big_corpus_dir: Path, no_network: None
) -> None:
    tg = faulty_telegram
    async with live_bot(make_live_settings(make_settings, tg), tg, tuning=TUNING) as bot:
        tg.message(GRENOBLE_Q, chat_id=1)  # warm up: the store, the index, the answerer
        await tg.wait_answers(1, 1)
        await bot.settle()
        rss_start = rss_mb()

        started = time.monotonic()
        quiet = await ask_all(bot, 0)
        quiet_wall = time.monotonic() - started
        quiet_outcome = await check_round(bot, 0)
        rss_quiet = rss_mb()

        done = asyncio.Event()
        admin = asyncio.create_task(reindex_until(bot, done))
        started = time.monotonic()
        busy = await ask_all(bot, 1)
        busy_wall = time.monotonic() - started
        done.set()
        reindexes = await admin
        busy_outcome = await check_round(bot, 1)
        rss_busy = rss_mb()

        assert reindexes and bot.reindexes == [True] * len(reindexes)
        assert not any("échouée" in m.visible for m in tg.sent(ADMIN))
        assert set(bot.processed.values()) == {1}, "an update was handled twice"
        assert len(bot.asked) == 1 + 2 * USERS * QUESTIONS_EACH and set(bot.asked.values()) == {1}
        assert not bot.unexpected_errors and tg.rejected == []
        articles = (await bot.services.stats()).articles
        write_report("load", {
            "users": USERS, "questions_each": QUESTIONS_EACH, "articles": articles,
            "without_reindex": {**figures(quiet), **quiet_outcome, "wall_s": round(quiet_wall, 1)},
            "with_reindex": {**figures(busy), **busy_outcome, "wall_s": round(busy_wall, 1),
                             "full_reindexes": len(reindexes),
                             "reindex_s": [round(s, 1) for s in reindexes]},
            "rss_mb": {"start": rss_start, "after_without_reindex": rss_quiet, "after_with_reindex": rss_busy},
        })
        assert rss_quiet - rss_start < MAX_RSS_GROWTH / 2**20
        assert rss_busy - rss_start < MAX_RSS_GROWTH / 2**20
