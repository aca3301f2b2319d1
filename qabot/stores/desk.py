"""The desk's store: what the editors' desk reads of the bot's records (questions, votes,
declined questions) and its own state (sign-in links, sessions, the audit log), with the record
types it hands out.

A store on the same engine and transactions as the others (one database, one migration chain);
it implements `qabot.records.DeskRecords`, and borrows the rate windows and the cross-worker
lock of the conversations' and coordination's rooms (the bot's `/reindex` takes the same lock).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qabot.stores import schema
from qabot.stores.coordination import Held

if TYPE_CHECKING:
    from qabot.stores import Stores

T = TypeVar("T")

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
class AuditEntry:
    at: str
    admin_id: int | None
    via: str  # "desk" or "telegram"
    action: str
    detail: str


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


@dataclass(frozen=True, slots=True)
class DeskSession:
    admin_id: int
    csrf: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


class DeskStore:
    """The desk's reads and writes, in the bot's database."""

    def __init__(self, stores: Callable[[], Stores]) -> None:
        # The bot opens its database in post_init, after the desk is built: read it when used.
        self._stores = stores

    @property
    def stores(self) -> Stores:
        return self._stores()

    async def _run(self, fn: Callable[[Connection], T]) -> T:
        """One engine, one transaction helper for every store."""
        return await self.stores.db.run(fn)

    # --- what readers asked ----------------------------------------------------------------

    async def activity(self, since_day: str, today: str) -> Activity:
        a, f = schema.answers, schema.feedback

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

        return await self._run(read)

    async def questions(self, which: QuestionFilter) -> list[QuestionRecord]:
        a, f = schema.answers, schema.feedback
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

        return await self._run(read)

    @staticmethod
    def _citations(db: Connection, answer_ids: list[int]) -> dict[int, tuple[CitedRecord, ...]]:
        c = schema.citations
        found: dict[int, list[CitedRecord]] = defaultdict(list)
        if answer_ids:
            for r in db.execute(
                sa.select(c.c.answer_id, c.c.n, c.c.article_id, c.c.title, c.c.date, c.c.text)
                .where(c.c.answer_id.in_(answer_ids)).order_by(c.c.answer_id, c.c.n)
            ):
                found[r[0]].append(CitedRecord(n=r[1], article_id=r[2], title=r[3], date=r[4], text=r[5]))
        return {answer_id: tuple(cited) for answer_id, cited in found.items()}

    async def vote_records(self, limit: int) -> list[VoteRecord]:
        f = schema.feedback

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

        return await self._run(read)

    async def unanswered_groups(self, limit: int) -> list[UnansweredGroup]:
        """The most asked declined questions: grouped by the group stored with each (by meaning,
        `bot.question_groups`; by their words until the job reaches them), two GROUP BYs on
        indexed columns, then the wordings and nearest articles of those groups only."""
        u = schema.unanswered

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

        return await self._run(read)

    @staticmethod
    def _group(rows: list[tuple[str, str | None]], count: int, last_at: str) -> UnansweredGroup:
        offered = Counter(title for _, nearest in rows for title in (json.loads(nearest) if nearest else []))
        return UnansweredGroup(
            question=rows[0][0] if rows else "", count=count, last_at=last_at,
            wordings=tuple(dict.fromkeys(question for question, _ in rows)),
            nearest=tuple(title for title, _ in offered.most_common(3)),
        )

    # --- the audit log -------------------------------------------------------------------

    async def audit(self, admin_id: int | None, via: str, action: str, detail: str) -> None:
        await self._run(lambda db: db.execute(schema.audit_log.insert().values(
            at=_now(), admin_id=admin_id, via=via, action=action, detail=detail,
        )))

    async def audit_entries(self, limit: int) -> list[AuditEntry]:
        log = schema.audit_log
        rows = await self._run(lambda db: db.execute(
            sa.select(log.c.at, log.c.admin_id, log.c.via, log.c.action, log.c.detail)
            .order_by(log.c.id.desc()).limit(limit)
        ).all())
        return [AuditEntry(at=r[0], admin_id=r[1], via=r[2], action=r[3], detail=r[4]) for r in rows]

    # --- sign-in -------------------------------------------------------------------------

    async def add_desk_link(self, token_hash: str, admin_id: int, expires_at: float) -> None:
        links = schema.desk_links

        def write(db: Connection) -> None:
            # Links past their time are of no use to anyone: dropped as new ones are made.
            db.execute(links.delete().where(links.c.expires_at < expires_at - 86400))
            db.execute(links.insert().values(token_hash=token_hash, admin_id=admin_id, expires_at=expires_at))

        await self._run(write)

    async def redeem_desk_link(self, token_hash: str, now: float) -> int | None:
        links = schema.desk_links

        def redeem(db: Connection) -> int | None:
            # One UPDATE decides: two workers opening the same link at once sign in once.
            row = db.execute(
                links.update()
                .where(links.c.token_hash == token_hash, links.c.used_at.is_(None), links.c.expires_at > now)
                .values(used_at=now).returning(links.c.admin_id)
            ).one_or_none()
            return None if row is None else int(row[0])

        return await self._run(redeem)

    async def add_desk_session(self, id_hash: str, session: DeskSession, expires_at: float) -> None:
        sessions = schema.desk_sessions

        def write(db: Connection) -> None:
            db.execute(sessions.delete().where(sessions.c.expires_at < expires_at - 86400))
            db.execute(sessions.insert().values(
                id_hash=id_hash, admin_id=session.admin_id, csrf=session.csrf, expires_at=expires_at,
            ))

        await self._run(write)

    async def desk_session(self, id_hash: str, now: float) -> DeskSession | None:
        sessions = schema.desk_sessions
        row = await self._run(lambda db: db.execute(
            sa.select(sessions.c.admin_id, sessions.c.csrf)
            .where(sessions.c.id_hash == id_hash, sessions.c.expires_at > now)
        ).one_or_none())
        return None if row is None else DeskSession(admin_id=int(row[0]), csrf=str(row[1]))

    async def end_desk_session(self, id_hash: str) -> None:
        sessions = schema.desk_sessions
        await self._run(lambda db: db.execute(sessions.delete().where(sessions.c.id_hash == id_hash)))

    async def rate_check(self, user_id: int, limit: int, window_s: float, now: float | None = None) -> float:
        return await self.stores.conversations.rate_check(user_id, limit, window_s, now)

    # --- re-index, shared with the bot's /reindex ----------------------------------------

    async def try_exclusive(self, name: str) -> Held | None:
        return await self.stores.coordination.try_exclusive(name)

    async def last_reindex(self) -> str | None:
        return await self.stores.coordination.meta("last_reindex")

    async def set_last_reindex(self, text: str) -> None:
        await self.stores.coordination.set_meta("last_reindex", text)

    async def reindex_progress(self) -> str | None:
        return await self.stores.coordination.meta("desk_reindex_progress")

    async def set_reindex_progress(self, progress: str) -> None:
        await self.stores.coordination.set_meta("desk_reindex_progress", progress)
