"""/feeds (admins): list, add and remove RSS/Atom feeds; the job that polls them on a schedule.

The feeds are FEEDS (settings) plus those admins add, kept in the bot's store. A feed whose
address is not a public http(s) one is refused when it is added (and again at every fetch,
since DNS can change); credentials typed in a feed's URL are never shown. PTB's JobQueue fires
`poll_job` every FEEDS_POLL_INTERVAL_S on every worker; `bot.jobs.run_once` lets one of them
run it for that period, and what the poller knows lives in the store, so the next period's
worker starts where the last one stopped. New or changed items are saved as articles and
indexed at once; failures the admins must hear of go through `bot.alerts`.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application, ContextTypes

from bot import alerts
from bot.handlers.common import audit
from bot.jobs import run_once
from bot.render import escape
from bot.state import BotState, state_of
from bot.texts import language_of, t
from qabot.frontdoor import (
    AddressRefused,
    FeedState,
    PollReport,
    QabotError,
    ReindexInProgress,
    shown,
)

logger = logging.getLogger(__name__)

JOB_NAME = "feeds"
ITEM_ERRORS_SHOWN = 3  # per feed in /feeds and /status; the rest is counted


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
        name = escape(shown(url))
        if args[0] == "add":
            refusal = await refused(st, url, lang)
            if refusal:
                await message.reply_text(refusal)
                return
            added = await st.db.feeds.add_feed(url, update.effective_user.id if update.effective_user else None)
            await audit(context, update.effective_user, "feed-add", shown(url))
            schedule(context.application)
            await message.reply_text(t("feed_added" if added else "feed_known", lang, url=name))
        elif url in st.settings.feeds:
            await message.reply_text(t("feed_in_settings", lang, url=name))
        else:
            removed = await st.db.feeds.remove_feed(url)
            if removed:
                await audit(context, update.effective_user, "feed-remove", shown(url))
            if removed:  # a feed no longer polled cannot recover: its incident ends here, silently
                await st.db.coordination.close_incident(alerts.feed_incident(url))
            await message.reply_text(t("feed_removed" if removed else "feed_unknown", lang, url=name))
        return
    if args:
        await message.reply_text(t("feeds_usage", lang))
        return
    urls = await feed_urls(st)
    if not urls:
        await message.reply_text(t("feeds_none", lang))
        return
    await message.reply_text(await feed_lines(st, urls, lang))


async def refused(st: BotState, url: str, lang: str) -> str | None:
    """Why `url` cannot be added (in the admin's language), or None: an http(s) URL to a
    public address, its name resolved now."""
    try:
        await st.services.check_feed(url, st.resolve)
    except AddressRefused as exc:
        logger.info("feed refused url=%s reason=%s", shown(url), exc)
        name, host = escape(shown(url)), escape(exc.host)
        if exc.why == "private":
            address = f" ({escape(exc.address)})" if exc.address and exc.address != exc.host else ""
            return t("feed_private", lang, url=name, host=host, address=address)
        if exc.why == "unresolved":
            return t("feed_unresolved", lang, url=name, host=host)
        return t("feed_bad_url", lang, url=name)
    return None


async def feed_urls(st: BotState) -> list[str]:
    return await st.services.feeds()


async def feed_lines(st: BotState, urls: list[str], lang: str) -> str:
    """One line per feed: when it was last polled, its articles and the items its last read
    could not use (with their reasons), or its error if the last pass failed."""
    states = await st.db.feeds.feed_states(urls)
    lines = [t("feeds_heading", lang).strip()]
    for url in urls:
        lines += feed_line(states[url], lang)
    return "\n".join(lines)


def feed_line(state: FeedState, lang: str) -> list[str]:
    name = escape(shown(state.url))
    if state.last_polled is None:
        return [t("feed_never", lang, url=name)]
    if state.last_error:
        return [t("feed_error", lang, url=name, when=escape(state.last_polled), error=escape(state.last_error))]
    line = t("feed_ok", lang, url=name, when=escape(state.last_polled), items=state.articles)
    reasons = list(state.item_errors.values())
    if not reasons:
        return [line]
    shown_reasons = [t("feed_item_error", lang, reason=escape(r)) for r in reasons[:ITEM_ERRORS_SHOWN]]
    more = len(reasons) - ITEM_ERRORS_SHOWN
    return [line + t("feed_items_failed", lang, count=len(reasons)), *shown_reasons,
            *([t("feed_more_errors", lang, count=more)] if more > 0 else [])]


async def poll_feeds(st: BotState, bot: Bot) -> PollReport | None:
    """One pass over the feeds (unless the disk is full), then an incremental re-index when
    something is new; the admins hear of what breaks."""
    urls = await feed_urls(st)
    if not urls or not await alerts.disk_ok(st, bot):
        return None
    report = await st.services.poll_feeds(urls, st.db.feeds, st.resolve)
    st.metrics.feeds_polled(urls, report)
    logger.info("feeds polled %s", report.summary())
    await alerts.feeds_polled(st, bot, report)
    if report.new or report.updated:
        await reindex_feeds(st, bot)
    return report


async def reindex_feeds(st: BotState, bot: Bot) -> None:
    try:
        await st.services.reindex()
    except ReindexInProgress:  # the running re-index may miss them; the next one indexes them
        logger.info("feeds saved, a re-index is already running")
    except QabotError as exc:
        logger.warning("feeds saved but not indexed reason=%s", exc)
        await alerts.reindex_failed(st, bot, str(exc))
    except Exception as exc:
        logger.exception("re-index after the feeds crashed")
        await alerts.reindex_failed(st, bot, type(exc).__name__)
    else:
        await alerts.reindex_succeeded(st, bot)


async def poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's callback: one worker polls, per period."""
    await poll_once(state_of(context), context.bot)


async def poll_once(st: BotState, bot: Bot, now: float | None = None) -> bool:
    """Poll the feeds unless another worker did this period (or is doing it); True if here."""

    async def job() -> None:
        await poll_feeds(st, bot)

    return await run_once(st.db, JOB_NAME, st.settings.feeds_poll_interval_s, job, now)


def schedule(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Poll the feeds every FEEDS_POLL_INTERVAL_S, once (post_init when there are feeds, or the
    first /feeds add)."""
    state: BotState = application.bot_data["state"]
    interval = state.settings.feeds_poll_interval_s
    if interval <= 0 or application.job_queue is None or application.job_queue.get_jobs_by_name(JOB_NAME):
        return
    application.job_queue.run_repeating(poll_job, interval=interval, first=min(60.0, interval), name=JOB_NAME)
