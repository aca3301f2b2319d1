"""The real bot over the real services (extractive answerer, deterministic embedder), polling a
loopback Bot API that can also drop connections, with counters the reliability tests assert on:
updates processed (by id), errors that reached the error handler, the moment each answer became
complete. The tests print their figures; with QABOT_RELIABILITY_DIR set they also write them
there as JSON (`<name>.json`), for docs/RELIABILITY.md."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.app import build_application
from bot.state import Tuning
from qabot.services import Services, build_services
from retrieval.errors import QabotError
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.telegram_server import TOKEN, Call, FakeTelegram, SentMessage

T = TypeVar("T")

ADMIN = 4242
FAST = Tuning(typing_every_s=0.2, edit_every_s=0.3, reindex_progress_every_s=0.05)
# The evaluation corpus in shared/ beside the checkout (CI lays a copy there), when present.
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "corpus"
REPORT_ENV = "QABOT_RELIABILITY_DIR"

GRENOBLE = (
    " date 2021-03 Le budget des pistes cyclables de Grenoble\n\n"
    "Le conseil municipal de Grenoble a voté un budget de 5 millions d'euros pour les pistes "
    "cyclables, a annoncé la maire.\n\nLes travaux commenceront au printemps, selon la mairie."
)
GRENOBLE_Q = "Quel budget le conseil municipal de Grenoble a-t-il voté pour les pistes cyclables ?"


class FaultyTelegram(FakeTelegram):
    """The fake Bot API, plus dropped connections and the time each answer got its 👍 button."""

    def __init__(self) -> None:
        super().__init__()
        self.drops: Counter[str] = Counter()
        self.dropped: list[Call] = []
        self.completed_at: dict[tuple[int, int], float] = {}
        self.completions: dict[int, list[float]] = defaultdict(list)  # chat -> when each answer completed
        self.pushed_at: dict[int, float] = {}  # update id -> monotonic time it was queued
        self._completed: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def drop(self, method: str, times: int = 1) -> None:
        """Close the connection of the next `times` calls of `method` before answering them."""
        self.drops[method] += times

    def push(self, update: dict[str, Any]) -> int:
        update_id = super().push(update)
        self.pushed_at[update_id] = time.monotonic()
        return update_id

    @property
    def last_update_id(self) -> int:
        return max(self.pushed_at)

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if self.drops[method] > 0:
            self.drops[method] -= 1
            self.dropped.append(Call(method, await self._params(request), time.monotonic(), 0, "dropped"))
            assert request.transport is not None
            request.transport.abort()  # the client sees the connection reset, no response at all
            return web.Response()
        return await super()._api(request)

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._m_sendMessage(params)
        self._mark_complete(params, result["message_id"])
        return result

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._m_editMessageText(params)
        self._mark_complete(params, result["message_id"])
        return result

    def _mark_complete(self, params: dict[str, Any], message_id: int) -> None:
        markup = params.get("reply_markup") or {}
        key = (params["chat_id"], message_id)
        if key not in self.completed_at and any(
            b.get("text") == "👍" for row in markup.get("inline_keyboard", []) for b in row
        ):
            self.completed_at[key] = now = time.monotonic()
            self.completions[key[0]].append(now)
            self._completed[key[0]].set()

    async def wait_answers(self, chat_id: int, count: int, within: float = 60.0) -> None:
        """Wait until `count` answers in the chat are complete (woken by each, no polling)."""
        deadline = time.monotonic() + within
        event = self._completed[chat_id]
        while len(self.completions[chat_id]) < count:
            event.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"chat {chat_id}: {len(self.completions[chat_id])} of {count} answers")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def answers(self, chat_id: int) -> list[SentMessage]:
        """The chat's complete answers (the messages carrying 👍), in order."""
        return [m for m in self.sent(chat_id) if any(b["text"] == "👍" for b in m.buttons())]


def answer_id_of(message: Any) -> int:
    """The stored answer id behind an answer message (from its 👍 button's callback data)."""
    return int(message.button("👍")["callback_data"].split(":")[1])


@dataclass
class LiveBot:
    tg: FaultyTelegram
    settings: Any
    services: Services
    application: Application[Any, Any, Any, Any, Any, Any]
    processed: Counter[int] = field(default_factory=Counter)
    errors: list[BaseException] = field(default_factory=list)
    asked: Counter[str] = field(default_factory=Counter)
    reindexes: list[bool] = field(default_factory=list)  # `full` of each re-index the bot started

    @property
    def unexpected_errors(self) -> list[BaseException]:
        return [e for e in self.errors if not isinstance(e, QabotError)]

    @property
    def state(self) -> Any:
        return self.application.bot_data["state"]

    def idle(self) -> bool:
        """Every queued update processed, nothing running (handlers, re-index)."""
        return (
            all(u in self.processed for u in self.tg.pushed_at)
            and self.application.update_processor.current_concurrent_updates == 0
            and not self.state.background
        )

    async def settle(self, within: float = 60.0) -> None:
        await self.tg.wait_for(self.idle, within)


def make_live_settings(make_settings: Callable[..., Any], tg: FakeTelegram, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": tg.base_url,
        "telegram_admin_ids": frozenset({ADMIN}),
        "rate_limit_questions": 100_000,
        # the hashing embedder's similarities are not the real model's: never decline for them
        "refusal_min_score": 0.0,
        "refusal_min_score_crosslingual": 0.0,
    }
    values.update(overrides)
    return make_settings(**values)


@contextlib.asynccontextmanager
async def live_bot(
    settings: Any, tg: FaultyTelegram, *, tuning: Tuning = FAST, reindex: bool = True
) -> AsyncIterator[LiveBot]:
    """The application as `qabot run` wires it (real services, deterministic embedder), polling;
    by default over a fresh index of ARTICLES_DIR, else over whatever INDEX_DIR holds."""
    services = build_services(settings, embedder=HashingEmbedder())
    if reindex:
        await services.reindex()
    application = build_application(settings, services, tuning=tuning)
    bot = LiveBot(tg, settings, services, application)

    async def record_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot.processed[update.update_id] += 1

    async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        bot.errors.append(context.error)

    application.add_handler(TypeHandler(Update, record_update), group=-1)
    application.add_error_handler(record_error)
    answers = services.answers
    real_ask = answers.ask

    async def counted_ask(question: str, *args: Any, **kwargs: Any) -> Any:
        bot.asked[question] += 1
        return await real_ask(question, *args, **kwargs)

    answers.ask = counted_ask  # type: ignore[method-assign]  # the real method, counted
    real_reindex = services.reindex

    async def counted_reindex(*, full: bool = False, **kwargs: Any) -> Any:
        bot.reindexes.append(full)
        return await real_reindex(full=full, **kwargs)

    services.reindex = counted_reindex  # type: ignore[method-assign]  # the real method, counted
    async with contextlib.AsyncExitStack() as stack:
        # what run_polling() does around the updater: initialize, post_init ... post_shutdown
        assert application.post_init and application.post_shutdown, "build_application sets both"
        await application.initialize()
        stack.push_async_callback(application.post_shutdown, application)
        stack.push_async_callback(application.shutdown)
        await application.post_init(application)
        await application.start()
        stack.push_async_callback(application.stop)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        stack.push_async_callback(application.updater.stop)
        yield bot


@pytest.fixture
def corpus_dir(articles_dir: Path) -> Path:
    """The seed article and a Grenoble article with a known answer."""
    (articles_dir / "grenoble.txt").write_text(GRENOBLE, encoding="utf-8")
    return articles_dir


@pytest.fixture
def big_corpus_dir(corpus_dir: Path) -> Path:
    """…plus the 171 articles of the evaluation corpus, so a re-index takes a while."""
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.txt")):
            (corpus_dir / path.name).write_bytes(path.read_bytes())
    return corpus_dir


@pytest.fixture
async def faulty_telegram() -> AsyncIterator[FaultyTelegram]:
    server = FaultyTelegram()
    await server.start()
    yield server
    await server.stop()


def write_report(name: str, figures: dict[str, Any]) -> Path | None:
    """Print the figures; write them to $QABOT_RELIABILITY_DIR/<name>.json when that is set."""
    text = json.dumps(figures, indent=2, ensure_ascii=False) + "\n"
    print(f"{name}: {json.dumps(figures, ensure_ascii=False)}")
    if not (directory := os.environ.get(REPORT_ENV)):
        return None
    path = Path(directory) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rss_bytes() -> int:
    """This process's resident set size, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class LoopThread:
    """An event loop in a thread, so a synchronous hypothesis test can drive the async bot."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="bot-loop", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    runner = LoopThread()
    yield runner
    runner.close()
