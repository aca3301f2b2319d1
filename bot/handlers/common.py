"""Small helpers the handlers share: tolerant edits, the typing indicator, what is a question."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from telegram import Bot, InlineKeyboardMarkup, Message, User
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.state import Bounded, state_of
from qabot.stores import DeskStore

logger = logging.getLogger(__name__)


async def edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit a message's HTML text; an edit that changes nothing is not an error."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int, every_s: float, sent: Bounded[int, float] | None = None) -> AsyncIterator[None]:
    """Show "typing…" in the chat, refreshed every `every_s` seconds, while the block runs.
    `sent` (chat -> when typing was last shown) coalesces the questions answered at once in one
    chat: the action is sent once per refresh for the chat, not once per question."""

    async def show() -> None:
        now = time.monotonic()
        if sent is not None:
            if now - sent.get(chat_id, float("-inf")) < every_s * 0.9:
                return
            sent.put(chat_id, now)
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as exc:  # cosmetic: never let it stop the answer
            logger.debug("typing action failed chat=%s: %s", chat_id, exc)

    async def refresh() -> None:
        while True:
            await asyncio.sleep(every_s)
            await show()

    await show()
    task = asyncio.create_task(refresh())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def audit(context: ContextTypes.DEFAULT_TYPE, user: User | None, action: str, detail: str) -> None:
    """An admin's action through the bot, in the audit log the editors' desk shows."""
    await DeskStore(lambda: state_of(context).db).audit(user.id if user else None, "telegram", action, detail)
