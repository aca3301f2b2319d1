"""Asking: private chats, groups, streaming, typing, declined questions, follow-ups, limits."""

from __future__ import annotations

import asyncio
from functools import partial

from answering.protocol import Answer
from tests.bot.conftest import Harness, StartBot
from tests.fakes.telegram_server import BOT_ID, BOT_USERNAME

GROUP = -1001


async def test_private_question_answered_with_citations_and_buttons(harness: Harness) -> None:
    answer = await harness.answer_to("Quel budget le conseil municipal de Grenoble a-t-il voté ?")
    assert "Grenoble" in answer.visible
    assert "[1]" in answer.visible and "<b>[1]</b>" in answer.text
    # article text is escaped, never interpreted
    assert "<script>" in answer.visible and "&lt;script&gt;" in answer.text
    labels = [b["text"] for b in answer.buttons()]
    assert labels[0].startswith("[1] Les <b>balises</b> & les") and labels[0].endswith("(mars 2021)")
    assert labels[-2:] == ["👍", "👎"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in answer.buttons())
    assert harness.tg.calls_of("sendChatAction", 7), "typing was shown"


async def test_declined_question_is_logged_as_unanswered(harness: Harness) -> None:
    answer = await harness.answer_to("Qui a gagné la Coupe du monde de rugby ?")
    assert "Je ne trouve pas" in answer.visible
    assert [b["text"] for b in answer.buttons()] == ["👍", "👎"]
    rows = await harness.store.answers.unanswered()
    assert [q for _, q in rows] == ["Qui a gagné la Coupe du monde de rugby ?"]
    assert (await harness.store.answers.today()) == {"declined": 1}


async def test_group_silent_unless_mentioned_replied_or_asked(harness: Harness) -> None:
    tg = harness.tg
    tg.message("Le conseil municipal de Grenoble a voté quoi ?", chat_id=GROUP, user_id=11, chat_type="supergroup")
    # a command the bot always answers, to know the message above has been handled
    await harness.answer_to("/ask budget conseil municipal Grenoble", chat_id=GROUP, user_id=11,
                            chat_type="supergroup")
    assert len(tg.sent(GROUP)) == 1
    assert [q for q, _ in harness.services.answers.calls] == ["budget conseil municipal Grenoble"]

    mention = await harness.answer_to(f"@{BOT_USERNAME} quel budget pour les pistes cyclables de Grenoble ?",
                                      chat_id=GROUP, user_id=12, chat_type="supergroup")
    assert "Grenoble" in mention.visible
    assert harness.services.answers.calls[-1][0] == "quel budget pour les pistes cyclables de Grenoble ?"

    bot_message = {"message_id": mention.message_id, "date": 0, "chat": tg.chat(GROUP, "supergroup"),
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "QA Bot", "username": BOT_USERNAME},
                   "text": mention.visible}
    await harness.answer_to("Et les travaux commenceront quand à Grenoble ?", chat_id=GROUP, user_id=12,
                            chat_type="supergroup", reply_to=bot_message)
    assert len(harness.services.answers.calls) == 3


async def test_streaming_edits_one_message_at_most_about_once_a_second(start_bot: StartBot) -> None:
    from bot.state import Tuning

    h = await start_bot(tuning=Tuning(typing_every_s=0.1, edit_every_s=0.3))
    h.services.answers.stream = [f"Le conseil municipal{' de Grenoble' * i}" for i in range(1, 16)]
    h.services.answers.stream_pause_s = 0.05
    answer = await h.answer_to("Quel budget le conseil municipal de Grenoble a-t-il voté ?")
    assert len(h.tg.sent(7)) == 1, "the streamed message became the answer"
    assert 1 <= answer.edits <= 4
    edits = [c.at for c in h.tg.calls_of("editMessageText", 7)]
    sends = [c.at for c in h.tg.calls_of("sendMessage", 7)]
    stamps = sends + edits
    assert all(b - a >= 0.25 for a, b in zip(stamps, stamps[1:], strict=False)), stamps
    assert len(h.tg.calls_of("sendChatAction", 7)) >= 2, "typing refreshed while working"


async def test_follow_ups_use_the_chat_history_and_new_clears_it(harness: Harness) -> None:
    await harness.answer_to("Quel budget le conseil municipal de Grenoble a-t-il voté ?")
    await harness.answer_to("Et les travaux commenceront quand à Grenoble ?")
    history = harness.services.answers.calls[-1][1]
    assert [turn.question for turn in history] == ["Quel budget le conseil municipal de Grenoble a-t-il voté ?"]
    before = len(harness.tg.sent(7))
    harness.ask("/new")
    assert "zéro" in (await harness.tg.reply(7, before)).visible
    await harness.answer_to("Les travaux à Grenoble ?")
    assert harness.services.answers.calls[-1][1] == ()
    # another chat has its own history
    await harness.answer_to("Les travaux à Grenoble ?", chat_id=8)
    assert harness.services.answers.calls[-1][1] == ()


async def test_long_answer_split_on_paragraphs_under_the_limit(harness: Harness) -> None:
    paragraph = "Une phrase sur <les> marchés & les halles de Lyon [1]. " * 30
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(8))  # ~14k characters

    def long_answer(question: str) -> Answer:
        return Answer(question=question, text=text, citations=[], answered=True, language="fr",
                      answerer="extractive")

    harness.services.answers.override = long_answer
    await harness.answer_to("Parlez-moi des marchés de Lyon")
    sent = harness.tg.sent(7)
    assert len(sent) >= 4
    assert all(len(m.visible) <= 4096 for m in sent)
    assert all(m.visible.startswith(tuple("01234567")) for m in sent), "each part starts a paragraph"
    assert "".join(m.visible for m in sent).count("<les>") == 8 * 30
    assert not sent[0].buttons() and sent[-1].buttons()


async def test_too_long_message_sticker_and_rate_limit(start_bot: StartBot) -> None:
    h = await start_bot(max_question_chars=50, rate_limit_questions=2, rate_limit_window_s=30)
    h.ask("x" * 51)
    assert "trop long" in (await h.tg.reply(7, 0)).visible
    h.tg.sticker(chat_id=7)
    assert "texte" in (await h.tg.reply(7, 1)).visible
    await h.answer_to("Le budget de Grenoble ?")
    await h.answer_to("Les travaux de Grenoble ?")
    h.ask("Et la maire de Grenoble ?")
    refusal = await h.tg.reply(7, 4)
    assert "Réessayez dans" in refusal.visible and " s." in refusal.visible
    assert len(h.services.answers.calls) == 2
    # another user is not limited
    await h.answer_to("Le budget de Grenoble ?", chat_id=8)


async def test_start_and_help_in_the_users_language(harness: Harness) -> None:
    harness.ask("/start")
    fr = await harness.tg.reply(7, 0)
    assert "3 articles de presse publiés de décembre 2016 à mars 2021," in fr.visible
    assert "Posez une question" in fr.visible
    harness.ask("/help", chat_id=9, language_code="en")
    en = await harness.tg.reply(9, 0)
    assert "I answer questions about 3 news articles published from December 2016 to March 2021," in en.visible


async def test_different_chats_concurrent_one_chat_in_order(harness: Harness) -> None:
    answers = harness.services.answers
    answers.delay_s = 0.4
    started = asyncio.get_running_loop().time()
    for chat in (21, 22, 23):
        harness.ask("Le budget de Grenoble ?", chat_id=chat)
    for chat in (21, 22, 23):
        await harness.tg.wait_for(partial(harness.tg.sent, chat))
    assert asyncio.get_running_loop().time() - started < 1.1, "chats were served concurrently"

    harness.ask("premier budget Grenoble", chat_id=30)
    harness.ask("second budget Grenoble", chat_id=30)
    await harness.tg.wait_for(lambda: len(harness.tg.sent(30)) == 2)
    assert [q for q, _ in answers.calls if "budget Grenoble" in q] == ["premier budget Grenoble",
                                                                       "second budget Grenoble"]


async def test_a_message_without_words_gets_a_hint_and_is_stored_nowhere(harness: Harness) -> None:
    """Zero-width spaces, emoji alone, punctuation: not a question, not an unanswered one."""
    for n, text in enumerate(["\u200b\u200b\u200c", "😀👍🏽", "🤔 ?", "…"]):
        harness.ask(text, chat_id=50 + n, language_code="en" if n == 1 else "fr")
        reply = await harness.tg.reply(50 + n, 0)
        expected = "I see no question in this message." if n == 1 else "Je ne vois pas de question dans ce message."
        assert reply.visible.startswith(expected), reply.visible
    harness.ask("/ask \u2060😀", chat_id=60)
    assert (await harness.tg.reply(60, 0)).visible.startswith("Je ne vois pas de question")
    assert harness.services.answers.calls == []
    assert await harness.store.answers.unanswered() == [] and await harness.store.answers.today() == {}


async def test_a_greeting_or_thanks_alone_gets_what_the_bot_does_and_is_stored_nowhere(harness: Harness) -> None:
    """"Bonjour", "merci !": no refusal, nothing for editors among unanswered questions."""
    for n, (text, expected) in enumerate([("Bonjour !", "👋 Je réponds aux questions sur les articles"),
                                          ("merci beaucoup 🙏", "👍 Une autre question ?"),
                                          ("Hi there", "👋 I answer questions about the news articles"),
                                          ("Thanks, bye", "👍 Another question?")]):
        harness.ask(text, chat_id=70 + n, language_code="en" if text[0] in "HT" else "fr")
        reply = await harness.tg.reply(70 + n, 0)
        assert reply.visible.startswith(expected), reply.visible
    harness.ask("Bonjour, combien de civils ont fui Alep ?", chat_id=80)
    await harness.tg.reply(80, 0)
    assert [q for q, _ in harness.services.answers.calls] == ["Bonjour, combien de civils ont fui Alep ?"]
    assert await harness.store.answers.unanswered() == []
