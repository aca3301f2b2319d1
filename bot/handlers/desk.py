"""`/web`: an admin's one-time sign-in link to the editors' desk (web/desk)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.render import escape
from bot.state import state_of
from bot.texts import language_of, t

logger = logging.getLogger(__name__)


async def on_web(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A link that signs the admin in once, within 10 minutes; only in a private chat."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = language_of(user)
    st = state_of(context)
    if st.settings.web_port is None:
        await message.reply_text(t("web_off", lang))
        return
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(t("web_private", lang))
        return
    link = await st.services.desk_link(user.id, "telegram")
    logger.info("desk link sent admin=%s", user.id)
    await message.reply_text(t("web_link", lang, link=escape(link)))
