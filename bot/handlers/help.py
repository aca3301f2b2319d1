"""/start and /help (what the bot knows, how to ask), /new (forget the conversation)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.render import escape
from bot.state import state_of
from bot.texts import language_of, t
from qabot.frontdoor import IndexNotReady, QabotError

logger = logging.getLogger(__name__)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How many articles, from when to when, and how to ask — in the user's language."""
    message = update.effective_message
    if message is None:
        return
    lang = language_of(update.effective_user)
    try:
        stats = await state_of(context).services.stats()
    except IndexNotReady as exc:
        logger.warning("help without an index: %s", exc)
        await message.reply_text(t("no_index", lang))
        return
    except QabotError as exc:  # damaged, built by another model, storage failing: not "no article"
        logger.warning("help with an index that cannot serve: %s", exc)
        await message.reply_text(t("index_unavailable", lang))
        return
    period = (
        t("period", lang, date_min=escape(stats.date_min), date_max=escape(stats.date_max or stats.date_min))
        if stats.date_min
        else ""
    )
    await message.reply_text(
        t("start", lang, articles=stats.articles, period=period, username=escape(context.bot.username))
    )


async def on_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget this chat's recent turns."""
    if update.effective_chat and update.effective_message:
        await state_of(context).db.clear_history(update.effective_chat.id)
        await update.effective_message.reply_text(t("new", language_of(update.effective_user)))
