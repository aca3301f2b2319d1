"""What readers asked, as the front ends read it: the questions with their answers and votes,
the votes, the declined questions grouped, the week's activity (the desk's pages; the front
door offers them, `qabot.frontdoor.FrontDoor`). Reads of the answers' tables, off the event
loop, in one transaction each."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qabot.stores import database
from qabot.stores.database import Database

# Of each group shown, the latest wordings read (for the list of wordings and nearest articles).
WORDINGS_READ = 20


@dataclass(frozen=True, slots=True)
class CitedRecord:
    """A passage an answer cited, as stored with the answer."""

    n: int
    article_id: str
    title: str
    date: str | None
    text: str


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """A question a reader asked, with the answer they got and the votes it received."""

    id: int
    at: str  # ISO time, UTC
    user_id: int | None
    chat_id: int
    question: str
    answer: str  # the cited sentences (the body)
    lead: str | None  # the fact the answer led with
    answered: bool
    answerer: str
    note: str | None
    total_ms: float | None
    citations: tuple[CitedRecord, ...]
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """A reader's 👍 (1) or 👎 (-1) with the question, answer and passages it judged."""

    at: str
    user_id: int
    vote: int
    question: str
    answer: str
    citations: tuple[CitedRecord, ...]


@dataclass(frozen=True, slots=True)
class UnansweredGroup:
    """Declined questions that ask the same thing (near in meaning, by the question encoder;
    by the same words until a background job has embedded them), with how often and when last."""

    question: str  # the most recent wording
    count: int
    last_at: str
    wordings: tuple[str, ...]
    nearest: tuple[str, ...] = ()  # titles of the articles nearest it, most often offered first


@dataclass(frozen=True, slots=True)
class Activity:
    """Questions of the day and of the last seven days, with their outcomes."""

    today: int
    week: int
    week_declined: int
    up: int
    down: int
    p95_ms: float | None


@dataclass(frozen=True, slots=True)
class QuestionFilter:
    declined: bool = False
    downvoted: bool = False
    day: str | None = None  # YYYY-MM-DD (UTC)
    word: str | None = None
    limit: int = 50


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


class AskedRecords:
    """The reads of what readers asked and how they judged the answers."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def activity(self, since_day: str, today: str) -> Activity:
        a, f = database.answers, database.feedback

        def read(db: Connection) -> Activity:
            week = db.execute(
                sa.select(a.c.created_at, a.c.answered, a.c.total_ms).where(a.c.created_at >= since_day)
            ).all()
            votes: dict[int, int] = {int(str(v)): int(str(n)) for v, n in db.execute(
                sa.select(f.c.vote, sa.func.count()).where(f.c.created_at >= since_day).group_by(f.c.vote)
            )}
            return Activity(
                today=sum(1 for r in week if r[0] >= today),
                week=len(week),
                week_declined=sum(1 for r in week if not r[1]),
                up=int(votes.get(1, 0)),
                down=int(votes.get(-1, 0)),
                p95_ms=p95([float(r[2]) for r in week if r[2] is not None]),
            )

        return await self.db.run(read)

    async def questions(self, which: QuestionFilter) -> list[QuestionRecord]:
        a, f = database.answers, database.feedback
        up = sa.select(sa.func.count()).where(f.c.answer_id == a.c.id, f.c.vote == 1).scalar_subquery()
        down = sa.select(sa.func.count()).where(f.c.answer_id == a.c.id, f.c.vote == -1).scalar_subquery()
        query = sa.select(
            a.c.id, a.c.created_at, a.c.user_id, a.c.chat_id, a.c.question, a.c.text, a.c.answered,
            a.c.answerer, a.c.note, a.c.total_ms, up, down, a.c.lead,
        )
        if which.declined:
            query = query.where(a.c.answered == 0)
        if which.downvoted:
            query = query.where(down > 0)
        if which.day:
            query = query.where(a.c.created_at.startswith(which.day))
        if which.word:
            pattern = f"%{which.word.lower()}%"
            query = query.where(sa.or_(sa.func.lower(a.c.question).like(pattern), sa.func.lower(a.c.text).like(pattern)))
        query = query.order_by(a.c.id.desc()).limit(which.limit)

        def read(db: Connection) -> list[QuestionRecord]:
            rows = db.execute(query).all()
            cited = self._citations(db, [r[0] for r in rows])
            return [
                QuestionRecord(
                    id=r[0], at=r[1], user_id=r[2], chat_id=r[3], question=r[4], answer=r[5], lead=r[12],
                    answered=bool(r[6]), answerer=r[7], note=r[8], total_ms=r[9],
                    citations=cited.get(r[0], ()), up=int(r[10]), down=int(r[11]),
                )
                for r in rows
            ]

        return await self.db.run(read)

    @staticmethod
    def _citations(db: Connection, answer_ids: list[int]) -> dict[int, tuple[CitedRecord, ...]]:
        c = database.citations
        found: dict[int, list[CitedRecord]] = defaultdict(list)
        if answer_ids:
            for r in db.execute(
                sa.select(c.c.answer_id, c.c.n, c.c.article_id, c.c.title, c.c.date, c.c.text)
                .where(c.c.answer_id.in_(answer_ids)).order_by(c.c.answer_id, c.c.n)
            ):
                found[r[0]].append(CitedRecord(n=r[1], article_id=r[2], title=r[3], date=r[4], text=r[5]))
        return {answer_id: tuple(cited) for answer_id, cited in found.items()}

    async def vote_records(self, limit: int) -> list[VoteRecord]:
        f = database.feedback

        def read(db: Connection) -> list[VoteRecord]:
            rows = db.execute(
                sa.select(f.c.created_at, f.c.user_id, f.c.vote, f.c.question, f.c.answer, f.c.citations)
                .order_by(f.c.created_at.desc(), f.c.answer_id.desc()).limit(limit)
            ).all()
            return [
                VoteRecord(at=r[0], user_id=r[1], vote=r[2], question=r[3], answer=r[4], citations=tuple(
                    CitedRecord(n=c["n"], article_id=c["article"], title=c["title"], date=c["date"], text=c["text"])
                    for c in json.loads(r[5])
                ))
                for r in rows
            ]

        return await self.db.run(read)

    async def unanswered_groups(self, limit: int) -> list[UnansweredGroup]:
        """The most asked declined questions: grouped by the group stored with each (by meaning,
        `bot.question_groups`; by their words until the job reaches them), two GROUP BYs on
        indexed columns, then the wordings and nearest articles of those groups only."""
        u = database.unanswered

        def top(column: sa.ColumnElement[Any], grouped: bool) -> sa.Select[Any]:
            return (
                sa.select(column, sa.func.count(), sa.func.max(u.c.created_at))
                .where(u.c.group_id.is_not(None) if grouped else u.c.group_id.is_(None))
                .group_by(column).order_by(sa.func.count().desc(), sa.func.max(u.c.created_at).desc()).limit(limit)
            )

        def read(db: Connection) -> list[UnansweredGroup]:
            # ("g", group id) or ("k", words): a question's words ("2019") never pass for an id.
            found = [(("g", str(g)), int(str(n)), str(last)) for g, n, last in db.execute(top(u.c.group_id, True))]
            found += [(("k", str(k)), int(str(n)), str(last)) for k, n, last in db.execute(top(u.c.group_key, False))]
            found = sorted(found, key=lambda f: (f[1], f[2]), reverse=True)[:limit]
            ids = [int(g[1]) for g, _, _ in found if g[0] == "g"]
            keys = [g[1] for g, _, _ in found if g[0] == "k"]
            rows: dict[tuple[str, str], list[tuple[str, str | None]]] = defaultdict(list)
            for group_id, key, question, nearest in db.execute(
                sa.select(u.c.group_id, u.c.group_key, u.c.question, u.c.nearest)
                .where(sa.or_(u.c.group_id.in_(ids), sa.and_(u.c.group_id.is_(None), u.c.group_key.in_(keys))))
                .order_by(u.c.id.desc())
            ):
                group = ("k", str(key)) if group_id is None else ("g", str(group_id))
                if len(rows[group]) < WORDINGS_READ:
                    rows[group].append((str(question), None if nearest is None else str(nearest)))
            return [self._group(rows[group], count, last) for group, count, last in found]

        return await self.db.run(read)

    @staticmethod
    def _group(rows: list[tuple[str, str | None]], count: int, last_at: str) -> UnansweredGroup:
        offered = Counter(title for _, nearest in rows for title in (json.loads(nearest) if nearest else []))
        return UnansweredGroup(
            question=rows[0][0] if rows else "", count=count, last_at=last_at,
            wordings=tuple(dict.fromkeys(question for question, _ in rows)),
            nearest=tuple(title for title, _ in offered.most_common(3)),
        )
