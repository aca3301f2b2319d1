"""Buttons under an answer: a cited passage, the whole article page by page, back to the answer,
a timeline's next or previous lines.

Callback data holds only an answer id and small numbers; the answer is read back from the store
*for the chat the button is in*, so stale, forged or foreign data opens nothing. Every callback
query is answered.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.handlers.common import edit
from bot.handlers.feedback import record_vote
from bot.render import (
    Callback,
    answer_keyboard,
    answer_messages,
    article_pages,
    page_holding,
    page_keyboard,
    page_message,
    parse_callback,
    passage_keyboard,
    passage_message,
)
from bot.state import state_of
from bot.texts import language_of, t
from qabot.frontdoor import QabotError, origin_label
from qabot.records import StoredAnswer

logger = logging.getLogger(__name__)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a button press to the answer it belongs to."""
    query = update.callback_query
    if query is None:
        return
    lang = language_of(query.from_user)
    callback = parse_callback(query.data)
    message = query.message if isinstance(query.message, Message) else None
    stored = None
    if callback is not None and message is not None:
        stored = await state_of(context).db.answers.answer(callback.answer_id, message.chat.id)
    if callback is None or message is None or stored is None or (
        callback.kind in ("s", "p") and stored.citation(callback.n) is None
    ) or (callback.kind == "t" and callback.page >= stored.pages):
        await query.answer(t("expired", lang))
        return
    if callback.kind == "v":
        await record_vote(update, context, stored, callback.vote)
        return
    await VIEWS[callback.kind](context, message, stored, callback, lang)
    await query.answer()  # after the edit, so the spinner stops when the view has changed


async def show_answer(context: ContextTypes.DEFAULT_TYPE, message: Message, stored: StoredAnswer,
                      callback: Callback, lang: str) -> None:
    """Back to the answer (its last part, which carries the buttons)."""
    await edit(message, answer_messages(stored, lang)[-1], answer_keyboard(stored, lang))


async def show_passage(context: ContextTypes.DEFAULT_TYPE, message: Message, stored: StoredAnswer,
                       callback: Callback, lang: str) -> None:
    """The cited passage as a quote, with its article's title and date."""
    citation = stored.citation(callback.n)
    if citation is None:  # checked by on_callback already
        return
    # Source and link come from the live index (answers stored before they existed have none).
    try:
        article = await state_of(context).services.article(citation.article_id)
    except QabotError as exc:  # no index right now: the stored quote still shows, without a page
        logger.warning("no article metadata for the passage article=%s reason=%s", citation.article_id, exc)
        await edit(message, passage_message(stored, citation, lang), passage_keyboard(stored, citation, lang, page=None))
        return
    if article is None:  # removed by a re-index since the answer was given: no button to a page
        text = passage_message(stored, citation, lang) + "\n<i>" + t("article_gone", lang) + "</i>"
        await edit(message, text, passage_keyboard(stored, citation, lang, page=None))
        return
    page = page_holding(article.text, citation.start)
    origin = origin_label(article.source, article.date)
    await edit(message, passage_message(stored, citation, lang, origin),
               passage_keyboard(stored, citation, lang, page, article.url))


async def show_page(context: ContextTypes.DEFAULT_TYPE, message: Message, stored: StoredAnswer,
                    callback: Callback, lang: str) -> None:
    """One page of the cited article, read from the live index."""
    citation = stored.citation(callback.n)
    if citation is None:  # checked by on_callback already
        return
    article = await state_of(context).services.article(citation.article_id)
    if article is None:  # removed by a re-index since the answer was given
        await edit(message, t("article_gone", lang), passage_keyboard(stored, citation, lang, page=None))
        return
    pages = article_pages(article.text)
    page = min(callback.page, len(pages) - 1)
    await edit(
        message,
        page_message(citation, pages[page], page, len(pages), lang),
        page_keyboard(stored, citation, page, len(pages), lang),
    )


async def show_timeline_page(context: ContextTypes.DEFAULT_TYPE, message: Message, stored: StoredAnswer,
                             callback: Callback, lang: str) -> None:
    """Another page of a timeline's lines, with their citations' buttons."""
    await edit(message, answer_messages(stored, lang, callback.page)[-1], answer_keyboard(stored, lang, callback.page))


VIEWS = {"a": show_answer, "s": show_passage, "p": show_page, "t": show_timeline_page}
