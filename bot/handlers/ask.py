"""Questions: private texts, group mentions and replies, `/ask`; streamed, cited answers.

A question goes: limits checked → `FrontDoor.ask` (typing shown; the answer's sentences that
passed the citation check streamed into one message at most about once a second) → stored
with its citations → rendered with a button per citation and 👍/👎.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time

from telegram import Message, Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.handlers.common import edit, typing
from bot.render import answer_keyboard, answer_messages, streaming_preview
from bot.state import GroupPace, state_of
from bot.texts import language_of, t
from qabot.frontdoor import Turn, has_words, small_talk
from qabot.records import StoredAnswer

logger = logging.getLogger(__name__)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a private chat every text message is a question."""
    message = update.effective_message
    if message and message.text:
        await answer_question(update, context, message.text)


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only when mentioned or when someone replies to the bot."""
    message = update.effective_message
    if message is None or not message.text:
        return
    question = addressed_question(message, context.bot.username, context.bot.id)
    if question is not None:
        await answer_question(update, context, question)


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/ask question`, in any chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    parts = message.text.split(maxsplit=1)
    if len(parts) < 2:
        await message.reply_text(t("ask_usage", language_of(update.effective_user)))
        return
    await answer_question(update, context, parts[1])


async def on_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice… in a private chat: say that only text is read."""
    if update.effective_message:
        await update.effective_message.reply_text(t("not_text", language_of(update.effective_user)))


def addressed_question(message: Message, username: str, bot_id: int) -> str | None:
    """The question if the message is for the bot (mention removed), else None."""
    text = message.text or ""
    mention = re.compile(rf"(?<![\w@])@{re.escape(username)}\b", re.IGNORECASE)
    if mention.search(text):
        return " ".join(mention.sub(" ", text).split())
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot_id:
        return text
    return None


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Check the limits, ask the answer service, store the answer and send it."""
    st = state_of(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    lang = language_of(user)
    question = question.strip()
    if not question:
        await message.reply_text(t("ask_usage", lang))
        return
    if not has_words(question):
        # Zero-width spaces, emoji, punctuation alone: nothing to look up, nothing to store.
        await message.reply_text(t("no_words", lang))
        return
    if (talk := small_talk(question)) is not None:
        # "Bonjour", "merci !": a word back; nothing to look up, nothing to store.
        await message.reply_text(t(f"small_talk_{talk}", lang))
        return
    if len(question) > st.settings.max_question_chars:
        await message.reply_text(t("too_long", lang, length=len(question), limit=st.settings.max_question_chars))
        return
    asker = user.id if user else chat.id  # a channel post has no user: the channel asks
    wait = await st.db.conversations.rate_check(asker, st.settings.rate_limit_questions, st.settings.rate_limit_window_s)
    if wait:
        st.metrics.rate_limited("message")
        await message.reply_text(t("rate_limited", lang, seconds=max(1, round(wait))))
        return
    logger.debug("question chat=%s text=%r", chat.id, question)  # a reader's words: DEBUG only
    # A corrected (edited) question is answered as a reply to it, even in a private chat, so
    # the person sees which version was answered.
    quote = True if update.edited_message is not None else None
    stream = Stream(message, st.tuning.edit_every_s, st.group_pace, quote)
    async with typing(context.bot, chat.id, st.tuning.typing_every_s, st.typing_sent):
        history = await st.db.conversations.history(chat.id, asker, st.settings.history_turns)
        async with st.turns.turn():  # "typing…" shows meanwhile
            answer = await st.services.ask(question, history=history, on_partial=stream.partial)
    stored = await st.db.answers.save_answer(chat.id, user.id if user else None, answer)
    if answer.answered:
        await st.db.conversations.add_turn(chat.id, asker, Turn(question, answer.composed()), st.settings.history_turns)
    logger.info(
        "answer chat=%s answer=%s answered=%s citations=%d",
        chat.id, stored.id, answer.answered, len(answer.citations),
        extra={"answer": stored.id, "outcome": "answered" if answer.answered else "declined",
               "fallback": answer.fallback, "timings_ms": answer.timings_ms},
    )
    await stream.settle()
    await send_answer(message, stored, lang, stream.message, quote)


async def send_answer(
    question: Message, stored: StoredAnswer, lang: str, draft: Message | None, quote: bool | None = None
) -> None:
    """Send the answer's messages (editing the streamed draft into the first), buttons on the last."""
    parts = answer_messages(stored, lang)
    keyboard = answer_keyboard(stored, lang)
    for i, part in enumerate(parts):
        markup = keyboard if i == len(parts) - 1 else None
        if i == 0 and draft is not None:
            await edit(draft, part, markup)
        else:
            await question.reply_text(part, reply_markup=markup, do_quote=quote)


class Stream:
    """Shows partial text by editing one message, at most once per `every_s` seconds, and in a
    group only within the group's budget (`pace`): a frame over it is skipped."""

    def __init__(
        self, question: Message, every_s: float, pace: GroupPace | None = None, quote: bool | None = None
    ) -> None:
        self.question = question
        self.quote = quote
        self.every_s = every_s
        self.pace = pace
        self.message: Message | None = None
        self._last_edit = float("-inf")
        self._shown = ""

    async def partial(self, text: str) -> None:
        if time.monotonic() - self._last_edit < self.every_s or not text.strip():
            return
        preview = streaming_preview(text)
        if preview == self._shown:
            return
        self._last_edit = time.monotonic()
        if self.pace is not None and not self.pace.allow(self.question.chat_id):
            return
        try:
            if self.message is None:
                self.message = await self.question.reply_text(preview, do_quote=self.quote)
            else:
                await edit(self.message, preview)
            self._shown = preview
        except RetryAfter as exc:  # skip frames rather than fall behind
            self._last_edit = time.monotonic() + _seconds(exc.retry_after)
        except TelegramError as exc:
            logger.debug("streaming edit skipped chat=%s: %s", self.question.chat_id, exc)

    async def settle(self) -> None:
        """Wait until the next edit is allowed, so the final one keeps the pace too."""
        if self.message is not None:
            remaining = self._last_edit + self.every_s - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)


def _seconds(value: float | dt.timedelta) -> float:
    """Telegram's retry_after: seconds, or a timedelta when PTB is told to give one."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


__all__ = ["answer_question", "on_ask", "on_group_text", "on_not_text", "on_private_text"]
