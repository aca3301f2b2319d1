"""/feeds (admins): list, add and remove RSS/Atom feeds; the job that polls them on a schedule.

The feeds are FEEDS (settings) plus those admins add, kept in the bot's store. PTB's JobQueue
fires `poll_job` every FEEDS_POLL_INTERVAL_S on every worker; `bot.jobs.run_once` lets one of
them run it for that period. New or changed items are saved as articles and indexed at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.jobs import run_once
from bot.render import escape
from bot.state import BotState, state_of
from bot.texts import language_of, t
from qabot.services import feed_poller
from qabot.settings import Settings
from retrieval.errors import QabotError
from retrieval.feeds import PollReport

logger = logging.getLogger(__name__)

JOB_NAME = "feeds"


async def on_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/feeds`, `/feeds add URL`, `/feeds remove URL`."""
    message = update.effective_message
    if message is None:
        return
    st = state_of(context)
    lang = language_of(update.effective_user)
    args = context.args or []
    if len(args) == 2 and args[0] in ("add", "remove"):
        url = args[1].strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            await message.reply_text(t("feed_bad_url", lang, url=escape(url)))
            return
        if args[0] == "add":
            added = await st.db.add_feed(url, update.effective_user.id if update.effective_user else None)
            schedule(context.application)
            await message.reply_text(t("feed_added" if added else "feed_known", lang, url=escape(url)))
        elif url in st.settings.feeds:
            await message.reply_text(t("feed_in_settings", lang, url=escape(url)))
        else:
            removed = await st.db.remove_feed(url)
            await message.reply_text(t("feed_removed" if removed else "feed_unknown", lang, url=escape(url)))
        return
    if args:
        await message.reply_text(t("feeds_usage", lang))
        return
    urls = await feed_urls(st)
    if not urls:
        await message.reply_text(t("feeds_none", lang))
        return
    await message.reply_text(await asyncio.to_thread(feed_lines, st.settings, urls, lang))


async def feed_urls(st: BotState) -> list[str]:
    return list(dict.fromkeys([*st.settings.feeds, *await st.db.feeds()]))


def feed_lines(settings: Settings, urls: list[str], lang: str) -> str:
    """One line per feed: when it was last polled, and its error if the last pass failed."""
    states = feed_poller(settings).load_state()
    lines = [t("feeds_heading", lang).strip()]
    for url in urls:
        state = states.get(url)
        if state is None or state.last_polled is None:
            lines.append(t("feed_never", lang, url=escape(url)))
        elif state.last_error:
            lines.append(t("feed_error", lang, url=escape(url), when=escape(state.last_polled),
                           error=escape(state.last_error)))
        else:
            lines.append(t("feed_ok", lang, url=escape(url), when=escape(state.last_polled), items=len(state.items)))
    return "\n".join(lines)


async def poll_feeds(st: BotState) -> PollReport | None:
    """One pass over the feeds, then an incremental re-index when something is new."""
    urls = await feed_urls(st)
    if not urls:
        return None
    report = await asyncio.to_thread(feed_poller(st.settings).poll, urls)
    st.metrics.feeds_polled(urls, report)
    logger.info("feeds polled %s", report.summary())
    if report.new or report.updated:
        try:
            await st.services.reindex()
        except QabotError as exc:  # e.g. a re-index already running: the next pass indexes them
            logger.warning("feeds saved but not indexed yet reason=%s", exc)
    return report


async def poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's callback: one worker polls, per period."""
    st = state_of(context)
    interval = st.settings.feeds_poll_interval_s

    async def job() -> None:
        await poll_feeds(st)

    await run_once(st.db, JOB_NAME, interval, job)


def schedule(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Poll the feeds every FEEDS_POLL_INTERVAL_S, once (post_init when there are feeds, or the
    first /feeds add)."""
    state: BotState = application.bot_data["state"]
    interval = state.settings.feeds_poll_interval_s
    if interval <= 0 or application.job_queue is None or application.job_queue.get_jobs_by_name(JOB_NAME):
        return
    application.job_queue.run_repeating(poll_job, interval=interval, first=min(60.0, interval), name=JOB_NAME)
