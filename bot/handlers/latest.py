"""/latest [topic]: the newest articles (on a topic), with their dates, sources and links."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.render import escape, html_link
from bot.state import state_of
from bot.texts import language_of, t
from qabot.frontdoor import QabotError, origin_label

logger = logging.getLogger(__name__)

LATEST_COUNT = 5


async def on_latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the newest articles, each a link to the original when it has one."""
    message = update.effective_message
    if message is None:
        return
    lang = language_of(update.effective_user)
    topic = " ".join(context.args or []).strip() or None
    try:
        headlines = await state_of(context).services.latest(LATEST_COUNT, topic)
    except QabotError as exc:
        logger.warning("latest without an index: %s", exc)
        await message.reply_text(t("no_index", lang))
        return
    if not headlines:
        await message.reply_text(t("latest_none", lang))
        return
    lines = [t("latest_topic", lang, topic=escape(topic)) if topic else t("latest", lang)]
    for h in headlines:
        title = html_link(h.url, h.title) if h.url else escape(h.title)
        origin = origin_label(h.source, h.date)
        lines.append(f"• {title}" + (f" — {escape(origin)}" if origin else ""))
    await message.reply_text("\n".join(lines))
