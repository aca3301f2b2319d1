"""👍 / 👎 under an answer: the vote is stored with the question, the answer and its citations."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.state import state_of
from bot.texts import language_of, t
from qabot.records import StoredAnswer

logger = logging.getLogger(__name__)


async def record_vote(update: Update, context: ContextTypes.DEFAULT_TYPE, stored: StoredAnswer, vote: int) -> None:
    """Store (or change) the presser's vote and thank them."""
    query = update.callback_query
    if query is None:
        return
    await state_of(context).db.answers.vote(stored, query.from_user.id, vote)
    logger.info("feedback answer=%s user=%s vote=%+d", stored.id, query.from_user.id, vote)
    await query.answer(t("vote_thanks", language_of(query.from_user)))
