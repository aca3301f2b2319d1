"""While the LLM writes, the reader sees only sentences that passed the citation check: the real
bot and the real services (the deterministic embedder), the loopback OpenAI-compatible server
streaming an answer with an uncited and a badly cited sentence, slowly enough for the draft to
be edited several times, and then stalling past LLM_TIMEOUT_S; the loopback Bot API records
every message and edit."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application
from qabot.services import build_services
from tests.bot.conftest import ADMIN, FAST, start_polling
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import TOKEN, FakeTelegram

ARTICLE = (
    " date 2016-12 Les civils fuient Alep\n\n"
    "Depuis le début de l’offensive, 130 000 civils ont fui Alep, selon les Nations unies. "
    "Les organisations humanitaires ont demandé un cessez-le-feu."
)
QUESTION = "Combien de civils ont fui Alep depuis le début de l’offensive ?"
CHECKED = "Depuis le début de l’offensive, 130 000 civils ont fui Alep [1]. "
UNCITED = "Le régime a promis une trêve dès demain. "
BADLY_CITED = "Les rebelles ont reçu 900 missiles américains [1]. "  # not what passage 1 says
NOT_GIVEN = "Les Nations unies comptent 415 morts [4]. "  # one passage was given, not four
STALLED = "Les pourparlers de Genève"


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


async def test_a_stalled_model_never_showed_an_unchecked_sentence(
    telegram: FakeTelegram, fake_llm: FakeOpenAI, make_settings: Callable[..., Any], tmp_path: Path,
    no_network: None,
) -> None:
    articles = tmp_path / "alep"
    articles.mkdir()
    (articles / "alep.txt").write_text(ARTICLE, encoding="utf-8")
    settings = make_settings(
        telegram_bot_token=TOKEN, telegram_api_base_url=telegram.base_url, telegram_admin_ids=frozenset({ADMIN}),
        articles_dir=articles, retrieval_k=1, refusal_min_score=0.0, refusal_min_score_crosslingual=0.0,
        llm_provider="openai", llm_base_url=fake_llm.base_url, llm_model="fake-model", llm_api_key="sk-test",
        llm_timeout_s=5.0, llm_max_retries=0,
    )
    fake_llm.script(Reply(CHECKED + UNCITED + BADLY_CITED + NOT_GIVEN + STALLED, chunk_size=6, piece_delay_s=0.05, stall_s=10.0))
    services = build_services(settings, embedder=HashingEmbedder())
    services.reindex_now()
    application = build_application(settings, services, tuning=FAST)
    async with contextlib.AsyncExitStack() as stack:
        await start_polling(stack, application)

        telegram.message(QUESTION, chat_id=7)
        answer = await telegram.wait_for(
            lambda: next((m for m in telegram.sent(7) if any(b["text"] == "👍" for b in m.buttons())), None),
            within=30,
        )

    assert len(fake_llm.requests) == 1 and fake_llm.requests[0]["stream"] is True
    shown = [c.params["text"] for c in telegram.calls_of("sendMessage", 7) + telegram.calls_of("editMessageText", 7)]
    # The draft showed the checked sentence while the model wrote, then became the answer.
    assert len(telegram.calls_of("sendMessage", 7)) == 1
    assert shown[0] == "Depuis le début de l’offensive, 130 000 civils ont fui Alep. <b>[1]</b> …"
    assert "Le modèle de langue a mis trop de temps" in answer.visible
    for sentence in (UNCITED, BADLY_CITED, NOT_GIVEN, STALLED):
        words = sentence.split(" [")[0].rstrip(". ")
        assert not [text for text in shown if words in text], sentence
