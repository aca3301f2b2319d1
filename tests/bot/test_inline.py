"""Inline mode end to end on the loopback Bot API: only complete questions are answered, from a
cache the second time; the refusal when the articles hold no answer; a deep link (≤ 64
characters, signed, expiring) opens the answer with its passages in a private chat. And the
command menu in French and English, admins' commands in their own scope."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from bot.share import ShareLinks
from tests.bot.conftest import ADMIN, Harness
from tests.fakes.telegram_server import BOT_USERNAME, TOKEN

QUESTION = "Quel budget le conseil municipal de Grenoble a-t-il voté ?"


async def inline_answer(h: Harness, query: str, user_id: int = 31) -> dict[str, Any]:
    query_id = h.tg.inline_query(query, user_id=user_id)
    return await h.tg.wait_for(lambda: h.tg.inline_answers.get(query_id))


async def test_inline_answers_complete_questions_with_a_deep_link_to_the_passages(harness: Harness) -> None:
    tg = harness.tg
    typed = [tg.inline_query(QUESTION[:n], user_id=31) for n in (5, 20, len(QUESTION) - 2)]  # keystrokes
    answered = await inline_answer(harness, QUESTION)
    hints = [await tg.wait_for(partial(tg.inline_answers.get, q)) for q in typed]
    assert all(h["results"] == [] for h in hints), "half-typed questions are not answered"
    assert len(harness.services.answers.calls) == 1

    [result] = answered["results"]
    text = result["input_message_content"]["message_text"]
    assert "Grenoble" in text and "[1]" in text
    assert "\n[1] Les &lt;b&gt;balises&lt;/b&gt; &amp; les" in text and "(mars 2021)" in text  # sources as on buttons
    button = result["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "📚 Voir les passages"
    link = re.fullmatch(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)", button["url"])
    assert link, button["url"]
    payload = link.group(1)
    assert len(payload) <= 64

    again = await inline_answer(harness, "  quel budget le conseil municipal de grenoble a-t-il voté ?  ", user_id=32)
    assert again["results"][0]["input_message_content"]["message_text"] == text
    assert len(harness.services.answers.calls) == 1, "the second asking came from the cache"

    # The button opens a private chat with /start <payload>: the answer, with its passage buttons.
    tg.message(f"/start {payload}", chat_id=31)
    opened = await tg.wait_for(lambda: next((m for m in tg.sent(31) if any(b["text"] == "👍" for b in m.buttons())), None))
    assert "Grenoble" in opened.visible
    passage = opened.button("[1]")
    query_id = tg.press(opened, passage["callback_data"])
    await tg.wait_for(lambda: query_id in tg.callback_answers)
    assert "<blockquote>" in tg.messages[(31, opened.message_id)].text


async def test_a_query_without_its_question_mark_is_told_to_end_with_one(harness: Harness) -> None:
    """No result while the question is incomplete, but the hint above the list says what is
    missing (in the person's language) and opens the bot's help in a private chat."""
    french = await inline_answer(harness, "Quel budget pour Grenoble")
    english = harness.tg.inline_query("What budget for Grenoble", user_id=33, language_code="en")
    english_answer = await harness.tg.wait_for(lambda: harness.tg.inline_answers.get(english))
    long = await inline_answer(harness, "Pourquoi " + "très " * 200 + "?")
    wordless = await inline_answer(harness, "\u200b😀 ?")
    greeting = await inline_answer(harness, "Bonjour, ça va ?")
    assert french["results"] == [] and english_answer["results"] == [] and long["results"] == []
    assert wordless["results"] == [] and wordless["button"]["text"] == "✍️ Écrivez votre question en toutes lettres"
    assert greeting["results"] == [] and greeting["button"]["text"] == "✍️ Posez une question sur les articles"
    assert french["button"] == {"text": "✍️ Terminez votre question par « ? »", "start_parameter": "help"}
    assert english_answer["button"]["text"] == "✍️ End your question with “?”"
    assert long["button"]["text"].startswith("✂️ Question trop longue (au plus ")
    assert harness.services.answers.calls == []


async def test_an_inline_description_is_plain_words_lead_first(harness: Harness) -> None:
    from answering.protocol import Answer

    harness.services.answers.override = lambda q: Answer(
        question=q, text="Le conseil a voté 130 000 euros. [1]", citations=[], answered=True, language="fr",
        answerer="extractive", short_answer="130 000 euros", framing="D'après les articles :")
    [result] = (await inline_answer(harness, "Quel budget ?"))["results"]
    assert result["description"] == "130 000 euros — Le conseil a voté 130 000 euros. [1]"
    assert result["input_message_content"]["message_text"].startswith(
        "<b>130 000 euros</b>\nD'après les articles : Le conseil a voté 130 000 euros. <b>[1]</b>")


async def test_inline_refusal_and_forged_or_expired_links(harness: Harness) -> None:
    tg = harness.tg
    refused = await inline_answer(harness, "Quelle est la capitale de la Mongolie ?")
    [result] = refused["results"]
    assert "Je ne trouve pas la réponse" in result["input_message_content"]["message_text"]
    assert "reply_markup" not in result or not result["reply_markup"]

    links = ShareLinks(TOKEN)
    expired = links.payload(1, now=0.0)  # made long ago
    forged = links.payload(1).replace("a1_", "a2_")
    for n, payload in enumerate((expired, forged, "a1_1_AAAAAAAAAAAAAAAA")):
        tg.message(f"/start {payload}", chat_id=40 + n)
        reply = await tg.reply(40 + n, 0)
        assert reply.visible.startswith("Ce lien de réponse a expiré ou n'est pas valide.")


async def test_the_command_menu_in_french_and_english_with_admin_commands_in_their_scope(harness: Harness) -> None:
    menus = {(c["language_code"], (c["scope"] or {}).get("chat_id")): [x["command"] for x in c["commands"]]
             for c in harness.tg.commands}
    assert menus[(None, None)] == menus[("en", None)] == ["help", "ask", "new", "mydata", "forget"]
    assert menus[(None, ADMIN)] == menus[("en", ADMIN)] == [
        "help", "ask", "new", "mydata", "forget", "reindex", "status", "unanswered", "web"]
    french = next(c for c in harness.tg.commands if c["language_code"] is None and not c["scope"])
    assert french["commands"][0]["description"] == "Ce que je sais et comment me questionner"
