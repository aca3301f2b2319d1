"""The one engine every store shares: the bot's database, its transactions and its migrations.

SQLite under DATA_DIR by default; PostgreSQL when DATABASE_URL names one, so several `qabot
run` processes can serve one bot. One SQLAlchemy Core code path for both; the schema is made
by the Alembic migrations in qabot/stores/migrations, applied when the database opens, and
its tables are declared at the end of this module, for queries. Every call is a short
synchronous transaction; `run` takes it off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from retrieval.errors import QabotError

T = TypeVar("T")

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Taken (transaction-scoped) while migrating, so workers starting together migrate one by one.
MIGRATION_LOCK_KEY = 0x71AB07_0001


class StoreUnavailable(QabotError):
    """The bot's database cannot be reached or opened."""


def now_text() -> str:
    """The stores' timestamp text (ISO 8601, UTC, seconds): comparable as text."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def database_url(url: str | Path) -> str:
    """A SQLAlchemy URL: a Path is a SQLite file; `postgresql://` and `postgres://` use psycopg 3."""
    if isinstance(url, Path):
        return f"sqlite:///{url}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # SQLAlchemy emits BEGIN itself (below), so pysqlite's own transaction handling is off.
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed process
            # loses nothing committed (only a power cut could lose the last commits), and a
            # question's four short transactions do not each wait for the disk.
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # IMMEDIATE: the write lock is taken at BEGIN, so a read-modify-write (a rate-limit
            # window) cannot interleave with another process's.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # pre_ping: a connection broken by a database restart is replaced instead of failing a user.
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it is there)."""
    # Alembic (0.3 s to import) only when a database opens: the record types the front door
    # names come from these modules, and a one-shot command never opens the database.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """One engine and its transactions, shared by every store; safe across worker threads.
    Opening it migrates the schema to the newest revision."""

    def __init__(self, url: str | Path) -> None:
        self.url = database_url(url)
        self.engine = create_engine(self.url)
        self.dialect = self.engine.dialect.name
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        # SQLite allows one writer at a time: serialising here avoids busy waits inside a process.
        self._lock = threading.Lock() if self.dialect == "sqlite" else contextlib.nullcontext()
        try:
            migrate(self.engine)
        except sa.exc.OperationalError as exc:
            self.engine.dispose()
            raise StoreUnavailable(
                f"The bot's database at {self.safe_url} cannot be opened ({exc.orig}): check "
                "DATABASE_URL and that the server is running."
            ) from None

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return sa.make_url(self.url).render_as_string(hide_password=True)

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` in one transaction on a worker thread; committed when it returns."""
        return await asyncio.to_thread(self.transact, fn)

    def transact(self, fn: Callable[[Connection], T]) -> T:
        """`fn` in one transaction, on this thread (for callers already off the event loop)."""
        with self.connection() as db:
            return fn(db)

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """One transaction, committed when the block ends."""
        with self._lock, self.engine.begin() as db:
            yield db

    def insert(self, table: sa.Table) -> sqlite.Insert | postgresql.Insert:
        """INSERT with the dialect's ON CONFLICT clauses (both backends speak them)."""
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    async def ping(self) -> None:
        """A round trip to the database (readiness); raises SQLAlchemyError when unreachable."""
        await self.run(lambda db: db.execute(sa.text("SELECT 1")))

    def dispose(self) -> None:
        self.engine.dispose()

    async def close(self) -> None:
        await asyncio.to_thread(self.engine.dispose)


# The tables as SQLAlchemy Core objects, for queries: the schema itself is made by the Alembic
# migrations in qabot/stores/migrations, and this must describe their result
# (tests/qabot/stores/test_rooms.py compares them).
metadata = sa.MetaData()

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

answers = sa.Table(
    "answers", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.BigInteger),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # the body; the bot composes lead, framing, note
    sa.Column("answered", sa.Integer, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("answerer", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("total_ms", sa.Float),
    sa.Column("lead", sa.Text),
    sa.Column("framing", sa.Text),
    sa.Column("intent", sa.Text),  # fact, open or timeline (answering.query); NULL: a fact
    sa.Column("reported", sa.Text),  # "AFP, 12 décembre 2016": closes a fact answer
)
citations = sa.Table(
    "citations", metadata,
    sa.Column("answer_id", ID, sa.ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("date", sa.Text),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
feedback = sa.Table(
    "feedback", metadata,
    sa.Column("answer_id", ID, sa.ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("vote", sa.Integer, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
unanswered = sa.Table(
    "unanswered", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.BigInteger),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("nearest", sa.Text),  # JSON list of the nearest articles' titles
    sa.Column("group_key", sa.Text),  # answers.question_key: declined questions grouped by it
    # Grouped by meaning (bot/question_groups.py): the group's first question's id, and this
    # question's vector (float32, normalised) for the questions after it. NULL until the job.
    sa.Column("group_id", sa.BigInteger),
    sa.Column("vector", sa.LargeBinary),
)
counters = sa.Table(
    "counters", metadata,
    sa.Column("day", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)
meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
turns = sa.Table(
    "turns", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    # The asker: follow-ups are per (chat, user). NULL for a group's turns written before
    # migration 0004, which are nobody's follow-up.
    sa.Column("user_id", sa.BigInteger),
)
rate_windows = sa.Table(
    "rate_windows", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("stamps", sa.Text, nullable=False),
)
updates_seen = sa.Table(
    "updates_seen", metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seen_at", sa.Float, nullable=False),
)
feeds = sa.Table(
    "feeds", metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("added_by", sa.BigInteger),
    sa.Column("added_at", sa.Text, nullable=False),
)
job_runs = sa.Table(
    "job_runs", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("slot", sa.Text, primary_key=True),
    sa.Column("worker", sa.Text, nullable=False),
    sa.Column("claimed_at", sa.Text, nullable=False),
)
feed_state = sa.Table(
    "feed_state", metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("last_polled", sa.Text),
    sa.Column("last_error", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("item_errors", sa.Text, nullable=False),
)
feed_items = sa.Table(
    "feed_items", metadata,
    sa.Column("feed_url", sa.Text, primary_key=True),
    sa.Column("item_id", sa.Text, primary_key=True),
    sa.Column("entry", sa.Text, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("saved_at", sa.Text, nullable=False),
)
alerts = sa.Table(
    "alerts", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("opened_at", sa.Text, nullable=False),
    sa.Column("worker", sa.Text, nullable=False),
)

# The editors' desk (web/desk): one-time sign-in links and sessions (both stored as sha256 of
# the secret the browser holds, never the secret), and the audit log of admin actions.
desk_links = sa.Table(
    "desk_links", metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("admin_id", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("used_at", sa.Float),
)
desk_sessions = sa.Table(
    "desk_sessions", metadata,
    sa.Column("id_hash", sa.Text, primary_key=True),
    sa.Column("admin_id", sa.BigInteger, nullable=False),
    sa.Column("csrf", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("admin_id", sa.BigInteger),
    sa.Column("via", sa.Text, nullable=False),  # "desk" or "telegram"
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)
