"""A reader's data in the bot's database: what `/mydata` sends, what `/forget` deletes, and the
daily purge of rows older than DATA_RETENTION_DAYS.

Every table that holds a user id or a text a user caused is listed here, and nowhere else:
- `answers` (with their `citations`): the person's questions and the bot's answers, in any
  chat, inline (chat 0: what their shared links open) and the copies a shared link made in
  other people's chats (a copy keeps its asker);
- `feedback`: their votes, and other people's votes on their answers (a vote copies the
  question and the answer, so it goes with them);
- `unanswered`: one row per declined question, with its asker — never an aggregate by text, so
  a person's contribution can be removed exactly; any count by text is made from these rows
  when it is read;
- `turns`: their conversation turns (per chat and asker);
- `rate_windows`: when they last asked;
- `feeds.added_by`: the feeds an admin added stay (the newsroom's configuration), unattributed.
`counters` (answered/declined per day), `updates_seen`, `job_runs` and `meta` hold no person.
(Outside the database: an admin's upload waiting for "replace or keep both" is a file named
with their id in ARTICLES_DIR for 24 hours, bot/uploads.py.)

`forget` and `export` are one transaction each; `purge` runs a few. `ReaderDataStore` runs them
on the shared engine, off the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qabot.stores import database
from qabot.stores.database import Database

T = TypeVar("T")


class Run(Protocol):
    """The store's runner: `fn` in one transaction, off the event loop."""

    def __call__(self, fn: Callable[[Connection], T], /) -> Awaitable[T]: ...


# Rate windows are read and deleted in slices, so the daily purge never holds SQLite's write
# lock for a whole table of users.
RATE_WINDOW_SLICE = 500


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What `/forget` deleted about one person."""

    questions: int  # their questions with the bot's answers, in every chat
    citations: int  # the passages those answers cited (copies kept for the buttons)
    shared: int  # of the questions, those asked inline: the answers their shared links opened
    votes: int  # their votes
    votes_on_theirs: int  # other people's votes on their answers (which copy their question)
    unanswered: int  # their declined questions
    turns: int  # their conversation turns
    rate_windows: int  # their rate-limit window
    feeds: int  # feeds they added, kept without their id
    answer_ids: frozenset[int]  # for caches that hold answers (the inline cache)


@dataclass(frozen=True, slots=True)
class Purged:
    """What the retention purge deleted, by table."""

    answers: int
    citations: int
    votes: int
    unanswered: int
    turns: int
    rate_windows: int


def _stamp(moment: datetime) -> str:
    """The store's timestamp text (ISO 8601, UTC, seconds): comparable as text."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _deleted(db: Connection, statement: Any) -> int:
    # RETURNING rather than rowcount: psycopg reports -1 for some statements.
    return len(db.execute(statement.returning(sa.literal(1))).all())


def forget(db: Connection, user_id: int, inline_chat: int) -> Forgotten:
    """Delete everything stored about `user_id`; what was deleted, counted."""
    a, c, f = database.answers, database.citations, database.feedback
    rows = [(int(answer_id), int(chat)) for answer_id, chat in
            db.execute(sa.select(a.c.id, a.c.chat_id).where(a.c.user_id == user_id)).tuples()]
    theirs = sa.select(a.c.id).where(a.c.user_id == user_id).scalar_subquery()
    votes = _deleted(db, f.delete().where(f.c.user_id == user_id))
    votes_on_theirs = _deleted(db, f.delete().where(f.c.answer_id.in_(theirs)))
    # Explicit rather than ON DELETE CASCADE: the count is reported, and a database adopted from
    # before the migrations may lack the foreign key.
    citations = _deleted(db, c.delete().where(c.c.answer_id.in_(theirs)))
    questions = _deleted(db, a.delete().where(a.c.user_id == user_id))
    return Forgotten(
        questions=questions,
        citations=citations,
        shared=sum(1 for _id, chat in rows if chat == inline_chat),
        votes=votes,
        votes_on_theirs=votes_on_theirs,
        unanswered=_deleted(db, database.unanswered.delete().where(database.unanswered.c.user_id == user_id)),
        turns=_deleted(db, database.turns.delete().where(database.turns.c.user_id == user_id)),
        rate_windows=_deleted(db, database.rate_windows.delete().where(database.rate_windows.c.user_id == user_id)),
        feeds=_deleted(db, database.feeds.update().where(database.feeds.c.added_by == user_id).values(added_by=None)),
        answer_ids=frozenset(answer_id for answer_id, _chat in rows),
    )


def export(db: Connection, user_id: int, now: datetime) -> dict[str, object]:
    """Everything stored about `user_id`, as a JSON-ready document."""
    return {
        "user_id": user_id,
        "exported_at": _stamp(now),
        "questions": _questions(db, user_id),
        "votes": _votes(db, user_id),
        "unanswered": [
            {"chat_id": r.chat_id, "question": r.question, "asked_at": r.created_at}
            for r in db.execute(
                sa.select(database.unanswered).where(database.unanswered.c.user_id == user_id)
                .order_by(database.unanswered.c.id)
            )
        ],
        "conversation_turns": [
            {"chat_id": r.chat_id, "question": r.question, "answer": r.answer, "at": r.created_at}
            for r in db.execute(
                sa.select(database.turns).where(database.turns.c.user_id == user_id).order_by(database.turns.c.id)
            )
        ],
        "rate_limit_window": [
            datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")
            for stamp in json.loads(db.execute(
                sa.select(database.rate_windows.c.stamps).where(database.rate_windows.c.user_id == user_id)
            ).scalar_one_or_none() or "[]")
        ],
        "feeds_added": [
            {"url": r.url, "added_at": r.added_at}
            for r in db.execute(sa.select(database.feeds).where(database.feeds.c.added_by == user_id))
        ],
    }


def _questions(db: Connection, user_id: int) -> list[dict[str, object]]:
    a, c = database.answers, database.citations
    cited: dict[int, list[dict[str, object]]] = {}
    for r in db.execute(
        sa.select(c.c.answer_id, c.c.n, c.c.article_id, c.c.title, c.c.date)
        .where(c.c.answer_id.in_(sa.select(a.c.id).where(a.c.user_id == user_id).scalar_subquery()))
        .order_by(c.c.answer_id, c.c.n)
    ):
        cited.setdefault(r.answer_id, []).append({"n": r.n, "article": r.article_id, "title": r.title, "date": r.date})
    return [
        {"id": r.id, "chat_id": r.chat_id, "question": r.question, "answer": r.text, "answered": bool(r.answered),
         "language": r.language, "answerer": r.answerer, "note": r.note, "asked_at": r.created_at,
         "citations": cited.get(r.id, [])}
        for r in db.execute(sa.select(a).where(a.c.user_id == user_id).order_by(a.c.id))
    ]


def _votes(db: Connection, user_id: int) -> list[dict[str, object]]:
    f = database.feedback
    return [
        {"answer_id": r.answer_id, "vote": r.vote, "question": r.question, "answer": r.answer,
         "citations": json.loads(r.citations), "voted_at": r.created_at}
        for r in db.execute(sa.select(f).where(f.c.user_id == user_id).order_by(f.c.created_at, f.c.answer_id))
    ]


async def purge(run: Run, before: datetime) -> Purged:
    """Delete questions, answers, votes, declined questions and turns written before `before`,
    then the rate windows idle since then."""
    purged = await run(partial(_purge_rows, before=before))
    return replace(purged, rate_windows=await _purge_rate_windows(run, before))


def _purge_rows(db: Connection, before: datetime) -> Purged:
    # A vote goes with its answer even when it is newer: it copies the answer's question.
    a, c, f = database.answers, database.citations, database.feedback
    cutoff = _stamp(before)
    old = sa.select(a.c.id).where(a.c.created_at < cutoff).scalar_subquery()
    votes = _deleted(db, f.delete().where(f.c.created_at < cutoff))
    votes += _deleted(db, f.delete().where(f.c.answer_id.in_(old)))
    citations = _deleted(db, c.delete().where(c.c.answer_id.in_(old)))
    return Purged(
        answers=_deleted(db, a.delete().where(a.c.created_at < cutoff)),
        citations=citations,
        votes=votes,
        unanswered=_deleted(db, database.unanswered.delete().where(database.unanswered.c.created_at < cutoff)),
        turns=_deleted(db, database.turns.delete().where(database.turns.c.created_at < cutoff)),
        rate_windows=0,  # _purge_rate_windows, in slices of their own
    )


async def _purge_rate_windows(run: Run, before: datetime) -> int:
    """Delete the rate windows whose newest question is older than `before`, a slice of users
    per transaction; a window that changed since it was read (a new question) stays."""
    removed, after = 0, None
    while True:
        rows = await run(partial(_rate_windows_after, after_user=after))
        stale = [(user, stamps) for user, stamps in rows if max(json.loads(stamps), default=0.0) < before.timestamp()]
        if stale:
            removed += await run(partial(_delete_rate_windows, windows=stale))
        if len(rows) < RATE_WINDOW_SLICE:
            return removed
        after = rows[-1][0]


def _rate_windows_after(db: Connection, after_user: int | None) -> list[tuple[int, str]]:
    r = database.rate_windows
    query = sa.select(r.c.user_id, r.c.stamps).order_by(r.c.user_id).limit(RATE_WINDOW_SLICE)
    if after_user is not None:
        query = query.where(r.c.user_id > after_user)
    return [(int(user), str(stamps)) for user, stamps in db.execute(query).tuples()]


def _delete_rate_windows(db: Connection, windows: list[tuple[int, str]]) -> int:
    r = database.rate_windows
    return _deleted(db, r.delete().where(sa.tuple_(r.c.user_id, r.c.stamps).in_(windows)))


class ReaderDataStore:
    """A reader's data across every room: `/mydata`, `/forget` and the retention purge."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def forget_user(self, user_id: int, inline_chat: int) -> Forgotten:
        """`/forget`: delete everything stored about `user_id`, in one transaction."""
        return await self.db.run(partial(forget, user_id=user_id, inline_chat=inline_chat))

    async def user_data(self, user_id: int) -> dict[str, object]:
        """`/mydata`: everything stored about `user_id`, JSON-ready."""
        return await self.db.run(partial(export, user_id=user_id, now=datetime.now(UTC)))

    async def purge_before(self, before: datetime) -> Purged:
        """Delete questions, answers, votes, declined questions, turns and idle rate windows
        older than `before` (DATA_RETENTION_DAYS)."""
        return await purge(self.db.run, before)
