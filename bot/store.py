"""The bot's SQLite store: answers and their citations, votes, declined questions, counters.

Buttons under an answer carry only `answer id + index`; what they open is read back from here,
so they keep working after a restart, and only in the chat the answer was sent in. Every call
is synchronous under a lock; the async wrappers run it off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from answering.protocol import Answer
from bot.render import CitedPassage, StoredAnswer

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    user_id INTEGER,
    question TEXT NOT NULL,
    text TEXT NOT NULL,
    answered INTEGER NOT NULL,
    language TEXT NOT NULL,
    answerer TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS citations (
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (answer_id, n)
);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    vote INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    user_id INTEGER,
    question TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, name)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


class BotStore:
    """One SQLite connection shared by worker threads, serialised by a lock."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    @classmethod
    async def open(cls, path: Path) -> BotStore:
        return await asyncio.to_thread(cls, path)

    async def _run(self, fn: Callable[[], T]) -> T:
        def locked() -> T:
            with self._lock:
                return fn()

        return await asyncio.to_thread(locked)

    async def close(self) -> None:
        await self._run(self._db.close)

    # --- answers -----------------------------------------------------------------------

    async def save_answer(self, chat_id: int, user_id: int | None, answer: Answer) -> StoredAnswer:
        """Store an answer with copies of its cited passages; returns it with its id."""
        citations = tuple(
            CitedPassage(c.n, c.passage.article_id, c.passage.title, c.passage.date, c.passage.text)
            for c in answer.citations
        )
        spans = {c.n: (c.passage.start, c.passage.end) for c in answer.citations}

        def write() -> int:
            self._db.execute("BEGIN")
            try:
                cursor = self._db.execute(
                    "INSERT INTO answers (chat_id, user_id, question, text, answered, language,"
                    " answerer, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (chat_id, user_id, answer.question, answer.text, int(answer.answered),
                     answer.language, answer.answerer, answer.note, _now()),
                )
                answer_id = int(cursor.lastrowid or 0)
                self._db.executemany(
                    'INSERT INTO citations (answer_id, n, article_id, title, date, start, "end", text)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(answer_id, c.n, c.article_id, c.title, c.date, *spans[c.n], c.text) for c in citations],
                )
                day = _today()
                name = "answered" if answer.answered else "declined"
                self._bump(day, name)
                if not answer.answered:
                    self._db.execute(
                        "INSERT INTO unanswered (chat_id, user_id, question, created_at) VALUES (?, ?, ?, ?)",
                        (chat_id, user_id, answer.question, _now()),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return answer_id

        answer_id = await self._run(write)
        return StoredAnswer(
            id=answer_id, chat_id=chat_id, question=answer.question, text=answer.text,
            answered=answer.answered, language=answer.language, note=answer.note, citations=citations,
        )

    async def answer(self, answer_id: int, chat_id: int) -> StoredAnswer | None:
        """The answer, only if it was sent in `chat_id` (callback data cannot cross chats)."""

        def read() -> StoredAnswer | None:
            row = self._db.execute(
                "SELECT id, chat_id, question, text, answered, language, note FROM answers"
                " WHERE id = ? AND chat_id = ?",
                (answer_id, chat_id),
            ).fetchone()
            if row is None:
                return None
            cited = self._db.execute(
                "SELECT n, article_id, title, date, text FROM citations WHERE answer_id = ? ORDER BY n",
                (answer_id,),
            ).fetchall()
            return StoredAnswer(
                id=row[0], chat_id=row[1], question=row[2], text=row[3], answered=bool(row[4]),
                language=row[5], note=row[6], citations=tuple(CitedPassage(*c) for c in cited),
            )

        return await self._run(read)

    # --- feedback ----------------------------------------------------------------------

    async def vote(self, answer: StoredAnswer, user_id: int, vote: int) -> None:
        """Record (or change) a user's vote, with the question, the answer and its citations."""
        citations = json.dumps(
            [{"n": c.n, "article": c.article_id, "title": c.title, "date": c.date, "text": c.text}
             for c in answer.citations],
            ensure_ascii=False,
        )

        def write() -> None:
            self._db.execute(
                "INSERT INTO feedback (answer_id, user_id, vote, question, answer, citations, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id, user_id)"
                " DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (answer.id, user_id, vote, answer.question, answer.text, citations, _now()),
            )

        await self._run(write)

    async def votes(self) -> list[dict[str, object]]:
        def read() -> list[dict[str, object]]:
            rows = self._db.execute(
                "SELECT answer_id, user_id, vote, question, answer, citations FROM feedback"
                " ORDER BY created_at"
            ).fetchall()
            return [
                {"answer_id": r[0], "user_id": r[1], "vote": r[2], "question": r[3],
                 "answer": r[4], "citations": json.loads(r[5])}
                for r in rows
            ]

        return await self._run(read)

    # --- unanswered questions and counters -----------------------------------------------

    async def unanswered(self, limit: int = 10) -> list[tuple[str, str]]:
        """The most recent declined questions, newest first, as (created_at, question)."""
        return await self._run(
            lambda: self._db.execute(
                "SELECT created_at, question FROM unanswered ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        )

    def _bump(self, day: str, name: str) -> None:
        self._db.execute(
            "INSERT INTO counters (day, name, count) VALUES (?, ?, 1)"
            " ON CONFLICT (day, name) DO UPDATE SET count = count + 1",
            (day, name),
        )

    async def today(self) -> dict[str, int]:
        rows = await self._run(
            lambda: self._db.execute(
                "SELECT name, count FROM counters WHERE day = ?", (_today(),)
            ).fetchall()
        )
        return {name: count for name, count in rows}

    async def set_meta(self, key: str, value: str) -> None:
        await self._run(
            lambda: self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        )

    async def meta(self, key: str) -> str | None:
        row = await self._run(
            lambda: self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        )
        return row[0] if row else None
