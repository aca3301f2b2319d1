"""A group's message budget ("no more than 20 messages per minute in the same group") kept by
two workers together: two real applications (`build_application`), one PostgreSQL store, one
loopback Bot API. Time is a clock of the test's own that moves only when every send is waiting
for it, so three minutes of budget are checked in a moment and no request is in flight while
it moves (a call's stamp on the Bot API is the time its slot was taken)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import pytest
import sqlalchemy as sa

from bot.app import build_application
from bot.state import Tuning
from qabot.stores import Stores
from tests.bot.conftest import ADMIN, FakeServices, start_application
from tests.bot.test_group_limits import most_in_a_minute
from tests.fakes.postgres import PostgresCluster
from tests.fakes.telegram_server import TOKEN, FakeTelegram

GROUP = -1003
PER_MINUTE = 20
EACH = 25  # messages each worker posts: 50 in all, two and a half minutes of budget
# Telegram's group limit only: the overall 30 a second would pace by the real clock.
PACED = Tuning(requests_per_second=0, group_requests_per_minute=PER_MINUTE)


class TestClock:
    """Time that moves only when `advance` moves it, to the earliest waiter's wake-up."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.time = start
        self._waiters: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self.time + seconds, woken))
        await woken

    @property
    def waiting(self) -> int:
        return sum(1 for _, woken in self._waiters if not woken.done())

    def advance(self) -> None:
        self._waiters = [(at, woken) for at, woken in self._waiters if not woken.done()]
        self.time = max(self.time, min(at for at, _ in self._waiters))
        for at, woken in self._waiters:
            if at <= self.time:
                woken.set_result(None)


async def run_on(clock: TestClock, sends: Sequence[asyncio.Task[Any]], within_s: float = 60.0) -> None:
    """Let the sends finish, moving the clock on whenever all of the unfinished ones wait for it."""
    deadline = time.monotonic() + within_s
    while pending := [s for s in sends if not s.done()]:
        assert time.monotonic() < deadline, f"{len(pending)} sends never finished"
        if clock.waiting >= len(pending):
            clock.advance()
        await asyncio.sleep(0.005)
    await asyncio.gather(*sends)  # an error in a send fails the test here


@pytest.fixture
async def two_workers(
    telegram: FakeTelegram, make_settings: Callable[..., Any], postgres: PostgresCluster, no_network: None,
) -> AsyncIterator[tuple[TestClock, list[Any]]]:
    clock = TestClock()
    telegram.clock = clock.now
    settings = make_settings(telegram_bot_token=TOKEN, telegram_api_base_url=telegram.base_url,
                             telegram_admin_ids=frozenset({ADMIN}), database_url=postgres.create_database())
    async with contextlib.AsyncExitStack() as stack:
        workers = []
        for _ in range(2):
            application = build_application(settings, FakeServices(settings), tuning=PACED, clock=clock)
            await start_application(stack, application)
            workers.append(application)
        yield clock, workers
    assert telegram.rejected == []


async def test_two_workers_posting_in_one_group_keep_one_budget(
    two_workers: tuple[TestClock, list[Any]], telegram: FakeTelegram
) -> None:
    clock, workers = two_workers
    started = clock.now()
    sends = [asyncio.create_task(app.bot.send_message(GROUP, f"worker {w}, message {i}"))
             for i in range(EACH) for w, app in enumerate(workers)]
    await run_on(clock, sends)

    posted = [c for c in telegram.calls if c.method == "sendMessage" and c.params.get("chat_id") == GROUP]
    assert len(posted) == 2 * EACH
    assert Counter(c.params["text"].split(",")[0] for c in posted) == {"worker 0": EACH, "worker 1": EACH}
    # Counted per worker, 40 went in the first minute; counted together, 20 in any minute.
    assert most_in_a_minute([c.at for c in posted]) == PER_MINUTE
    # ...and no slower than the budget: the 50th went in the third minute.
    assert max(c.at for c in posted) - started < 3 * 60


async def test_private_chats_are_not_counted_in_a_group_budget(
    two_workers: tuple[TestClock, list[Any]], telegram: FakeTelegram
) -> None:
    clock, workers = two_workers
    sends = [asyncio.create_task(workers[i % 2].bot.send_message(7, f"message {i}")) for i in range(2 * EACH)]
    await run_on(clock, sends)
    assert len(telegram.calls_of("sendMessage", 7)) == 2 * EACH
    assert clock.waiting == 0 and clock.now() == 1_800_000_000.0  # nobody waited for a slot


async def test_a_store_that_cannot_count_leaves_each_worker_its_own_count(
    two_workers: tuple[TestClock, list[Any]], telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    _, workers = two_workers
    with workers[0].bot_data["state"].db.db.connection() as db:  # the budget's table is gone
        db.execute(sa.text("DROP TABLE rate_windows"))
    await workers[0].bot.send_message(GROUP, "still sent")
    assert [c.params["text"] for c in telegram.calls_of("sendMessage", GROUP)] == ["still sent"]
    assert "group budget counted by this worker alone" in caplog.text and "rate_windows" in caplog.text


async def test_a_groups_window_is_a_sliding_minute_apart_from_its_members_questions(database_url: str) -> None:
    store = await Stores.open(database_url)
    try:
        start = 1_800_000_000.0
        waits = [await store.conversations.take_group_message(GROUP, PER_MINUTE, start + i) for i in range(PER_MINUTE)]
        assert waits == [0.0] * PER_MINUTE
        assert await store.conversations.take_group_message(GROUP, PER_MINUTE, start + 30) == pytest.approx(30.0)
        assert await store.conversations.take_group_message(GROUP - 1, PER_MINUTE, start + 30) == 0.0  # another group
        assert await store.conversations.rate_check(-GROUP, 1, 60.0, start + 30) == 0.0  # a user whose id mirrors it
        assert await store.conversations.take_group_message(GROUP, PER_MINUTE, start + 60) == 0.0  # the first stamp left
        with pytest.raises(ValueError, match="not a group"):
            await store.conversations.take_group_message(7, PER_MINUTE, start)
    finally:
        await store.close()
