"""What the handlers share, kept in `application.bot_data["state"]`: services, store, limits.

Per-chat and per-user state lives here in bounded maps (least recently used evicted), never in
module globals.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from answering.protocol import Turn

if TYPE_CHECKING:
    from telegram.ext import CallbackContext

    from bot.store import BotStore
    from qabot.settings import Settings

MAX_TRACKED = 10_000  # chats with a history, users with a rate-limit window


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


class LRU(OrderedDict[Any, Any]):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def touch(self, key: Any, default: Any) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        self[key] = default
        while len(self) > self.limit:
            self.popitem(last=False)
        return default


class Histories:
    """The recent turns of each chat, for follow-up questions; `/new` clears one chat's."""

    def __init__(self, turns: int) -> None:
        self.turns = turns
        self._chats = LRU(MAX_TRACKED)

    def get(self, chat_id: int) -> tuple[Turn, ...]:
        return tuple(self._chats.get(chat_id, ()))

    def add(self, chat_id: int, turn: Turn) -> None:
        if self.turns <= 0:
            return
        self._chats.touch(chat_id, deque(maxlen=self.turns)).append(turn)

    def clear(self, chat_id: int) -> None:
        self._chats.pop(chat_id, None)


class RateLimiter:
    """At most `limit` questions per user in any sliding window of `window_s` seconds."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._users = LRU(MAX_TRACKED)

    def check(self, user_id: int, now: float | None = None) -> float:
        """0 and the question is counted, or the seconds to wait before the next one."""
        now = time.monotonic() if now is None else now
        stamps: deque[float] = self._users.touch(user_id, deque())
        while stamps and now - stamps[0] >= self.window_s:
            stamps.popleft()
        if len(stamps) >= self.limit:
            return max(0.1, self.window_s - (now - stamps[0]))
        stamps.append(now)
        return 0.0


@dataclass
class BotState:
    settings: Settings
    services: Any  # qabot.services.Services, or a fake with the same shape
    tuning: Tuning
    histories: Histories
    limiter: RateLimiter
    store: BotStore | None = None
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    background: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def db(self) -> BotStore:
        if self.store is None:
            raise RuntimeError("the bot store is opened in post_init")
        return self.store

    @property
    def admin_ids(self) -> frozenset[int]:
        return frozenset(getattr(self.settings, "telegram_admin_ids", frozenset()))


def state_of(context: CallbackContext[Any, Any, Any, Any]) -> BotState:
    return context.application.bot_data["state"]  # type: ignore[no-any-return]
