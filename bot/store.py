"""The bot's store: answers and their citations, votes, declined questions, counters, and what
several workers must share (conversation turns, rate-limit windows, update ids seen, job runs,
cross-worker locks).

SQLite under DATA_DIR by default; PostgreSQL when DATABASE_URL names one, so several `qabot
run` processes can serve one bot. One SQLAlchemy Core code path for both; the schema is made
by the Alembic migrations in bot/migrations, applied when the store opens.

Buttons under an answer carry only `answer id + index`; what they open is read back from here,
so they keep working after a restart, on any worker, and only in the chat the answer was sent
in. Every call is a short synchronous transaction; the async methods run it off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from bot import reader_data, schema
from bot.render import CitedPassage, StoredAnswer
from qabot.frontdoor import Answer, FeedState, QabotError, SeenItem, Turn
from qabot.records import question_key

T = TypeVar("T")

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Taken (transaction-scoped) while migrating, so workers starting together migrate one by one.
MIGRATION_LOCK_KEY = 0x71AB07_0001
# Telegram keeps an undelivered update for 24 hours; ids older than this cannot come back.
UPDATE_IDS_KEPT_S = 2 * 24 * 3600
# Telegram's group limit is per minute.
GROUP_WINDOW_S = 60.0


class StoreUnavailable(QabotError):
    """The bot's database cannot be reached or opened."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def database_url(url: str | Path) -> str:
    """A SQLAlchemy URL: a Path is a SQLite file; `postgresql://` and `postgres://` use psycopg 3."""
    if isinstance(url, Path):
        return f"sqlite:///{url}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock named `name`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _create_engine(url: str) -> Engine:
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
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class Held:
    """A cross-worker lock while held; `release()` (idempotent) lets it go."""

    name: str
    _release: Callable[[], None]
    _released: bool = False

    async def release(self) -> None:
        if not self._released:
            self._released = True
            await asyncio.to_thread(self._release)


class BotStore:
    """The bot's database behind a small async API; safe to share between worker threads."""

    def __init__(self, url: str | Path) -> None:
        self.url = database_url(url)
        self.engine = _create_engine(self.url)
        self.dialect = self.engine.dialect.name
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        # SQLite allows one writer at a time: serialising here avoids busy waits inside a process.
        self._lock = threading.Lock() if self.dialect == "sqlite" else contextlib.nullcontext()
        self._local_locks: dict[str, threading.Lock] = {}
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

    @classmethod
    async def open(cls, url: str | Path) -> BotStore:
        return await asyncio.to_thread(cls, url)

    async def _run(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` in one transaction on a worker thread; committed when it returns."""

        def transaction() -> T:
            with self._lock, self.engine.begin() as connection:
                return fn(connection)

        return await asyncio.to_thread(transaction)

    async def close(self) -> None:
        await asyncio.to_thread(self.engine.dispose)

    async def ping(self) -> None:
        """A round trip to the database (readiness); raises SQLAlchemyError when unreachable."""
        await self._run(lambda db: db.execute(sa.text("SELECT 1")))

    def _insert(self, table: sa.Table) -> Any:
        """INSERT with the dialect's ON CONFLICT clauses (both backends speak them)."""
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    # --- answers -----------------------------------------------------------------------

    async def save_answer(self, chat_id: int, user_id: int | None, answer: Answer) -> StoredAnswer:
        """Store an answer with copies of its cited passages; returns it with its id."""
        citations = tuple(
            CitedPassage(c.n, c.passage.article_id, c.passage.title, c.passage.date, c.passage.text, c.passage.start)
            for c in answer.citations
        )
        spans = {c.n: (c.passage.start, c.passage.end) for c in answer.citations}

        def write(db: Connection) -> int:
            answer_id: int = db.execute(
                schema.answers.insert().values(
                    chat_id=chat_id, user_id=user_id, question=answer.question, text=answer.text,
                    answered=int(answer.answered), language=answer.language, answerer=answer.answerer,
                    note=answer.note, lead=answer.short_answer, framing=answer.framing, intent=answer.intent,
                    reported=answer.reported, created_at=_now(),
                    total_ms=answer.timings_ms.get("total"),
                ).returning(schema.answers.c.id)
            ).scalar_one()
            if citations:
                db.execute(schema.citations.insert(), [
                    {"answer_id": answer_id, "n": c.n, "article_id": c.article_id, "title": c.title,
                     "date": c.date, "start": spans[c.n][0], "end": spans[c.n][1], "text": c.text}
                    for c in citations
                ])
            self._bump(db, _today(), "answered" if answer.answered else "declined")
            if not answer.answered:
                db.execute(schema.unanswered.insert().values(
                    chat_id=chat_id, user_id=user_id, question=answer.question, created_at=_now(),
                    group_key=question_key(answer.question),
                    # The articles nearest the question, as the refusal offered them: what the
                    # desk shows an editor beside it.
                    nearest=json.dumps(answer.suggestions, ensure_ascii=False) if answer.suggestions else None,
                ))
            return int(answer_id)

        answer_id = await self._run(write)
        return StoredAnswer(
            id=answer_id, chat_id=chat_id, question=answer.question, text=answer.text,
            answered=answer.answered, language=answer.language, note=answer.note, citations=citations,
            lead=answer.short_answer, framing=answer.framing, intent=answer.intent, reported=answer.reported,
        )

    async def answer(self, answer_id: int, chat_id: int) -> StoredAnswer | None:
        """The answer, only if it was sent in `chat_id` (callback data cannot cross chats)."""
        a, c = schema.answers, schema.citations

        def read(db: Connection) -> StoredAnswer | None:
            row = db.execute(
                sa.select(a.c.id, a.c.chat_id, a.c.question, a.c.text, a.c.answered, a.c.language, a.c.note,
                          a.c.lead, a.c.framing, a.c.intent, a.c.reported)
                .where(a.c.id == answer_id, a.c.chat_id == chat_id)
            ).one_or_none()
            if row is None:
                return None
            cited = db.execute(
                sa.select(c.c.n, c.c.article_id, c.c.title, c.c.date, c.c.text, c.c.start)
                .where(c.c.answer_id == answer_id).order_by(c.c.n)
            ).all()
            return StoredAnswer(
                id=row[0], chat_id=row[1], question=row[2], text=row[3], answered=bool(row[4]),
                language=row[5], note=row[6], citations=tuple(CitedPassage(*r._tuple()) for r in cited),
                lead=row[7], framing=row[8], intent=row[9] or "fact", reported=row[10],
            )

        return await self._run(read)

    async def copy_answer(self, answer_id: int, from_chat: int, to_chat: int) -> StoredAnswer | None:
        """A copy of an answer of `from_chat` filed under `to_chat` (a shared answer opened in a
        private chat: its buttons then work there); None if there is no such answer."""
        a, c = schema.answers, schema.citations

        def copy(db: Connection) -> int | None:
            row = db.execute(
                sa.select(a.c.user_id, a.c.question, a.c.text, a.c.answered, a.c.language, a.c.answerer, a.c.note,
                          a.c.lead, a.c.framing, a.c.intent, a.c.reported)
                .where(a.c.id == answer_id, a.c.chat_id == from_chat)
            ).one_or_none()
            if row is None:
                return None
            new_id: int = db.execute(
                a.insert().values(
                    chat_id=to_chat, user_id=row[0], question=row[1], text=row[2], answered=row[3],
                    language=row[4], answerer=row[5], note=row[6], lead=row[7], framing=row[8], intent=row[9],
                    reported=row[10], created_at=_now(),
                ).returning(a.c.id)
            ).scalar_one()
            cited = db.execute(
                sa.select(c.c.n, c.c.article_id, c.c.title, c.c.date, c.c.start, c.c.end, c.c.text)
                .where(c.c.answer_id == answer_id)
            ).all()
            if cited:
                db.execute(c.insert(), [
                    {"answer_id": new_id, "n": r[0], "article_id": r[1], "title": r[2], "date": r[3],
                     "start": r[4], "end": r[5], "text": r[6]} for r in cited
                ])
            return int(new_id)

        new_id = await self._run(copy)
        return None if new_id is None else await self.answer(new_id, to_chat)

    # --- feedback ----------------------------------------------------------------------

    async def vote(self, answer: StoredAnswer, user_id: int, vote: int) -> None:
        """Record (or change) a user's vote, with the question, the answer and its citations."""
        citations = json.dumps(
            [{"n": c.n, "article": c.article_id, "title": c.title, "date": c.date, "text": c.text}
             for c in answer.citations],
            ensure_ascii=False,
        )

        def write(db: Connection) -> None:
            insert = self._insert(schema.feedback).values(
                answer_id=answer.id, user_id=user_id, vote=vote, question=answer.question,
                answer=answer.composed(), citations=citations, created_at=_now(),
            )
            db.execute(insert.on_conflict_do_update(
                index_elements=["answer_id", "user_id"],
                set_={"vote": insert.excluded.vote, "created_at": insert.excluded.created_at},
            ))

        await self._run(write)

    async def votes(self) -> list[dict[str, object]]:
        f = schema.feedback

        def read(db: Connection) -> list[dict[str, object]]:
            rows = db.execute(
                sa.select(f.c.answer_id, f.c.user_id, f.c.vote, f.c.question, f.c.answer, f.c.citations)
                .order_by(f.c.created_at, f.c.answer_id, f.c.user_id)
            ).all()
            return [
                {"answer_id": r[0], "user_id": r[1], "vote": r[2], "question": r[3],
                 "answer": r[4], "citations": json.loads(r[5])}
                for r in rows
            ]

        return await self._run(read)

    # --- unanswered questions and counters -----------------------------------------------

    async def unanswered(self, limit: int = 10) -> list[tuple[str, str]]:
        """The most recent declined questions, newest first, as (created_at, question)."""
        u = schema.unanswered
        rows = await self._run(
            lambda db: db.execute(
                sa.select(u.c.created_at, u.c.question).order_by(u.c.id.desc()).limit(limit)
            ).all()
        )
        return [(r[0], r[1]) for r in rows]

    def _bump(self, db: Connection, day: str, name: str) -> None:
        insert = self._insert(schema.counters).values(day=day, name=name, count=1)
        db.execute(insert.on_conflict_do_update(
            index_elements=["day", "name"], set_={"count": schema.counters.c.count + 1}
        ))

    async def today(self) -> dict[str, int]:
        c = schema.counters
        rows = await self._run(
            lambda db: db.execute(sa.select(c.c.name, c.c.count).where(c.c.day == _today())).all()
        )
        return {str(name): int(str(count)) for name, count in rows}

    async def set_meta(self, key: str, value: str) -> None:
        insert = self._insert(schema.meta).values(key=key, value=value)
        await self._run(lambda db: db.execute(insert.on_conflict_do_update(
            index_elements=["key"], set_={"value": insert.excluded.value}
        )))

    async def meta(self, key: str) -> str | None:
        m = schema.meta
        return await self._run(
            lambda db: db.execute(sa.select(m.c.value).where(m.c.key == key)).scalar_one_or_none()
        )

    # --- feeds the admins added (FEEDS adds its own) ---------------------------------------

    async def feeds(self) -> list[str]:
        """The admins' feeds, oldest first."""
        f = schema.feeds
        rows = await self._run(lambda db: db.execute(sa.select(f.c.url).order_by(f.c.added_at, f.c.url)).all())
        return [str(url) for (url,) in rows]

    async def add_feed(self, url: str, user_id: int | None = None) -> bool:
        """False when the feed was already there (one row per URL, across workers)."""
        f = schema.feeds
        return await self._run(lambda db: db.execute(
            self._insert(f).values(url=url, added_by=user_id, added_at=_now()).on_conflict_do_nothing()
            .returning(f.c.url)
        ).first() is not None)

    async def remove_feed(self, url: str) -> bool:
        """False when there was no such feed."""
        f = schema.feeds
        return await self._run(lambda db: db.execute(
            f.delete().where(f.c.url == url).returning(f.c.url)
        ).first() is not None)

    # --- the feed poller's state (retrieval.sources.feeds.FeedStates; called from the poller's thread) --

    def feed_state(self, url: str) -> FeedState:
        """The feed's validators, last error, item failures and articles saved."""
        with self.connection() as db:
            return self._feed_state(db, url)

    def _feed_state(self, db: Connection, url: str) -> FeedState:
        f, i = schema.feed_state, schema.feed_items
        row = db.execute(
            sa.select(f.c.etag, f.c.last_modified, f.c.title, f.c.last_polled, f.c.last_error, f.c.failures,
                      f.c.item_errors).where(f.c.url == url)
        ).one_or_none()
        if row is None:
            return FeedState(url)
        articles = db.execute(sa.select(sa.func.count()).select_from(i).where(i.c.feed_url == url)).scalar_one()
        return FeedState(url, etag=row[0], last_modified=row[1], title=row[2], last_polled=row[3],
                         last_error=row[4], failures=int(row[5]), item_errors=json.loads(row[6]),
                         articles=int(articles))

    def seen_items(self, url: str, item_ids: Collection[str]) -> dict[str, SeenItem]:
        """Of `item_ids`, those already saved for the feed (read in slices: SQLite caps the
        number of bound values in one statement)."""
        i = schema.feed_items
        ids = list(item_ids)
        seen: dict[str, SeenItem] = {}
        with self.connection() as db:
            for start in range(0, len(ids), 500):
                rows = db.execute(
                    sa.select(i.c.item_id, i.c.entry, i.c.digest)
                    .where(i.c.feed_url == url, i.c.item_id.in_(ids[start:start + 500]))
                ).all()
                seen.update({str(r[0]): SeenItem(str(r[1]), str(r[2])) for r in rows})
        return seen

    def save_feed_state(self, state: FeedState, items: Mapping[str, SeenItem]) -> None:
        """The feed's state and the items this pass saved or re-checked, in one transaction."""
        values = {"etag": state.etag, "last_modified": state.last_modified, "title": state.title,
                  "last_polled": state.last_polled, "last_error": state.last_error,
                  "failures": state.failures, "item_errors": json.dumps(state.item_errors, ensure_ascii=False)}
        insert = self._insert(schema.feed_state).values(url=state.url, **values)
        with self.connection() as db:
            db.execute(insert.on_conflict_do_update(index_elements=["url"], set_=values))
            if items:
                rows = self._insert(schema.feed_items)
                db.execute(rows.on_conflict_do_update(
                    index_elements=["feed_url", "item_id"],
                    set_={"entry": rows.excluded.entry, "digest": rows.excluded.digest,
                          "saved_at": rows.excluded.saved_at},
                ), [{"feed_url": state.url, "item_id": item_id, "entry": item.entry, "digest": item.digest,
                     "saved_at": _now()} for item_id, item in items.items()])

    async def feed_states(self, urls: list[str]) -> dict[str, FeedState]:
        """The state of each of `urls` (for /feeds and /status)."""
        return await self._run(lambda db: {url: self._feed_state(db, url) for url in urls})

    # --- incidents the admins were told about (bot.alerts) ----------------------------------

    async def open_incident(self, key: str, detail: str) -> bool:
        """True for the one worker that opens incident `key` (it tells the admins); False
        while it is open already."""
        a = schema.alerts
        return await self._run(lambda db: db.execute(
            self._insert(a).values(key=key, detail=detail, opened_at=_now(), worker=self.worker)
            .on_conflict_do_nothing().returning(a.c.key)
        ).first() is not None)

    async def close_incident(self, key: str) -> bool:
        """True for the one worker that closes an open incident `key` (it may say so)."""
        a = schema.alerts
        return await self._run(lambda db: db.execute(
            a.delete().where(a.c.key == key).returning(a.c.key)
        ).first() is not None)

    async def incidents(self) -> dict[str, str]:
        """The open incidents: key -> what went wrong."""
        a = schema.alerts
        rows = await self._run(lambda db: db.execute(sa.select(a.c.key, a.c.detail).order_by(a.c.opened_at)).all())
        return {str(k): str(d) for k, d in rows}

    # --- conversation turns (for follow-up questions) -------------------------------------

    async def history(self, chat_id: int, user_id: int, turns: int) -> tuple[Turn, ...]:
        """`user_id`'s last `turns` exchanges in `chat_id`, oldest first: in a group each member
        has their own conversation, so one member's question is never read as another's
        follow-up."""
        t = schema.turns
        if turns <= 0:
            return ()
        rows = await self._run(lambda db: db.execute(
            sa.select(t.c.question, t.c.answer).where(t.c.chat_id == chat_id, t.c.user_id == user_id)
            .order_by(t.c.id.desc()).limit(turns)
        ).all())
        return tuple(Turn(str(q), str(a)) for q, a in reversed(rows))

    async def add_turn(self, chat_id: int, user_id: int, turn: Turn, keep: int) -> None:
        """Append `user_id`'s exchange in `chat_id` and forget all but their newest `keep` there."""
        t = schema.turns
        if keep <= 0:
            return
        theirs = sa.and_(t.c.chat_id == chat_id, t.c.user_id == user_id)

        def write(db: Connection) -> None:
            db.execute(t.insert().values(chat_id=chat_id, user_id=user_id, question=turn.question,
                                         answer=turn.answer, created_at=_now()))
            newest = sa.select(t.c.id).where(theirs).order_by(t.c.id.desc()).limit(keep)
            db.execute(t.delete().where(theirs, t.c.id.not_in(newest.scalar_subquery())))

        await self._run(write)

    async def clear_history(self, chat_id: int, user_id: int) -> None:
        """`/new`: forget `user_id`'s conversation in `chat_id` (the other members' stay)."""
        t = schema.turns
        await self._run(lambda db: db.execute(t.delete().where(t.c.chat_id == chat_id, t.c.user_id == user_id)))

    # --- rate limits ----------------------------------------------------------------------

    async def rate_check(self, user_id: int, limit: int, window_s: float, now: float | None = None) -> float:
        """0 and the question is counted, or the seconds to wait before the next one: at most
        `limit` questions per user in any sliding window of `window_s` seconds, across workers."""
        now = time.time() if now is None else now
        return await self._run(lambda db: self._count_in_window(db, user_id, limit, window_s, now))

    def _count_in_window(self, db: Connection, key: int, limit: int, window_s: float, now: float) -> float:
        """The sliding window of rate-window row `key`: 0 and `now` counted, or the wait."""
        r = schema.rate_windows
        db.execute(self._insert(r).values(user_id=key, stamps="[]").on_conflict_do_nothing())
        # FOR UPDATE locks the row on PostgreSQL until commit (SQLite's BEGIN IMMEDIATE
        # already holds the one write lock).
        raw: str = db.execute(sa.select(r.c.stamps).where(r.c.user_id == key).with_for_update()).scalar_one()
        stamps = [s for s in json.loads(raw) if now - s < window_s]
        wait = 0.0
        if len(stamps) >= limit:
            wait = max(0.1, window_s - (now - min(stamps)))
        else:
            stamps.append(now)
        db.execute(r.update().where(r.c.user_id == key).values(stamps=json.dumps(stamps)))
        return wait

    # --- a group's message budget, shared by the workers ------------------------------------

    async def take_group_message(self, chat_id: int, per_minute: float, now: float) -> float:
        """0 when one more message may be posted in group `chat_id` now (it is then counted), or
        the seconds to wait: Telegram's "20 messages per minute in a group" counted for all the
        workers together, as a sliding minute. The group's window is the rate-window row of its
        chat id: group and channel ids are negative, the user ids `rate_check` counts never are.
        Raises StoreUnavailable when the database cannot be reached."""
        if chat_id >= 0:
            raise ValueError(f"not a group's chat id: {chat_id}")

        def take(db: Connection) -> float:
            if self.dialect == "postgresql":
                # A count lost in a crash lets one group's minute run over once: not worth a
                # wait for the disk before every message (benchmarks/bench_group_budget.py).
                db.execute(sa.text("SET LOCAL synchronous_commit = off"))
            return self._count_in_window(db, chat_id, max(1, int(per_minute)), GROUP_WINDOW_S, now)

        try:
            return await self._run(take)
        except sa.exc.SQLAlchemyError as exc:  # unreachable, or no pooled connection in time
            raise StoreUnavailable(f"the group's message budget could not be read ({exc})") from exc

    # --- several workers ------------------------------------------------------------------

    async def first_delivery(self, update_id: int) -> bool:
        """True the first time any worker sees `update_id`; False for a redelivery."""
        u = schema.updates_seen
        now = time.time()

        def claim(db: Connection) -> bool:
            # RETURNING rather than rowcount: psycopg reports -1 for an INSERT … ON CONFLICT here.
            inserted = db.execute(
                self._insert(u).values(update_id=update_id, seen_at=now).on_conflict_do_nothing()
                .returning(u.c.update_id)
            ).first() is not None
            if update_id % 500 == 0:  # now and then, forget ids Telegram can no longer resend
                db.execute(u.delete().where(u.c.seen_at < now - UPDATE_IDS_KEPT_S))
            return bool(inserted)

        return await self._run(claim)

    async def claim_job(self, name: str, slot: str) -> bool:
        """True for the one worker that runs job `name` for period `slot` (e.g. '2026-11-30T06')."""
        j = schema.job_runs
        return await self._run(lambda db: db.execute(
            self._insert(j).values(name=name, slot=slot, worker=self.worker, claimed_at=_now())
            .on_conflict_do_nothing().returning(j.c.name)
        ).first() is not None)

    async def forget_job_runs(self, name: str, before_slot: str) -> None:
        """Drop job `name`'s claims of the periods before `before_slot`: they decide nothing
        any more, and a job run every minute would otherwise keep a row for every period."""
        j = schema.job_runs
        await self._run(lambda db: db.execute(j.delete().where(j.c.name == name, j.c.slot < before_slot)))

    async def try_exclusive(self, name: str) -> Held | None:
        """Take the cross-worker lock `name` without waiting; None when another holder has it.

        PostgreSQL: a session advisory lock on a connection kept for as long as it is held, so
        a worker that dies (even kill -9) releases it with its connection. SQLite (one machine):
        a lock within this process; the index's own file lock covers other processes.
        """
        if self.dialect == "postgresql":
            return await asyncio.to_thread(self._try_advisory, name)
        lock = self._local_locks.setdefault(name, threading.Lock())
        if not lock.acquire(blocking=False):
            return None
        return Held(name, lock.release)

    def _try_advisory(self, name: str) -> Held | None:
        connection = self.engine.connect()
        try:
            got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(name)}).scalar()
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return None

        def release() -> None:
            try:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(name)})
                connection.commit()
            except sa.exc.DBAPIError as exc:  # the session is gone, and the lock with it
                logger.warning("advisory lock %s: unlock failed, connection lost: %s", name, exc)
            finally:
                connection.close()

        return Held(name, release)

    # --- a reader's data (bot/reader_data.py lists every table that holds a person) -----------

    async def forget_user(self, user_id: int, inline_chat: int) -> reader_data.Forgotten:
        """`/forget`: delete everything stored about `user_id`, in one transaction."""
        return await self._run(partial(reader_data.forget, user_id=user_id, inline_chat=inline_chat))

    async def user_data(self, user_id: int) -> dict[str, object]:
        """`/mydata`: everything stored about `user_id`, JSON-ready."""
        return await self._run(partial(reader_data.export, user_id=user_id, now=datetime.now(UTC)))

    async def purge_before(self, before: datetime) -> reader_data.Purged:
        """Delete questions, answers, votes, declined questions, turns and idle rate windows
        older than `before` (DATA_RETENTION_DAYS)."""
        return await reader_data.purge(self._run, before)

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """A transaction for code outside this module (tests, tools)."""
        with self._lock, self.engine.begin() as db:
            yield db
