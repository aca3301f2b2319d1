"""A reader's data on request: /forget, /mydata, and the daily retention purge.

What is stored about a person, table by table, is listed in qabot/stores/reader_data.py.

`/forget` asks first: its buttons carry `f:<user id>:y` (delete) or `f:<user id>:n` (keep), and
only that user can press them (in a group everyone sees the question). It deletes what the
sender caused in every chat, never what other members asked. `/mydata` sends a JSON document,
in a private chat only: in a group it offers a deep link (`?start=mydata`) to the private chat,
where `/start mydata` sends it.

DATA_RETENTION_DAYS: every worker's JobQueue looks hourly; `bot.jobs.run_once` lets the first
to claim the day's slot purge, so the purge runs once a day across workers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update, User
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes

from bot.handlers.common import edit
from bot.handlers.inline import INLINE_CHAT
from bot.jobs import run_once
from bot.share import link
from bot.state import BotState, Bounded, state_of
from bot.texts import language_of, t
from qabot.records import StoredAnswer
from qabot.stores import Forgotten, Purged

logger = logging.getLogger(__name__)

FORGET_CALLBACK = "f:"  # f:<user id>:y | f:<user id>:n
MYDATA_PAYLOAD = "mydata"
RETENTION_JOB = "retention"
RETENTION_PERIOD_S = 24 * 3600
RETENTION_CHECK_EVERY_S = 3600.0
RETENTION_FIRST_S = 60.0


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask the sender to confirm before everything stored about them is deleted."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = language_of(user)
    await message.reply_text(t("forget_confirm", lang), reply_markup=forget_keyboard(user.id, lang))


def forget_keyboard(user_id: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("forget_yes", lang), callback_data=f"{FORGET_CALLBACK}{user_id}:y"),
        InlineKeyboardButton(t("forget_no", lang), callback_data=f"{FORGET_CALLBACK}{user_id}:n"),
    ]])


async def on_forget_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to "delete everything?": delete and say what was deleted, or keep it all."""
    query = update.callback_query
    if query is None:
        return
    lang = language_of(query.from_user)
    owner, _, choice = (query.data or "").removeprefix(FORGET_CALLBACK).partition(":")
    message = query.message if isinstance(query.message, Message) else None
    if message is None or choice not in ("y", "n"):
        await query.answer(t("expired", lang))
        return
    if owner != str(query.from_user.id):
        await query.answer(t("forget_not_yours", lang))
        return
    if choice == "n":
        await edit(message, t("forget_kept", lang))
        await query.answer()
        return
    st = state_of(context)
    forgotten = await st.db.readers.forget_user(query.from_user.id, INLINE_CHAT)
    drop_cached_answers(st.inline_cache, forgotten.answer_ids)
    logger.info(
        "forgot user=%s questions=%d votes=%d votes_on_theirs=%d unanswered=%d turns=%d feeds=%d",
        query.from_user.id, forgotten.questions, forgotten.votes, forgotten.votes_on_theirs,
        forgotten.unanswered, forgotten.turns, forgotten.feeds,
    )
    await edit(message, forgotten_text(forgotten, lang))
    await query.answer()


def drop_cached_answers(cache: Bounded[str, tuple[float, StoredAnswer]], answer_ids: frozenset[int]) -> None:
    """Forget this worker's inline answers among `answer_ids` (other workers' copies expire
    within the cache's 10 minutes, and their deep links already open nothing)."""
    for key, (_when, stored) in list(cache.items()):
        if stored.id in answer_ids:
            del cache[key]


def forgotten_text(forgotten: Forgotten, lang: str) -> str:
    feeds = t("forget_feeds", lang, feeds=forgotten.feeds) if forgotten.feeds else ""
    return t(
        "forget_done", lang, questions=forgotten.questions, citations=forgotten.citations, shared=forgotten.shared,
        votes=forgotten.votes, votes_on_theirs=forgotten.votes_on_theirs, unanswered=forgotten.unanswered,
        turns=forgotten.turns, rate_windows=forgotten.rate_windows, feeds=feeds,
    )


async def on_mydata(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the sender what is stored about them as a JSON file; in a group, a link to the
    private chat instead (their data is not for the group to see)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    lang = language_of(user)
    if chat.type != ChatType.PRIVATE:
        button = InlineKeyboardButton(t("mydata_open", lang), url=link(context.bot.username, MYDATA_PAYLOAD))
        await message.reply_text(t("mydata_private", lang), reply_markup=InlineKeyboardMarkup([[button]]))
        return
    await send_my_data(message, state_of(context), user, lang)


async def send_my_data(message: Message, st: BotState, user: User, lang: str) -> None:
    """Reply with `qabot-data-<user id>.json`, what qabot/stores/reader_data.py exports, and its counts."""
    data = await st.db.readers.user_data(user.id)
    body = await asyncio.to_thread(lambda: json.dumps(data, ensure_ascii=False, indent=2).encode())
    counts = {key: len(value) for key, value in data.items() if isinstance(value, list)}
    logger.info("data sent user=%s bytes=%d", user.id, len(body))
    await message.reply_document(
        InputFile(body, filename=f"qabot-data-{user.id}.json"),
        caption=t("mydata_caption", lang, questions=counts["questions"], votes=counts["votes"],
                  turns=counts["conversation_turns"]),
    )


# --- retention ---------------------------------------------------------------------------------


async def purge_expired(st: BotState, now: datetime | None = None) -> Purged:
    """Delete what is older than DATA_RETENTION_DAYS."""
    before = (now or datetime.now(UTC)) - timedelta(days=st.settings.data_retention_days)
    purged = await st.db.readers.purge_before(before)
    logger.info(
        "retention purge before=%s answers=%d citations=%d votes=%d unanswered=%d turns=%d rate_windows=%d",
        before.isoformat(timespec="seconds"), purged.answers, purged.citations, purged.votes,
        purged.unanswered, purged.turns, purged.rate_windows,
    )
    return purged


async def retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's callback: one worker purges, once a day."""
    st = state_of(context)

    async def job() -> None:
        await purge_expired(st)

    await run_once(st.db, RETENTION_JOB, RETENTION_PERIOD_S, job)


def schedule_retention(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Look hourly whether today's purge is due (post_init); nothing when DATA_RETENTION_DAYS is 0."""
    state: BotState = application.bot_data["state"]
    queue = application.job_queue
    if state.settings.data_retention_days <= 0 or queue is None or queue.get_jobs_by_name(RETENTION_JOB):
        return
    queue.run_repeating(retention_job, interval=RETENTION_CHECK_EVERY_S, first=RETENTION_FIRST_S, name=RETENTION_JOB)
