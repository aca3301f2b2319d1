"""The bot over the real services (`qabot.services.build_services`, extractive answerer, the
deterministic embedder): a question answered with citations, a passage opened, an upload
re-indexed, through the loopback Bot API."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.app import build_application
from qabot.services import build_services
from tests.bot.conftest import ADMIN, FAST, start_application
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.telegram_server import TOKEN, FakeTelegram, SentMessage


async def test_real_services_answer_cite_and_reindex(
    telegram: FakeTelegram, make_settings: Callable[..., Any], bot_articles: Path, no_network: None
) -> None:
    # The hashing embedder's similarities mean nothing: the refusal bar (calibrated for e5) is off.
    settings = make_settings(telegram_bot_token=TOKEN, telegram_api_base_url=telegram.base_url,
                             telegram_admin_ids=frozenset({ADMIN}), refusal_min_score=0.0,
                             refusal_min_score_crosslingual=0.0)
    services = build_services(settings, embedder=HashingEmbedder())
    services.reindex_now()
    application = build_application(settings, services, tuning=FAST)
    async with contextlib.AsyncExitStack() as stack:
        await start_application(stack, application)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        stack.push_async_callback(application.updater.stop)

        def complete(chat_id: int, after: int) -> Callable[[], SentMessage | None]:
            return lambda: next((m for m in telegram.sent(chat_id)[after:]
                                 if any(b["text"] == "👍" for b in m.buttons())), None)

        telegram.message("/start", chat_id=7)
        assert "3 articles" in (await telegram.reply(7, 0)).visible
        telegram.message("Quel budget le conseil municipal de Grenoble a-t-il voté pour les pistes cyclables ?",
                         chat_id=7)
        answer = await telegram.wait_for(complete(7, 1), within=30)
        assert "[1]" in answer.visible, answer.visible
        button = answer.buttons()[0]
        assert button["text"].startswith("[1] ")
        query = telegram.press(answer, button["callback_data"])
        await telegram.wait_for(lambda: query in telegram.callback_answers)
        assert "<blockquote>" in telegram.messages[(7, answer.message_id)].text

        telegram.document(chat_id=ADMIN, file_name="vendanges.txt", content=(
            " date 2022-09 Les vendanges précoces en Bourgogne\n\nLes vignerons de Bourgogne ont "
            "commencé les vendanges dès le mois d'août, une précocité record due à la chaleur.\n"
        ).encode())
        await telegram.wait_for(lambda: any("1 ajouté(s)" in m.visible for m in telegram.sent(ADMIN)), within=30)
        telegram.message("/status", chat_id=ADMIN)
        status = await telegram.wait_for(
            lambda: next((m for m in telegram.sent(ADMIN) if "Articles : 4" in m.visible), None))
        assert "fake/hashing" in status.visible
    assert telegram.rejected == []
