"""Answers and votes: each answer with copies of its cited passages, the readers' votes on it,
the declined questions, and the day's answered/declined counters.

Buttons under an answer carry only `answer id + index`; what they open is read back from here,
so they keep working after a restart, on any worker, and only in the chat the answer was sent
in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from answering.protocol import Answer, compose
from answering.timeline import TIMELINE_PAGE
from qabot.stores import database
from qabot.stores.database import Database, now_text

_MARKER = re.compile(r"\[(\d{1,3})\]")


def question_key(question: str) -> str:
    """What makes two declined questions "the same" on the desk: their words, with case,
    accents, punctuation and spacing set aside ("Où est Alep ?" ~ "ou est alep"). Stored with
    the question, so grouping is a GROUP BY, never work at page time."""
    folded = unicodedata.normalize("NFKD", question.casefold())
    letters = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", letters))[:500]


@dataclass(frozen=True, slots=True)
class CitedPassage:
    """What a citation button and the passage view need (a stored copy of the citation)."""

    n: int
    article_id: str
    title: str
    date: str | None
    text: str
    start: int = 0  # where the passage starts in its article's text (to open the right page)


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An answer as the store keeps it: enough to re-render it and its buttons after a restart."""

    id: int
    chat_id: int
    question: str
    text: str  # the body, with its `[n]` markers
    answered: bool
    language: str
    note: str | None
    citations: tuple[CitedPassage, ...]
    lead: str | None = None  # the fact the answer leads with, shown in bold above the body
    framing: str | None = None  # "D'après les articles :", before a body of quotes
    intent: str = "fact"  # fact, open or timeline (answering.query): a timeline is paged
    reported: str | None = None  # "AFP, 12 décembre 2016", closing a fact answer

    def citation(self, n: int) -> CitedPassage | None:
        return next((c for c in self.citations if c.n == n), None)

    @property
    def framed(self) -> str:
        """The body after its framing, closed by who reported it."""
        return compose(self.text, framing=self.framing, reported=self.reported if self.answered else None)

    def composed(self) -> str:
        """The answer as one text (Markdown bold lead), as a vote's record keeps what was read."""
        return compose(self.text, self.lead, self.framing, self.note if self.answered else None,
                       reported=self.reported if self.answered else None)

    @property
    def pages(self) -> int:
        """How many pages it is shown in: a timeline TIMELINE_PAGE lines a page, else one."""
        if self.intent != "timeline" or not self.answered:
            return 1
        return max(1, -(-len(self.text.split("\n")) // TIMELINE_PAGE))

    def page(self, number: int) -> StoredAnswer:
        """The answer as page `number` shows it: that page's lines of a timeline, and only the
        citations they hold (any other answer is one page, itself)."""
        if self.pages == 1:
            return self
        lines = self.text.split("\n")[number * TIMELINE_PAGE : (number + 1) * TIMELINE_PAGE]
        held = {int(n) for line in lines for n in _MARKER.findall(line)}
        return replace(self, text="\n".join(lines), citations=tuple(c for c in self.citations if c.n in held))


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


class AnswerStore:
    """Answers, their citations and votes, declined questions and the day's counters."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save_answer(self, chat_id: int, user_id: int | None, answer: Answer) -> StoredAnswer:
        """Store an answer with copies of its cited passages; returns it with its id."""
        citations = tuple(
            CitedPassage(c.n, c.passage.article_id, c.passage.title, c.passage.date, c.passage.text, c.passage.start)
            for c in answer.citations
        )
        spans = {c.n: (c.passage.start, c.passage.end) for c in answer.citations}

        def write(db: Connection) -> int:
            answer_id: int = db.execute(
                database.answers.insert().values(
                    chat_id=chat_id, user_id=user_id, question=answer.question, text=answer.text,
                    answered=int(answer.answered), language=answer.language, answerer=answer.answerer,
                    note=answer.note, lead=answer.short_answer, framing=answer.framing, intent=answer.intent,
                    reported=answer.reported, created_at=now_text(),
                    total_ms=answer.timings_ms.get("total"),
                ).returning(database.answers.c.id)
            ).scalar_one()
            if citations:
                db.execute(database.citations.insert(), [
                    {"answer_id": answer_id, "n": c.n, "article_id": c.article_id, "title": c.title,
                     "date": c.date, "start": spans[c.n][0], "end": spans[c.n][1], "text": c.text}
                    for c in citations
                ])
            self._bump(db, _today(), "answered" if answer.answered else "declined")
            if not answer.answered:
                db.execute(database.unanswered.insert().values(
                    chat_id=chat_id, user_id=user_id, question=answer.question, created_at=now_text(),
                    group_key=question_key(answer.question),
                    # The articles nearest the question, as the refusal offered them: what the
                    # desk shows an editor beside it.
                    nearest=json.dumps(answer.suggestions, ensure_ascii=False) if answer.suggestions else None,
                ))
            return int(answer_id)

        answer_id = await self.db.run(write)
        return StoredAnswer(
            id=answer_id, chat_id=chat_id, question=answer.question, text=answer.text,
            answered=answer.answered, language=answer.language, note=answer.note, citations=citations,
            lead=answer.short_answer, framing=answer.framing, intent=answer.intent, reported=answer.reported,
        )

    async def answer(self, answer_id: int, chat_id: int) -> StoredAnswer | None:
        """The answer, only if it was sent in `chat_id` (callback data cannot cross chats)."""
        a, c = database.answers, database.citations

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

        return await self.db.run(read)

    async def copy_answer(self, answer_id: int, from_chat: int, to_chat: int) -> StoredAnswer | None:
        """A copy of an answer of `from_chat` filed under `to_chat` (a shared answer opened in a
        private chat: its buttons then work there); None if there is no such answer."""
        a, c = database.answers, database.citations

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
                    reported=row[10], created_at=now_text(),
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

        new_id = await self.db.run(copy)
        return None if new_id is None else await self.answer(new_id, to_chat)

    # --- votes ---------------------------------------------------------------------------

    async def vote(self, answer: StoredAnswer, user_id: int, vote: int) -> None:
        """Record (or change) a user's vote, with the question, the answer and its citations."""
        citations = json.dumps(
            [{"n": c.n, "article": c.article_id, "title": c.title, "date": c.date, "text": c.text}
             for c in answer.citations],
            ensure_ascii=False,
        )

        def write(db: Connection) -> None:
            insert = self.db.insert(database.feedback).values(
                answer_id=answer.id, user_id=user_id, vote=vote, question=answer.question,
                answer=answer.composed(), citations=citations, created_at=now_text(),
            )
            db.execute(insert.on_conflict_do_update(
                index_elements=["answer_id", "user_id"],
                set_={"vote": insert.excluded.vote, "created_at": insert.excluded.created_at},
            ))

        await self.db.run(write)

    # --- declined questions and counters ---------------------------------------------------

    async def unanswered(self, limit: int = 10) -> list[tuple[str, str]]:
        """The most recent declined questions, newest first, as (created_at, question)."""
        u = database.unanswered
        rows = await self.db.run(
            lambda db: db.execute(
                sa.select(u.c.created_at, u.c.question).order_by(u.c.id.desc()).limit(limit)
            ).all()
        )
        return [(r[0], r[1]) for r in rows]

    def _bump(self, db: Connection, day: str, name: str) -> None:
        insert = self.db.insert(database.counters).values(day=day, name=name, count=1)
        db.execute(insert.on_conflict_do_update(
            index_elements=["day", "name"], set_={"count": database.counters.c.count + 1}
        ))

    async def today(self) -> dict[str, int]:
        c = database.counters
        rows = await self.db.run(
            lambda db: db.execute(sa.select(c.c.name, c.c.count).where(c.c.day == _today())).all()
        )
        return {str(name): int(str(count)) for name, count in rows}
