"""Two bot workers, one bot: each a real application (`build_application` over the real
services on the local index, deterministic embedder) serving its own webhook, both on one
PostgreSQL store; the loopback Bot API acts as Telegram and the reverse proxy, POSTing updates
to them in turn, and redelivering some to the other worker."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from answering.protocol import Turn
from bot.app import build_application
from bot.texts import t
from qabot.services import Services, build_services
from tests.bot.conftest import ADMIN, FAST, start_application
from tests.conftest import free_port
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.postgres import PostgresCluster
from tests.fakes.telegram_server import TOKEN, FakeTelegram, SentMessage

SECRET = "webhook-secret-for-tests"
GRENOBLE_Q = "Quel budget le conseil municipal de Grenoble a-t-il voté pour les pistes cyclables ?"
VENDANGES = (
    " date 2022-09 Les vendanges précoces en Bourgogne\n\nLes vignerons de Bourgogne ont "
    "commencé les vendanges dès le mois d'août, une précocité record due à la chaleur.\n"
)


@dataclass
class Worker:
    services: Services
    application: Any
    url: str
    asked: list[tuple[str, tuple[Turn, ...]]] = field(default_factory=list)
    reindexes: list[bool] = field(default_factory=list)
    decided: list[tuple[int, bool]] = field(default_factory=list)  # (update id, first delivery?)
    handled: Counter[int] = field(default_factory=Counter)  # update ids that reached the handlers
    gate: threading.Event | None = None  # set by the test to hold this worker's re-index


def instrument(worker: Worker) -> None:
    """Record questions (with the history each got), re-indexes, the store's redelivery
    decisions and the updates that got past them; let a test hold a re-index."""
    store = worker.application.bot_data["state"].db
    real_first_delivery = store.coordination.first_delivery

    async def first_delivery(update_id: int) -> bool:
        first: bool = await real_first_delivery(update_id)
        worker.decided.append((update_id, first))
        return first

    store.coordination.first_delivery = first_delivery

    async def record(update: Update, context: Any) -> None:
        worker.handled[update.update_id] += 1

    worker.application.add_handler(TypeHandler(Update, record), group=-1)
    answers = worker.services.answers
    real_ask, real_reindex = answers.ask, worker.services.reindex

    async def ask(question: str, history: Any = (), *args: Any, **kwargs: Any) -> Any:
        worker.asked.append((question, tuple(history)))
        return await real_ask(question, history, *args, **kwargs)

    async def reindex(*, full: bool = False, **kwargs: Any) -> Any:
        worker.reindexes.append(full)
        if worker.gate is not None:
            assert await asyncio.to_thread(worker.gate.wait, 30), "the test never released the re-index"
        return await real_reindex(full=full, **kwargs)

    answers.ask = ask  # type: ignore[method-assign]  # the real methods, recorded (and held)
    worker.services.reindex = reindex  # type: ignore[method-assign]  # the real methods, recorded (and held)


@pytest.fixture
async def workers(
    telegram: FakeTelegram, make_settings: Callable[..., Any], bot_articles: Path,
    postgres: PostgresCluster, no_network: None,
) -> AsyncIterator[list[Worker]]:
    settings = make_settings(
        telegram_bot_token=TOKEN, telegram_api_base_url=telegram.base_url,
        telegram_admin_ids=frozenset({ADMIN}), database_url=postgres.create_database(),
        telegram_webhook_secret=SECRET,
        # the hashing embedder's similarities are not the real model's: never decline for them
        refusal_min_score=0.0, refusal_min_score_crosslingual=0.0,
    )
    started: list[Worker] = []
    async with contextlib.AsyncExitStack() as stack:
        for i in range(2):
            services = build_services(settings, embedder=HashingEmbedder())
            if i == 0:
                services.reindex_now()  # one INDEX_DIR, shared (one machine, or a shared volume)
            application = build_application(settings, services, tuning=FAST)
            port = free_port()
            url = f"http://127.0.0.1:{port}/telegram"
            await start_application(stack, application)
            assert application.updater is not None
            await application.updater.start_webhook(
                listen="127.0.0.1", port=port, url_path="telegram", webhook_url=url, secret_token=SECRET,
            )
            stack.push_async_callback(application.updater.stop)
            worker = Worker(services, application, url)
            instrument(worker)
            started.append(worker)
        telegram.route_to([w.url for w in started])
        yield started
    assert telegram.rejected == [], [(c.method, c.error) for c in telegram.rejected]


def complete_answers(telegram: FakeTelegram, chat_id: int) -> list[SentMessage]:
    return [m for m in telegram.sent(chat_id) if any(b["text"] == "👍" for b in m.buttons())]


async def test_two_workers_answer_once_share_buttons_history_and_one_reindex(
    workers: list[Worker], telegram: FakeTelegram, bot_articles: Path
) -> None:
    a, b = workers
    assert telegram.webhook is not None and telegram.webhook["secret_token"] == SECRET

    # Twelve chats ask at once; the proxy alternates workers; every update is then redelivered
    # to the other worker too (as Telegram does after a timeout).
    chats = list(range(100, 112))
    first = [telegram.message(GRENOBLE_Q, chat_id=c) for c in chats]
    assert len(first) == len(chats)
    await telegram.wait_for(lambda: all(complete_answers(telegram, c) for c in chats), within=60)
    for delivery in list(telegram.deliveries):
        telegram.deliver(delivery.update_id, 1 - delivery.backend)
    await telegram.wait_for(telegram.delivered, within=30)
    assert all(d.status == 200 for d in telegram.deliveries)
    served = Counter(d.backend for d in telegram.deliveries)
    assert served == {0: 12, 1: 12}, served  # both workers got work
    await telegram.wait_for(lambda: len(a.decided) + len(b.decided) == 24, within=30)
    handled = a.handled + b.handled
    assert sorted(handled) == sorted(telegram.pushed) and set(handled.values()) == {1}
    assert sorted(u for u, first in a.decided + b.decided if not first) == sorted(telegram.pushed)
    for c in chats:
        assert len(complete_answers(telegram, c)) == 1, c
        assert len(telegram.calls_of("sendMessage", c)) == 1, c  # answered once, nothing else
    assert len(a.asked) + len(b.asked) == len(chats)
    assert a.asked and b.asked

    # A citation button pressed under an answer one worker sent, handled by the other.
    chat = chats[0]
    answer = complete_answers(telegram, chat)[0]
    sent_by = next(d.backend for d in telegram.deliveries if telegram.pushed[d.update_id].get("message", {})
                   .get("chat", {}).get("id") == chat)
    telegram.pinned = 1 - sent_by
    query = telegram.press(answer, answer.buttons()[0]["callback_data"])
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    assert "<blockquote>" in telegram.messages[(chat, answer.message_id)].text

    # A follow-up through the other worker gets the conversation the first one stored.
    before = len(b.asked) if sent_by == 0 else len(a.asked)
    telegram.message("Et quand commenceront les travaux ?", chat_id=chat)
    other = b if sent_by == 0 else a
    await telegram.wait_for(lambda: len(other.asked) > before, within=30)
    assert other.asked[-1][1] and other.asked[-1][1][0].question == GRENOBLE_Q

    # /reindex on both workers while the first is still indexing: one re-index runs.
    (bot_articles / "vendanges.txt").write_text(VENDANGES, encoding="utf-8")
    a.gate = threading.Event()
    telegram.pinned = 0
    telegram.message("/reindex", chat_id=ADMIN)
    await telegram.wait_for(lambda: a.reindexes, within=30)
    telegram.pinned = 1
    telegram.message("/reindex", chat_id=ADMIN)
    busy = t("reindex_busy", "fr")
    await telegram.wait_for(lambda: any(m.text == busy for m in telegram.sent(ADMIN)), within=30)
    a.gate.set()
    await telegram.wait_for(lambda: any("1 ajouté(s)" in m.visible for m in telegram.sent(ADMIN)), within=60)
    assert (a.reindexes, b.reindexes) == ([False], [])

    # The worker that did not re-index serves the new generation from its next question.
    telegram.pinned = 1
    telegram.message("Quand les vignerons de Bourgogne ont-ils commencé les vendanges ?", chat_id=300)
    await telegram.wait_for(lambda: complete_answers(telegram, 300), within=30)
    cited = [btn["text"] for btn in complete_answers(telegram, 300)[0].buttons()]
    assert any("vendanges" in text.lower() for text in cited), cited
