"""Admins told when something breaks: a feed failing ALERT_FEED_FAILURES polls in a row, a
re-index that fails, a disk nearly full (DISK_MIN_FREE_MB, checked before feeds and re-indexes
write).

An incident is a row of the store's `alerts` table, keyed by what broke (`feed:<url>`,
`reindex`, `disk`): the worker whose insert creates the row sends the message, to every admin,
so it goes out once per incident however many polls or workers see the failure; the one whose
delete removes it says it recovered. Admins are told in French, the bot's default language (a
message nobody asked for has no reader's language to follow).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot.render import escape
from bot.state import BotState
from bot.texts import t
from qabot.frontdoor import PollReport, shown
from qabot.settings import Settings

logger = logging.getLogger(__name__)

LANG = "fr"
REINDEX = "reindex"
DISK = "disk"
MB = 1024 * 1024


async def incident(st: BotState, bot: Bot, key: str, detail: str, text: str) -> bool:
    """Open incident `key` and tell the admins, unless it is open already; True if told here."""
    if not await st.db.coordination.open_incident(key, detail):
        return False
    logger.warning("incident opened key=%s detail=%s", key, detail)
    await tell_admins(st, bot, text)
    return True


async def recovered(st: BotState, bot: Bot, key: str, text: str) -> bool:
    """Close incident `key` if it is open, and tell the admins; True if closed here."""
    if not await st.db.coordination.close_incident(key):
        return False
    logger.info("incident closed key=%s", key)
    await tell_admins(st, bot, text)
    return True


async def tell_admins(st: BotState, bot: Bot, text: str) -> None:
    """One message to each admin; one that cannot be reached (never started the bot, blocked
    it) does not keep the others from being told."""
    for admin in sorted(st.admin_ids):
        try:
            await bot.send_message(admin, text)
        except TelegramError as exc:
            logger.warning("could not alert admin=%s: %s", admin, exc)


async def feeds_polled(st: BotState, bot: Bot, report: PollReport) -> None:
    """After a pass: a feed at ALERT_FEED_FAILURES failures in a row is an incident; a feed
    read again closes its incident."""
    for url, failures in report.streaks.items():
        key = feed_incident(url)
        name = escape(shown(url))
        if failures >= st.settings.alert_feed_failures:
            error = report.errors.get(shown(url), "")
            await incident(st, bot, key, error, t("alert_feed", LANG, url=name, count=failures, error=escape(error)))
        elif failures == 0:
            await recovered(st, bot, key, t("alert_feed_ok", LANG, url=name))


def feed_incident(url: str) -> str:
    """The incident key of a feed (its URL without credentials: keys are logged)."""
    return f"feed:{shown(url)}"


async def reindex_failed(st: BotState, bot: Bot, reason: str) -> None:
    await incident(st, bot, REINDEX, reason, t("alert_reindex", LANG, reason=escape(reason)))


async def reindex_succeeded(st: BotState, bot: Bot) -> None:
    await recovered(st, bot, REINDEX, t("alert_reindex_ok", LANG))


async def disk_ok(st: BotState, bot: Bot) -> bool:
    """False (and the admins told, once) when a folder the bot writes to is short of space."""
    short = await asyncio.to_thread(disk_short, st.settings)
    if short:
        where = ", ".join(f"{folder} : {free // MB} Mo" for folder, free in short)
        await incident(st, bot, DISK, where, t("alert_disk", LANG, where=escape(where),
                                               limit=st.settings.disk_min_free_mb))
        return False
    await recovered(st, bot, DISK, t("alert_disk_ok", LANG))
    return True


def disk_short(settings: Settings) -> list[tuple[Path, int]]:
    """The folders written to (INDEX_DIR, DATA_DIR, ARTICLES_DIR) with less than
    DISK_MIN_FREE_MB free, with their free bytes; a folder not made yet is judged by the
    nearest one above it."""
    limit = settings.disk_min_free_mb * MB
    if limit <= 0:
        return []
    short = []
    for folder in dict.fromkeys([settings.index_dir, settings.data_dir, settings.articles_dir]):
        existing = Path(folder).absolute()
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        free = shutil.disk_usage(existing).free
        if free < limit:
            short.append((Path(folder), free))
    return short
