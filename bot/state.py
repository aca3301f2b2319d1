"""What the handlers share, kept in `application.bot_data["state"]`: services, the database's
rooms (`qabot.stores.Stores`), limits.

Per-chat and per-user state (conversation turns, rate-limit windows) lives in the database, so
several workers share it; nothing lives in module globals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from telegram.ext import CallbackContext

from bot.share import ShareLinks
from qabot.frontdoor import FrontDoor, Resolver, system_resolver
from qabot.metrics import Metrics
from qabot.records import StoredAnswer
from qabot.settings import Settings
from qabot.stores import Stores

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Tuning:
    """Timings and rates that tests change; the defaults are what Telegram users see."""

    typing_every_s: float = 4.0
    edit_every_s: float = 1.0
    reindex_progress_every_s: float = 2.0
    # Telegram's flood limits, kept before every request that names a chat (0 lifts one): the
    # loopback Bot API has none, and a test flooding one group would otherwise wait minutes.
    requests_per_second: float = 30.0
    group_requests_per_minute: float = 20.0


class Clock(Protocol):
    """The time the group budget is counted in, and how a send waits for it: epoch seconds,
    because workers on several machines compare their stamps in the store. Tests pass a clock
    of their own, so a minute's budget is checked without waiting a minute."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class WallClock:
    """The real one: `time.time()` and `asyncio.sleep`."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


MAX_TRACKED = 10_000  # group chats whose pace is kept


K = TypeVar("K")
V = TypeVar("V")


class Bounded(OrderedDict[K, V]):
    """A map (per chat, per question) that forgets the least recently used keys beyond `limit`."""

    def __init__(self, limit: int = MAX_TRACKED) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class GroupPace:
    """Per group chat, a budget of `per_minute` optional requests (streamed frames) in any
    sliding minute: a request over it is skipped, never queued. 0 lifts the limit. Kept per
    worker: with several workers each keeps its own count of the frames it sends (the new
    messages, which Telegram's limit counts, share one budget in the store: bot.app)."""

    def __init__(self, per_minute: float, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self._chats: Bounded[int, deque[float]] = Bounded()

    def allow(self, chat_id: int, now: float | None = None) -> bool:
        if chat_id > 0 or not self.per_minute:  # private chats: Telegram's limit is per second
            return True
        now = time.monotonic() if now is None else now
        stamps: deque[float] = self._chats.get(chat_id) or deque()
        self._chats.put(chat_id, stamps)
        while stamps and now - stamps[0] >= self.window_s:
            stamps.popleft()
        if len(stamps) >= self.per_minute:
            return False
        stamps.append(now)
        return True


class QuestionTurns:
    """At most `limit` questions answered at once by this worker, the others waiting their turn
    in the order they arrived (0: no limit).

    Every stage of an answer hops onto the shared worker threads (retrieval, the judge, the
    answerer, the citation check, and the store before and after): with fifty questions in hand
    at once, each hop queued behind the others' and a reply's time was the luck of ten queues,
    a long tail for the same throughput. Taken in turns, a question waits once, in order, and
    then goes through its stages without queueing behind the ones still waiting."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waiting = 0  # questions waiting for their turn now
        self._free = asyncio.Semaphore(limit) if limit else None

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold one of the turns while the block runs (asyncio's semaphore wakes its waiters
        in the order they came)."""
        if self._free is None:
            yield
            return
        self.waiting += 1
        started = time.monotonic()
        try:
            await self._free.acquire()
        finally:
            self.waiting -= 1
        logger.debug("question's turn after %.0f ms, %d waiting", (time.monotonic() - started) * 1000, self.waiting)
        try:
            yield
        finally:
            self._free.release()


class Companion(Protocol):
    """Something that lives as long as the bot (the web server of `qabot run`): started first
    in post_init, so it answers while the models load, and stopped first in post_shutdown."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class BotState:
    settings: Settings
    services: FrontDoor
    tuning: Tuning
    store: Stores | None = None
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    group_pace: GroupPace = field(default_factory=lambda: GroupPace(20))
    typing_sent: Bounded[int, float] = field(default_factory=Bounded)  # chat -> when typing was last shown
    inline_cache: Bounded[str, tuple[float, StoredAnswer]] = field(default_factory=lambda: Bounded(1000))  # question -> (when, answer)
    share: ShareLinks = field(default_factory=lambda: ShareLinks(""))
    resolve: Resolver = system_resolver  # how feed hosts are resolved (tests pass their own)
    metrics: Metrics = field(default_factory=Metrics)
    turns: QuestionTurns = field(default_factory=lambda: QuestionTurns(0))  # questions answered at once
    # What lives as long as the bot (the web server), and those of them started.
    companions: list[Companion] = field(default_factory=list)
    started: list[Companion] = field(default_factory=list)

    @property
    def db(self) -> Stores:
        if self.store is None:
            raise RuntimeError("the bot's database is opened in post_init")
        return self.store

    @property
    def admin_ids(self) -> frozenset[int]:
        return frozenset(self.settings.telegram_admin_ids)


def state_of(context: CallbackContext[Any, Any, Any, Any]) -> BotState:
    state = context.application.bot_data["state"]
    if not isinstance(state, BotState):
        raise TypeError("bot_data['state'] is set by build_application")
    return state
