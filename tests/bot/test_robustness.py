"""Errors, Telegram's flood control, odd updates, and the token kept out of the logs."""

from __future__ import annotations

import io
import logging

import pytest

from qabot.logs import RedactSecrets, secrets_of
from retrieval.errors import IndexCorrupt, IndexNotReady
from retrieval.search import IndexStats
from tests.bot.conftest import ADMIN, Harness, StartBot
from tests.fakes.telegram_server import TOKEN


async def test_retry_after_is_honoured_and_the_answer_arrives(harness: Harness) -> None:
    harness.tg.fail("sendMessage", status=429, retry_after=1)
    answer = await harness.answer_to("Quel budget le conseil municipal de Grenoble a-t-il voté ?")
    assert "Grenoble" in answer.visible
    attempts = harness.tg.calls_of("sendMessage", 7)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.9


async def test_unexpected_error_apologises_and_the_bot_goes_on(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.services.answers.fail_with = RuntimeError("boom in the answerer")
    with caplog.at_level(logging.ERROR, logger="bot.app"):
        harness.ask("Le budget de Grenoble ?")
        apology = await harness.tg.reply(7, 0)
    assert apology.visible == "Désolé, quelque chose s'est mal passé. Réessayez dans un instant."
    assert "boom" not in apology.visible
    record = next(r for r in caplog.records if r.name == "bot.app")
    assert "chat=7" in record.getMessage() and record.exc_info
    harness.services.answers.fail_with = None
    assert "Grenoble" in (await harness.answer_to("Le budget de Grenoble ?")).visible


async def test_expected_errors_become_a_friendly_sentence(harness: Harness) -> None:
    harness.services.answers.fail_with = IndexNotReady("var/index")
    harness.ask("Le budget de Grenoble ?")
    assert "pas disponible pour le moment" in (await harness.tg.reply(7, 0)).visible
    harness.ask("Le budget de Grenoble ?", chat_id=ADMIN)
    assert "qabot index" in (await harness.tg.reply(ADMIN, 0)).visible  # admins get the cause


async def test_start_without_an_index_says_so(start_bot: StartBot) -> None:
    h = await start_bot(index=False)
    h.ask("/start")
    assert "/reindex" in (await h.tg.reply(7, 0)).visible


async def test_an_edited_question_is_answered_as_a_reply_to_the_edit(harness: Harness) -> None:
    tg = harness.tg
    edited = tg.message("Quel budget le conseil municipal de Grenoble a-t-il voté ?", chat_id=7, edited=True)
    answer = await tg.wait_for(lambda: next((m for m in tg.sent(7) if any(b["text"] == "👍" for b in m.buttons())), None))
    assert "Grenoble" in answer.visible
    assert [q for q, _ in harness.services.answers.calls] == ["Quel budget le conseil municipal de Grenoble a-t-il voté ?"]
    first = tg.calls_of("sendMessage", 7)[0]
    assert first.params["reply_parameters"]["message_id"] == edited["message_id"]

    group_edit = tg.message("@qabot_test_bot Quel budget le conseil municipal de Grenoble a-t-il voté ?",
                            chat_id=-5, user_id=9, chat_type="supergroup", edited=True)
    await tg.wait_for(lambda: any(any(b["text"] == "👍" for b in m.buttons()) for m in tg.sent(-5)))
    assert tg.calls_of("sendMessage", -5)[0].params["reply_parameters"]["message_id"] == group_edit["message_id"]


async def test_odd_updates_are_ignored(harness: Harness) -> None:
    harness.tg.message(None, chat_id=-5, chat_type="group", location={"latitude": 1.0, "longitude": 2.0})
    harness.tg.sticker(chat_id=-5, chat_type="group")
    harness.tg.message("/inconnue junk <b>", chat_id=7)  # unknown command: the help
    assert "Posez une question" in (await harness.tg.reply(7, 0)).visible
    assert harness.services.answers.calls == []
    assert harness.tg.sent(-5) == []


async def test_the_token_never_reaches_the_logs(harness: Harness) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets(secrets_of(harness.settings)))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        harness.services.answers.fail_with = RuntimeError(f"failed calling https://x/bot{TOKEN}/sendMessage")
        harness.ask("Le budget de Grenoble ?")
        await harness.tg.reply(7, 0)
        harness.services.answers.fail_with = None
        await harness.answer_to("Le budget de Grenoble ?")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    logged = stream.getvalue()
    assert "sendMessage" in logged and "[REDACTED]" in logged
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged


async def test_help_with_a_damaged_index_does_not_say_nothing_is_indexed(harness: Harness) -> None:
    def damaged() -> IndexStats:
        raise IndexCorrupt("dense.faiss fails its checksum")

    harness.services.retriever.stats = damaged  # type: ignore[method-assign]  # an index gone bad under the bot
    harness.ask("/help")
    reply = await harness.tg.reply(7, 0)
    assert "pas disponible" in reply.visible and "aucun article" not in reply.visible
