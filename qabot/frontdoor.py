"""The front door: the one typed seam between the front ends (the Telegram bot, the CLI) and
everything behind them (retrieval, answering, the index).

`qabot.services.Services` implements it; the bot and the CLI are typed against it, and so are
the tests' fakes, so a fake that drifts from the real thing fails the type check. Every method
is a coroutine: whatever blocks (encoding, FAISS, SQLite, writing files) runs off the event loop
behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from answering.protocol import Answer, Citation, PartialCallback, Turn, compose, origin_label
from answering.query import has_words, small_talk
from answering.timeline import TIMELINE_PAGE
from answering.wording import moment_words, period_words, reader_date
from qabot.errors import (
    ArticleRejected,
    IndexCorrupt,
    IndexModelMismatch,
    IndexNotReady,
    QabotError,
    ReindexInProgress,
    SettingsError,
)
from qabot.records import (
    Activity,
    QuestionFilter,
    QuestionRecord,
    TrainingExport,
    UnansweredGroup,
    VoteRecord,
)
from qabot.stores import Stores
from retrieval.models import Article, Chunk, Headline, Passage, SearchResult
from retrieval.search import MODES, IndexStats, Progress, ReindexReport
from retrieval.sources.feeds import (
    AddressRefused,
    FeedError,
    FeedState,
    FeedStates,
    PollReport,
    Resolver,
    SeenItem,
    shown,
    system_resolver,
)
from retrieval.sources.library import LibraryFile, OnTaken, TrashedFile, safe_name
from retrieval.sources.library import save as save_file
from retrieval.sources.library import stage as stage_file

# The contract: the front ends (bot/, cli/, web/) import from `qabot` alone (tests/qabot/test_edges.py
# walks their imports), so what they show of the floors below is named here: the front door, the errors it raises (one
# base, QabotError: qabot/errors.py), the types it hands out and the few pure helpers that
# present them. Heavy (numpy, the index's types): the CLI imports it inside its commands.
__all__ = [
    # the seam and its types
    "MODES", "Answer", "Article", "ArticleInfo", "ArticleView", "Check", "Chunk", "Citation", "FeedState",
    "FeedStates", "FrontDoor", "Headline", "IndexStats", "LibraryEntry", "LibraryFile", "OnTaken",
    "PartialCallback", "Passage", "PollReport", "Progress", "RecordsDoor", "ReindexReport", "Resolver",
    "SearchResult", "SeenItem", "TrashedFile", "Turn",
    # the errors (all QabotError)
    "AddressRefused", "ArticleRejected", "FeedError", "IndexCorrupt", "IndexModelMismatch", "IndexNotReady",
    "QabotError", "ReindexInProgress", "SettingsError",
    # presentation and plumbing the front ends share
    "TIMELINE_PAGE", "compose", "has_words", "moment_words", "origin_label", "period_words", "reader_date", "safe_name",
    "save_file", "shown", "small_talk", "stage_file", "system_resolver",
]


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What an offered article file holds, once read as the index would read it."""

    name: str  # its file name
    title: str
    date: str | None
    chars: int  # characters of text
    # What reading it left aside, and why: "front matter is not valid YAML (line 3)" (the file
    # is then indexed as plain text, its header included).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """An article file of ARTICLES_DIR, with what the live index knows of it (title, date,
    source: None before it is indexed)."""

    name: str
    bytes: int
    modified: str
    title: str | None
    date: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article's page: its file in ARTICLES_DIR, the article as the live index holds it,
    its chunks there and its syndicated copies (the other articles of its near-duplicate group)."""

    name: str  # the file name, the article's id
    file: LibraryFile | None  # None once the file is deleted, until a re-index drops the article
    article: Article | None  # None: not indexed yet
    chunks: tuple[Chunk, ...] = ()
    copies: tuple[Headline, ...] = ()

    def file_span(self, chunk: Chunk) -> tuple[int, int]:
        """Where a chunk lies in the file as stored (front matter included), what people see."""
        offset = self.article.body_offset if self.article is not None else 0
        return offset + chunk.start, offset + chunk.end


@dataclass(frozen=True, slots=True)
class Check:
    """One readiness check (`/readyz`): its name, and what fails in a sentence (None: passes)."""

    name: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class RecordsDoor(Protocol):
    """The front door's side of the bot's database: what readers asked, the feeds followed, the
    desk's sign-in links. `FrontDoor` offers all of it; a command that needs the database alone
    (`qabot web-link`: no model, no index) is given this much (qabot.services.DatabaseDoor)."""

    async def close(self) -> None:
        """Let go of the database's connections."""

    async def database(self) -> Stores:
        """The bot's database (DATABASE_URL, or bot.sqlite3 under DATA_DIR), opened and
        migrated on first use and closed with the front door: its rooms, for the front end that
        keeps its conversations in it (the bot). Every front end reads it through the methods
        below."""
        ...

    async def feeds(self) -> list[str]:
        """The feeds followed: FEEDS (the settings), then those the admins added, oldest first."""
        ...

    async def activity(self, since_day: str, today: str) -> Activity:
        """Questions asked since `since_day` and `today` (UTC, YYYY-MM-DD), their outcomes, votes."""
        ...

    async def questions(self, which: QuestionFilter) -> list[QuestionRecord]:
        """The questions readers asked, newest first, with their answers and votes."""
        ...

    async def vote_records(self, limit: int) -> list[VoteRecord]:
        """The readers' latest votes, with the question, answer and passages each judged."""
        ...

    async def unanswered(self, limit: int = 10) -> list[tuple[str, str]]:
        """The latest declined questions, newest first, as (when: ISO time, UTC; question)."""
        ...

    async def unanswered_groups(self, limit: int) -> list[UnansweredGroup]:
        """The declined questions asked most, grouped (by meaning, else by their words)."""
        ...

    async def training_export(self, since: str | None) -> TrainingExport:
        """The learned reader's training data from what readers did since `since` (ISO time,
        UTC; None: everything kept): the (question, sentence) pairs their 👍/👎 labelled (the
        majority of the readers of identical questions; ties dropped) and the declined questions
        for an editor to answer (qabot/stores/training.py says what a vote does and does not
        say). Only what is still stored: /forget and the retention purge deleted the rest."""
        ...

    async def outcomes_today(self) -> dict[str, int]:
        """Today's questions (UTC) by outcome, "answered" and "declined"; an outcome not seen
        today is absent."""
        ...

    async def last_reindex(self) -> str | None:
        """When the last re-index run from Telegram or the desk ended and what it did, as the
        front end that ran it wrote it (None before the first)."""
        ...

    async def desk_link(self, admin_id: int, via: str) -> str:
        """A one-time sign-in link to the editors' desk for `admin_id` (one of
        TELEGRAM_ADMIN_IDS: the front end checks who asks), signed with the bot's token and
        written to the audit log as asked `via` ("telegram", "terminal")."""
        ...


class FrontDoor(RecordsDoor, Protocol):
    """What the front ends need: ask, read, look after the index. Expected failures raise
    QabotError subclasses, whose message is a sentence an admin can act on."""

    @property
    def answerer(self) -> str:
        """How answers are written, for /status: "extractive", or the LLM with its fallback."""
        ...

    async def open(self) -> None:
        """Get ready to serve (opens and verifies the live index when there is one)."""

    async def close(self) -> None:
        """Let go of threads, files and clients."""

    async def ready(self) -> list[Check]:
        """Whether questions can be answered now: the index open and verified, the models
        loaded (`/readyz`); cheap enough for a probe every few seconds."""
        ...

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_partial: PartialCallback | None = None
    ) -> Answer:
        """A verified, cited answer (or a refusal); while an LLM writes it, the sentences that
        already passed the citation check are streamed to `on_partial` (never raw model text)."""
        ...

    async def stats(self) -> IndexStats:
        """What the live index holds; raises IndexNotReady (a QabotError) before the first index."""
        ...

    async def article(self, article_id: str) -> Article | None:
        """An indexed article by id, None when a re-index removed it."""
        ...

    async def article_view(self, name: str) -> ArticleView | None:
        """An article's page: its file, the article, its chunks and its syndicated copies as
        the live index holds them; None when neither ARTICLES_DIR nor the index has `name`."""
        ...

    async def latest(self, limit: int = 5, topic: str | None = None) -> list[Headline]:
        """The newest articles (on `topic`: the newest of those about it), one per story."""
        ...

    async def search(self, question: str, k: int | None = None, mode: str | None = None) -> SearchResult:
        """The passages retrieved for `question`, read as a question is read (its terms, the
        period it asks about), without answering: the best `k` (default RETRIEVAL_K) in `mode`
        (one of MODES; default RETRIEVAL_MODE). Raises IndexNotReady before the first index."""
        ...

    async def reindex(
        self, *, full: bool = False, progress: Progress | None = None, count_preparation: bool = False
    ) -> ReindexReport:
        """Bring the index in line with ARTICLES_DIR (everything with `full`), then serve it;
        questions keep being answered from the previous index meanwhile. `count_preparation`:
        the report counts the time this process spent preparing the encoder's model (a first
        run on a machine), for a one-shot `qabot index`."""
        ...

    async def check_feed(self, url: str, resolve: Resolver = system_resolver) -> None:
        """Raises AddressRefused (why, host) unless `url` is an http(s) URL to a public address
        (FEEDS_ALLOW_PRIVATE aside), its host name resolved now with `resolve`."""

    async def poll_feeds(
        self, urls: Sequence[str], states: FeedStates, resolve: Resolver = system_resolver
    ) -> PollReport:
        """One pass over the feeds `urls`: new and changed items saved as articles in
        ARTICLES_DIR (a re-index makes them searchable). What the poller knows (validators,
        items seen) lives in `states`, the bot's store, so no item is read twice; every host is
        resolved with `resolve` and checked public at each fetch."""
        ...

    async def read_article(self, name: str, data: bytes) -> ArticleInfo:
        """Read an offered article file as the index would (`name`: a plain .txt/.md file
        name); raises ArticleRejected with the reason when it is not a usable article."""
        ...

    async def library(self, contains: str | None = None, limit: int = 200) -> list[LibraryEntry]:
        """The article files (whose name, title or source contains `contains`), by name."""
        ...

    async def add_article(self, name: str, data: bytes, on_taken: OnTaken) -> str | None:
        """Save an offered article file after read_article's checks (ArticleRejected with the
        reason); when the name is taken: None ("refuse"), replace it, or keep both (a free
        `name-2.txt`). Returns the name saved; a re-index makes it searchable."""
        ...

    async def trash_article(self, name: str) -> TrashedFile:
        """Move an article file into the restorable trash (FileNotFoundError when absent)."""
        ...

    async def trashed_articles(self) -> list[TrashedFile]:
        """The trash, most recently deleted first."""
        ...

    async def restore_article(self, key: str) -> str | None:
        """Put a trashed article back; None when its name is taken again."""
        ...

    async def embed_questions(self, texts: Sequence[str]) -> list[list[float]]:
        """Each question's vector by the question encoder (unit length, off the event loop):
        what groups readers' declined questions by meaning on the desk."""
        ...
