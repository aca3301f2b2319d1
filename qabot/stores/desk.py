"""The desk's store: the editors' desk's own state (sign-in links, sessions, the audit log,
the re-index's progress), with its record types.

A store on the same engine and transactions as the others (one database, one migration chain);
it implements `qabot.records.DeskRecords`, and borrows the rate windows and the cross-worker
lock of the conversations' and coordination's rooms (the bot's `/reindex` takes the same lock).
What readers asked, the desk reads through the front door (qabot/stores/asked.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qabot.stores import database
from qabot.stores.coordination import Held
from qabot.stores.database import now_text

if TYPE_CHECKING:
    from qabot.stores import Stores

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str
    admin_id: int | None
    via: str  # "desk", "telegram" or "terminal" (`qabot web-link`)
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class DeskSession:
    admin_id: int
    csrf: str


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

    # --- the audit log -------------------------------------------------------------------

    async def audit(self, admin_id: int | None, via: str, action: str, detail: str) -> None:
        await self._run(lambda db: db.execute(database.audit_log.insert().values(
            at=now_text(), admin_id=admin_id, via=via, action=action, detail=detail,
        )))

    async def audit_entries(self, limit: int) -> list[AuditEntry]:
        log = database.audit_log
        rows = await self._run(lambda db: db.execute(
            sa.select(log.c.at, log.c.admin_id, log.c.via, log.c.action, log.c.detail)
            .order_by(log.c.id.desc()).limit(limit)
        ).all())
        return [AuditEntry(at=r[0], admin_id=r[1], via=r[2], action=r[3], detail=r[4]) for r in rows]

    # --- sign-in -------------------------------------------------------------------------

    async def add_desk_link(self, token_hash: str, admin_id: int, expires_at: float) -> None:
        links = database.desk_links

        def write(db: Connection) -> None:
            # Links past their time are of no use to anyone: dropped as new ones are made.
            db.execute(links.delete().where(links.c.expires_at < expires_at - 86400))
            db.execute(links.insert().values(token_hash=token_hash, admin_id=admin_id, expires_at=expires_at))

        await self._run(write)

    async def redeem_desk_link(self, token_hash: str, now: float) -> int | None:
        links = database.desk_links

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
        sessions = database.desk_sessions

        def write(db: Connection) -> None:
            db.execute(sessions.delete().where(sessions.c.expires_at < expires_at - 86400))
            db.execute(sessions.insert().values(
                id_hash=id_hash, admin_id=session.admin_id, csrf=session.csrf, expires_at=expires_at,
            ))

        await self._run(write)

    async def desk_session(self, id_hash: str, now: float) -> DeskSession | None:
        sessions = database.desk_sessions
        row = await self._run(lambda db: db.execute(
            sa.select(sessions.c.admin_id, sessions.c.csrf)
            .where(sessions.c.id_hash == id_hash, sessions.c.expires_at > now)
        ).one_or_none())
        return None if row is None else DeskSession(admin_id=int(row[0]), csrf=str(row[1]))

    async def end_desk_session(self, id_hash: str) -> None:
        sessions = database.desk_sessions
        await self._run(lambda db: db.execute(sessions.delete().where(sessions.c.id_hash == id_hash)))

    async def rate_check(self, user_id: int, limit: int, window_s: float, now: float | None = None) -> float:
        return await self.stores.conversations.rate_check(user_id, limit, window_s, now)

    # --- re-index, shared with the bot's /reindex ----------------------------------------

    async def try_exclusive(self, name: str) -> Held | None:
        return await self.stores.coordination.try_exclusive(name)

    async def set_last_reindex(self, text: str) -> None:
        await self.stores.coordination.set_last_reindex(text)

    async def reindex_progress(self) -> str | None:
        return await self.stores.coordination.meta("desk_reindex_progress")

    async def set_reindex_progress(self, progress: str) -> None:
        await self.stores.coordination.set_meta("desk_reindex_progress", progress)
