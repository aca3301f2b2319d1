"""What the bot records in its metrics, driven the way Telegram drives it (the loopback Bot API):
askers over the rate limit, inline queries by outcome, feed polls by feed, flood retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import psycopg

from bot.app import database_check
from bot.handlers.feeds import poll_feeds
from bot.state import BotState, Tuning
from qabot.frontdoor import Check
from qabot.stores import Stores
from tests.bot.conftest import FakeServices, Harness, StartBot
from tests.fakes.postgres import PostgresCluster
from tests.retrieval.sources.test_feeds import Site, site  # noqa: F401  (the loopback feed server fixture)

QUESTION = "Quel budget le conseil municipal de Grenoble a-t-il voté ?"


def sample(h: Harness, name: str, **labels: str) -> float:
    value = h.application.bot_data["state"].metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else float(value)


async def test_askers_over_the_rate_limit_are_counted(start_bot: StartBot) -> None:
    h = await start_bot(rate_limit_questions=1, rate_limit_window_s=60)
    await h.answer_to(QUESTION)
    before = len(h.tg.sent(7))
    h.ask(QUESTION)
    refusal = await h.tg.reply(7, before)
    assert "questions" in str(refusal.visible).lower()
    assert sample(h, "qabot_rate_limited_total", via="message") == 1


async def test_inline_queries_are_counted_by_outcome(harness: Harness) -> None:
    async def inline(query: str, user_id: int) -> Any:
        query_id = harness.tg.inline_query(query, user_id=user_id)
        return await harness.tg.wait_for(lambda: harness.tg.inline_answers.get(query_id))

    harness.tg.inline_query(QUESTION[:12], user_id=31)  # a keystroke: not a question yet
    await inline(QUESTION, 31)
    await inline(QUESTION, 32)  # from the cache
    await harness.tg.wait_for(lambda: sample(harness, "qabot_inline_queries_total", outcome="incomplete") == 1)
    assert sample(harness, "qabot_inline_queries_total", outcome="answered") == 1
    assert sample(harness, "qabot_inline_queries_total", outcome="cached") == 1


async def test_a_flood_wait_is_counted_as_an_error_and_a_retry(harness: Harness) -> None:
    harness.tg.fail("sendMessage", status=429, times=1, retry_after=1)
    await harness.answer_to(QUESTION)
    assert sample(harness, "qabot_telegram_api_errors_total", method="sendMessage", error="RetryAfter") == 1
    assert sample(harness, "qabot_telegram_api_retries_total", method="sendMessage", reason="flood") == 1


async def test_feed_polls_are_counted_by_feed_and_outcome(
    start_bot: StartBot, site: tuple[Site, str]  # noqa: F811
) -> None:
    content, base = site
    for path in list(content.pages)[4:]:
        del content.pages[path]
    working, broken = f"{base}/feed.xml", f"{base}/broken.xml"
    h = await start_bot(feeds=(working, broken), feeds_allow_private=True, feeds_poll_interval_s=3600.0)
    report = await poll_feeds(h.application.bot_data["state"], h.application.bot)
    assert report is not None and list(report.errors) == [broken]
    assert sample(h, "qabot_feed_polls_total", feed=working, outcome="ok") == 1
    assert sample(h, "qabot_feed_polls_total", feed=broken, outcome="error") == 1
    assert sample(h, "qabot_feed_item_errors_total") == 0


async def test_the_database_check_names_the_database_it_cannot_reach(
    make_settings: Callable[..., Any], postgres: PostgresCluster
) -> None:
    """On the throwaway PostgreSQL cluster: ready while the database answers; dropped under the
    store, the check fails with the database's address (no password) instead of hanging."""
    url = postgres.create_database()
    name = urlsplit(url).path.lstrip("/")
    settings = make_settings()
    state = BotState(settings=settings, services=FakeServices(settings), tuning=Tuning(),
                     store=await Stores.open(url))
    try:
        assert await database_check(state) == Check("database")
        with psycopg.connect(host=str(postgres.root), user="postgres", dbname="postgres", autocommit=True) as db:
            db.execute(f"DROP DATABASE {name} WITH (FORCE)")
        failed = await database_check(state)
        assert not failed.ok and failed.problem is not None
        assert failed.problem.startswith(f"the bot's database cannot be reached at postgresql+psycopg://postgres@/{name}")
    finally:
        await state.db.close()


async def test_the_database_check_waits_for_the_store(make_settings: Callable[..., Any]) -> None:
    settings = make_settings()
    state = BotState(settings=settings, services=FakeServices(settings), tuning=Tuning())
    assert await database_check(state) == Check("database", "the bot's database is not open yet")
