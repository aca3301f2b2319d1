"""Inline mode: `@bot question?` in any chat offers the answer as a result to send.

Telegram sends an inline query on every keystroke. Only a complete question is answered: one
that ends with "?" (a rule the person sees and controls, where waiting for a pause would answer
half-typed questions and delay every answer by the pause). An incomplete query gets no result,
only the hint above the (empty) list that a "?" ends a question, so typing costs no retrieval.
Answers are cached per question for a few minutes (and Telegram caches the result too); the
result carries the short answer with its citations as text, and a button opening the passages
in a private chat through a deep link.
"""

from __future__ import annotations

import logging
import re
import time

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.ext import ContextTypes

from bot.render import inline_answer_text, truncate
from bot.share import link
from bot.state import state_of
from bot.texts import language_of, t
from qabot.frontdoor import has_words, small_talk
from qabot.records import StoredAnswer

logger = logging.getLogger(__name__)

INLINE_CHAT = 0  # the chat id answers given inline are stored under (no real chat has it)
COMPLETE = re.compile(r"[?？]\s*$")
CACHE_S = 600.0
TELEGRAM_CACHE_S = 300
HINT_PAYLOAD = "help"  # the hint's button opens a private chat with /start help: how to ask


def normalised(question: str) -> str:
    return " ".join(question.casefold().split())


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a complete inline question with one result (the answer or the refusal)."""
    query = update.inline_query
    if query is None:
        return
    st = state_of(context)
    question = query.query.strip()
    lang = language_of(query.from_user)
    limit = st.settings.max_question_chars
    hint = None
    if len(question) > limit:
        hint = t("inline_too_long", lang, limit=limit)
    elif not has_words(question):
        hint = t("inline_no_words", lang)
    elif small_talk(question) is not None:  # "Bonjour ?" asks nothing either: neither asked nor stored
        hint = t("inline_small_talk", lang)
    elif not COMPLETE.search(question):
        hint = t("inline_finish", lang)
    if hint is not None:
        st.metrics.inline_query("incomplete")
        await query.answer([], cache_time=TELEGRAM_CACHE_S,
                           button=InlineQueryResultsButton(hint, start_parameter=HINT_PAYLOAD))
        return
    key = normalised(question)
    cached = st.inline_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < CACHE_S:
        stored = cached[1]
        st.metrics.inline_query("cached")
    else:
        if await st.db.conversations.rate_check(query.from_user.id, st.settings.rate_limit_questions, st.settings.rate_limit_window_s):
            st.metrics.inline_query("rate_limited")
            st.metrics.rate_limited("inline")
            return  # over the person's question budget: no answer, as for a half-typed question
        async with st.turns.turn():
            answer = await st.services.ask(question)
        stored = await st.db.answers.save_answer(INLINE_CHAT, query.from_user.id, answer)
        st.inline_cache.put(key, (time.monotonic(), stored))
        st.metrics.inline_query("answered")
    logger.info("inline answer user=%s answer=%s answered=%s", query.from_user.id, stored.id, stored.answered)
    await query.answer([inline_result(stored, lang, context.bot.username, st.share.payload(stored.id))],
                       cache_time=TELEGRAM_CACHE_S)


def inline_result(stored: StoredAnswer, lang: str, username: str, payload: str) -> InlineQueryResultArticle:
    markup = None
    if stored.citations:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t("inline_open", lang), url=link(username, payload))]])
    return InlineQueryResultArticle(
        id=str(stored.id),
        title=truncate(stored.question, 60),
        description=truncate(f"{stored.lead} — {stored.text}" if stored.lead else stored.text, 120),
        input_message_content=InputTextMessageContent(inline_answer_text(stored, lang)),
        reply_markup=markup,
    )
