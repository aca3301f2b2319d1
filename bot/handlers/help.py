"""/start and /help (what the bot knows, how to ask, what it keeps), /new (forget the conversation)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers import privacy
from bot.handlers.ask import send_answer
from bot.handlers.inline import INLINE_CHAT
from bot.render import escape
from bot.state import state_of
from bot.texts import language_of, t
from qabot.frontdoor import IndexNotReady, QabotError, period_words

logger = logging.getLogger(__name__)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How many articles, from when to when, and how to ask — in the user's language; `/start`
    with a shared answer's payload (a deep link from inline mode) opens that answer instead."""
    message = update.effective_message
    if message is None:
        return
    lang = language_of(update.effective_user)
    st = state_of(context)
    if context.args and context.args[0] == privacy.MYDATA_PAYLOAD:  # the deep link /mydata offers in groups
        await privacy.on_mydata(update, context)
        return
    if context.args and st.share.is_answer_payload(context.args[0]):
        await open_shared_answer(update, context, context.args[0], lang)
        return
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
    period = t("period", lang, period=escape(period_words(stats.date_min, stats.date_max, lang))) if stats.date_min else ""
    await message.reply_text(t(
        "start", lang, articles=stats.articles, period=period, username=escape(context.bot.username),
        privacy=privacy_sentence(st.settings.data_retention_days, lang),
    ))


def privacy_sentence(retention_days: int, lang: str) -> str:
    """What is stored about the reader, and for how long, in one sentence."""
    return t("privacy_days", lang, days=retention_days) if retention_days else t("privacy_kept", lang)


async def open_shared_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str, lang: str) -> None:
    """The answer a deep link names, copied into this chat so its buttons work here."""
    st = state_of(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    answer_id = st.share.answer_id(payload)
    stored = None
    if answer_id is not None:
        stored = await st.db.answers.copy_answer(answer_id, INLINE_CHAT, chat.id)
    if stored is None:
        await message.reply_text(t("share_expired", lang))
        return
    logger.info("shared answer opened chat=%s answer=%s copy=%s", chat.id, answer_id, stored.id)
    await send_answer(message, stored, lang, None)


async def on_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget the sender's recent turns in this chat (in a group, the other members' stay)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat and message:
        await state_of(context).db.conversations.clear_history(chat.id, user.id if user else chat.id)
        await message.reply_text(t("new", language_of(user)))
