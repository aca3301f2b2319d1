"""Qdrant out of reach (INDEX_BACKEND=qdrant, QDRANT_URL at a loopback port nobody serves):
the retriever raises one sentence naming Qdrant and what to check, without the API key; the
bot tells an asker the library is unavailable and an admin why, and keeps serving other
updates. (Recovery when Qdrant returns needs a Qdrant server, which this machine has not:
each call is independent, so the next question after it returns is served; not tested here.)"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.texts import t
from qabot.services import build_services
from retrieval.qdrant.index import IndexUnavailable
from tests.conftest import free_port
from tests.fakes.embedder import HashingEmbedder
from tests.reliability.conftest import (
    ADMIN,
    GRENOBLE_Q,
    FaultyTelegram,
    live_bot,
    make_live_settings,
)


def down_settings(make_settings: Callable[..., Any], **overrides: Any) -> Any:
    return make_settings(index_backend="qdrant", qdrant_url=f"http://127.0.0.1:{free_port()}",
                         qdrant_api_key="qdrant-key-s3cret", qdrant_timeout_s=2, **overrides)


def test_an_unreachable_qdrant_is_one_sentence(make_settings: Callable[..., Any], no_network: None) -> None:
    services = build_services(down_settings(make_settings), embedder=HashingEmbedder())
    try:
        with pytest.raises(IndexUnavailable) as caught:
            asyncio.run(services.search("Grenoble"))
        message = str(caught.value)
        assert "Qdrant at http://127.0.0.1:" in message and "QDRANT_URL" in message
        assert "s3cret" not in message
        with pytest.raises(IndexUnavailable):
            asyncio.run(services.stats())
    finally:
        services.close_now()


async def test_the_bot_says_the_library_is_unavailable(
    faulty_telegram: FaultyTelegram, make_settings: Callable[..., Any], corpus_dir: Any, no_network: None
) -> None:
    settings = make_live_settings(make_settings, faulty_telegram, index_backend="qdrant",
                                  qdrant_url=f"http://127.0.0.1:{free_port()}", qdrant_timeout_s=2)
    async with live_bot(settings, faulty_telegram, reindex=False) as bot:
        tg = bot.tg
        tg.message(GRENOBLE_Q, chat_id=7)
        tg.message(GRENOBLE_Q, chat_id=ADMIN)
        tg.message("/help", chat_id=8)
        await bot.settle()
        assert tg.last(7).visible == t("index_unavailable", "fr")
        assert "Qdrant" in tg.last(ADMIN).visible
        assert tg.sent(8)  # other updates are still handled
        assert not bot.unexpected_errors
