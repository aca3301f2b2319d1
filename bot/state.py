"""What the handlers share, kept in `application.bot_data["state"]`: services, store, limits.

Per-chat and per-user state (conversation turns, rate-limit windows) lives in the store, so
several workers share it; nothing lives in module globals.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telegram.ext import CallbackContext

    from bot.store import BotStore
    from qabot.settings import Settings

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


@dataclass
class BotState:
    settings: Settings
    services: Any  # qabot.services.Services, or a fake with the same shape
    tuning: Tuning
    store: BotStore | None = None
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
