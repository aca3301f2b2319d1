"""Admin commands: /reindex [full], article uploads, /status, /unanswered; refusal for others.

Handlers here are registered behind `filters.User(user_id=TELEGRAM_ADMIN_IDS)`; `refuse` is the
one reply everyone else gets. A re-index runs as a background task (questions keep being
answered from the previous index) and edits one progress message as it goes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import alerts, uploads
from bot.handlers import feeds
from bot.handlers.common import audit, edit
from bot.render import bullet_list, escape, shown_safely, truncate
from bot.state import BotState, state_of
from bot.texts import language_of, number, reason, reindex_summary, t
from qabot.frontdoor import (
    ArticleInfo,
    ArticleRejected,
    QabotError,
    ReindexInProgress,
    moment_words,
    period_words,
    safe_name,
)
from qabot.stores import Held

logger = logging.getLogger(__name__)

ADMIN_COMMANDS = ("reindex", "status", "unanswered", "feeds", "web")
UPLOAD_CALLBACK = "u:"  # u:<token>:r (replace) | u:<token>:k (keep both)
UPLOAD_SUFFIXES = ("txt", "md")
UNANSWERED_SHOWN = 10
REINDEX_LOCK = "qabot.reindex"


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one reply non-admins get for admin commands and uploads; nothing else happens."""
    user = update.effective_user
    logger.info("admin action refused user=%s", user.id if user else None)
    message = update.effective_message
    if message:
        key = "admin_only_upload" if message.document else "admin_only"
        await message.reply_text(t(key, language_of(user)))


async def on_reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/reindex` (incremental) or `/reindex full`."""
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    full = bool(args) and args[0].lower() in ("full", "complet", "complete")
    lang = language_of(update.effective_user)
    await audit(context, update.effective_user, "reindex", "full" if full else "incremental")
    if not await start_reindex(context, message, lang, full=full):
        await message.reply_text(t("reindex_busy", lang))


async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Articles, chunks, dates, models, last re-index and today's counts."""
    st = state_of(context)
    message = update.effective_message
    if message is None:
        return
    lang = language_of(update.effective_user)
    articles = chunks = period = "—"
    try:
        stats = await st.services.stats()
        articles, chunks, embedding = str(stats.articles), str(stats.chunks), stats.embedding
        period = period_words(stats.date_min, stats.date_max, lang) if stats.date_min else "—"
    except QabotError as exc:
        embedding = str(exc)
    today = await st.services.outcomes_today()
    last = await st.services.last_reindex() or t("never", lang)
    urls = await feeds.feed_urls(st)
    lines = "\n\n" + await feeds.feed_lines(st, urls, lang) if urls else ""
    await message.reply_text(
        t(
            "status", lang,
            articles=articles, chunks=chunks, period=escape(str(period)), embedding=escape(str(embedding)),
            answerer=escape(st.services.answerer), last=escape(last),
            answered=today.get("answered", 0), declined=today.get("declined", 0),
        ) + lines
    )


async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The most recent declined questions."""
    message = update.effective_message
    if message is None:
        return
    lang = language_of(update.effective_user)
    rows = await state_of(context).services.unanswered(UNANSWERED_SHOWN)
    if not rows:
        await message.reply_text(t("unanswered_none", lang))
        return
    items = [f"{when[:16].replace('T', ' ')} — {truncate(shown_safely(question), 200)}" for when, question in rows]
    await message.reply_text(t("unanswered_head", lang) + "\n" + bullet_list(items))


async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A .txt or .md document from an admin: checked, saved in ARTICLES_DIR, then indexed."""
    st = state_of(context)
    message = update.effective_message
    if message is None or message.document is None:
        return
    lang = language_of(update.effective_user)
    document = message.document
    name = safe_filename(document.file_name)
    if name is None:
        await message.reply_text(t("upload_bad_type", lang))
        return
    limit = st.settings.max_upload_bytes
    if document.file_size and document.file_size > limit:
        await message.reply_text(t("upload_too_large", lang, size=number(document.file_size, lang), limit=number(limit, lang)))
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    if len(data) > limit:
        await message.reply_text(t("upload_too_large", lang, size=number(len(data), lang), limit=number(limit, lang)))
        return
    try:
        article = await st.services.read_article(name, data)
    except ArticleRejected as exc:
        await message.reply_text(t("upload_unreadable", lang, reason=escape(reason(str(exc), lang))))
        return
    root = Path(st.settings.articles_dir)
    written = await asyncio.to_thread(write_article, root, name, data, replace=False)
    if written is None:
        # An article of that name exists: never replace it without the admin's yes.
        user_id = update.effective_user.id if update.effective_user else 0
        token = await asyncio.to_thread(uploads.hold, root, name, data, user_id)
        await message.reply_text(t("upload_exists", lang, name=escape(name)), reply_markup=upload_choice_keyboard(token, lang))
        return
    await _saved_then_reindex(context, message, lang, written, article, replaced=False)


async def on_group_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's document sent in a group: not saved; say where articles are added."""
    if update.effective_message:
        await update.effective_message.reply_text(
            t("upload_in_group", language_of(update.effective_user), username=escape(context.bot.username))
        )


async def on_upload_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The admin's answer to "an article of that name exists": replace it, or keep both."""
    query = update.callback_query
    if query is None:
        return
    st = state_of(context)
    lang = language_of(query.from_user)
    token, _, choice = (query.data or "").removeprefix(UPLOAD_CALLBACK).partition(":")
    message = query.message if isinstance(query.message, Message) else None
    root = Path(st.settings.articles_dir)
    held = None
    if message is not None and choice in ("r", "k"):
        held = await asyncio.to_thread(uploads.claim, root, token, query.from_user.id)
    if message is None or held is None:
        await query.answer(t("expired", lang))
        return
    await query.answer()
    name, claimed = held
    data = await asyncio.to_thread(claimed.read_bytes)
    written = await asyncio.to_thread(uploads.replace if choice == "r" else uploads.keep_both, root, claimed, name)
    # The buttons go away; the question becomes what was done.
    done = t("upload_chose_replace", lang, name=escape(name)) if choice == "r" else t(
        "upload_chose_both", lang, name=escape(name), written=escape(written))
    await edit(message, done)
    article = await st.services.read_article(written, data)
    await _saved_then_reindex(context, message, lang, written, article, replaced=choice == "r")


async def _saved_then_reindex(
    context: ContextTypes.DEFAULT_TYPE, message: Message, lang: str, name: str, article: ArticleInfo, *, replaced: bool
) -> None:
    logger.info("article uploaded name=%s replaced=%s", name, replaced)
    await audit(context, message.from_user, "upload", f"{name} ({'replace' if replaced else 'new'})")
    saved = t(
        "upload_saved", lang, name=escape(name), title=escape(truncate(article.title, 120)),
        date=f" ({escape(article.date)})" if article.date else "", chars=article.chars,
    ) + (t("upload_replaced", lang) if replaced else "")
    for warning in article.warnings:  # said before the re-index starts: the admin can fix it now
        saved += "\n" + t("upload_header_ignored", lang, reason=escape(reason(warning, lang)))
    if not await start_reindex(context, message, lang, full=False, prefix=saved):
        await message.reply_text(saved + "\n" + t("upload_busy", lang))


def upload_choice_keyboard(token: str, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("upload_replace", lang), callback_data=f"{UPLOAD_CALLBACK}{token}:r"),
        InlineKeyboardButton(t("upload_keep_both", lang), callback_data=f"{UPLOAD_CALLBACK}{token}:k"),
    ]])


def safe_filename(raw: str | None) -> str | None:
    """A plain `name.txt`/`name.md` from an uploaded file's name, or None for other types."""
    return safe_name(raw)


def write_article(articles_dir: Path, name: str, data: bytes, *, replace: bool) -> str | None:
    """Write atomically into `articles_dir` (never outside it), 0644 like the other articles;
    `name`, or None when `replace` is False and an article of that name exists."""
    return uploads.write_new(articles_dir, name, data, replace=replace)


async def start_reindex(
    context: ContextTypes.DEFAULT_TYPE, message: Message, lang: str, *, full: bool, prefix: str = ""
) -> bool:
    """Start a re-index in the background with a progress message; False if one is running."""
    st = state_of(context)
    # Across workers: the one holding the store's lock re-indexes, the others say it is busy.
    held = await st.db.coordination.try_exclusive(REINDEX_LOCK)
    if held is None:
        return False
    try:
        head = (prefix + "\n") if prefix else ""
        full_label = t("reindex_full", lang) if full else ""
        progress = await message.reply_text(head + t("reindex_started", lang, full=full_label))
    except BaseException:
        await held.release()
        raise
    task = context.application.create_task(
        _run_reindex(st, held, progress, lang, full, head, full_label), name="reindex"
    )
    st.background.add(task)
    task.add_done_callback(st.background.discard)
    return True


async def _run_reindex(
    st: BotState, held: Held, progress: Message, lang: str, full: bool, head: str, full_label: str
) -> None:
    latest = [""]

    def report_progress(done: int, total: int, what: str) -> None:  # called from the worker thread
        latest[0] = f"{what}: {done}/{total} chunks" if total else what

    shown = ""
    bot = progress.get_bot()
    try:
        if not await alerts.disk_ok(st, bot):
            await _try_edit(progress, head + t("reindex_disk_full", lang))
            return
        job = asyncio.ensure_future(st.services.reindex(full=full, progress=report_progress))
        while not job.done():
            await asyncio.wait({job}, timeout=st.tuning.reindex_progress_every_s)
            if not job.done() and latest[0] and latest[0] != shown:
                shown = latest[0]
                await _try_edit(progress, head + t("reindex_progress", lang, full=full_label, progress=escape(shown)))
        report = job.result()
    except ReindexInProgress:
        await _try_edit(progress, head + t("reindex_busy", lang))
    except QabotError as exc:
        logger.warning("re-index failed: %s", exc)
        await _try_edit(progress, head + t("reindex_failed", lang, reason=escape(str(exc))))
        await alerts.reindex_failed(st, bot, str(exc))
    except Exception as exc:
        logger.exception("re-index crashed")
        await _try_edit(progress, head + t("reindex_failed", lang, reason=t("apology", lang)))
        await alerts.reindex_failed(st, bot, type(exc).__name__)
    else:
        summary = reindex_summary(report, lang)
        logger.info("re-index done full=%s %s", full, report.summary())
        stamp = moment_words(datetime.now(UTC), lang)
        await st.db.coordination.set_last_reindex(f"{stamp} — {summary}")
        await _try_edit(progress, head + t("reindex_done", lang, summary=escape(summary)))
        await alerts.reindex_succeeded(st, bot)
    finally:
        await held.release()


async def _try_edit(message: Message, text: str) -> None:
    try:
        await edit(message, text)
    except TelegramError as exc:
        logger.warning("could not update the re-index message chat=%s: %s", message.chat_id, exc)
