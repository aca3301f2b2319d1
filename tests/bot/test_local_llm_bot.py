"""The Telegram flow over a real model: the real bot, the real services with SmolLM2-135M answering
in this process (`LLM_PROVIDER=local`) or through llama-cpp-python's server and ChatOpenAI
(`LLM_PROVIDER=openai`), against the loopback Bot API. The model is too small to judge: the test
holds the streaming contract (while the model writes, a draft only of sentences that passed the
citation check, or typing alone; one message in the end, the final answer with its buttons),
not the wording. tests/bot/test_checked_previews.py streams a scripted answer into a draft."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from answering.sentences import parse_marked
from bot.app import build_application
from qabot.services import build_services
from tests.bot.conftest import ADMIN, FAST, start_polling
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.telegram_server import TOKEN, FakeTelegram

ARTICLE = (" date 2016-12 Civilians flee Aleppo\n\nSince the offensive began, 130,000 civilians have fled "
           "Aleppo, the United Nations said on Monday. Aid groups asked for a ceasefire.")


@pytest.mark.parametrize("provider", ["local", "server"])
async def test_model_answer_streams_into_one_message(
    provider: str, telegram: FakeTelegram, make_settings: Callable[..., Any], tmp_path: Path,
    request: pytest.FixtureRequest, no_network: None,
) -> None:
    articles = tmp_path / "english"
    articles.mkdir()
    (articles / "aleppo.txt").write_text(ARTICLE, encoding="utf-8")
    llm: dict[str, Any] = {"llm_provider": "local"}
    if provider == "server":
        llm = {"llm_provider": "openai", "llm_base_url": request.getfixturevalue("llama_server")}
    settings = make_settings(
        telegram_bot_token=TOKEN, telegram_api_base_url=telegram.base_url, telegram_admin_ids=frozenset({ADMIN}),
        articles_dir=articles, refusal_min_score=0.0, refusal_min_score_crosslingual=0.0, retrieval_k=1,
        llm_max_tokens=48, llm_timeout_s=120.0, llm_max_retries=0, llm_model="smollm2", **llm,
    )
    services = build_services(settings, embedder=HashingEmbedder(), local_model=request.getfixturevalue("smollm"))
    services.reindex_now()
    application = build_application(settings, services, tuning=FAST)
    async with contextlib.AsyncExitStack() as stack:
        await start_polling(stack, application)

        telegram.message("How many civilians have fled Aleppo since the offensive began?", chat_id=7)
        answer = await telegram.wait_for(
            lambda: next((m for m in telegram.sent(7) if any(b["text"] == "👍" for b in m.buttons())), None),
            within=120,
        )
    assert len(telegram.calls_of("sendMessage", 7)) == 1, "a draft, if any, became the answer"
    shown = telegram.calls_of("sendMessage", 7) + telegram.calls_of("editMessageText", 7)
    drafts = [html.unescape(re.sub(r"<[^>]+>", "", c.params["text"])) for c in shown if "reply_markup" not in c.params]
    # Each sentence a draft showed carried its citation: it had passed the check.
    assert all(all(s.cites for s in parse_marked(d.removesuffix(" …"))) for d in drafts), drafts
    assert "[1]" in answer.visible and answer.buttons()[0]["text"].startswith("[1] ")
    assert telegram.rejected == []
