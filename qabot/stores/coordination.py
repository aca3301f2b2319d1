"""Coordination between the workers of one bot: update ids seen (a redelivered update is
dropped), job claims (a periodic job runs once per period), cross-worker locks, the incidents
the admins were told about, and small shared values (meta)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qabot.stores import database
from qabot.stores.database import Database, now_text

logger = logging.getLogger(__name__)

# Telegram keeps an undelivered update for 24 hours; ids older than this cannot come back.
UPDATE_IDS_KEPT_S = 2 * 24 * 3600


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock named `name`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


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


class Coordination:
    """What the workers of one bot agree on through the database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._local_locks: dict[str, threading.Lock] = {}

    # --- updates and jobs ------------------------------------------------------------------

    async def first_delivery(self, update_id: int) -> bool:
        """True the first time any worker sees `update_id`; False for a redelivery."""
        u = database.updates_seen
        now = time.time()

        def claim(db: Connection) -> bool:
            # RETURNING rather than rowcount: psycopg reports -1 for an INSERT … ON CONFLICT here.
            inserted = db.execute(
                self.db.insert(u).values(update_id=update_id, seen_at=now).on_conflict_do_nothing()
                .returning(u.c.update_id)
            ).first() is not None
            if update_id % 500 == 0:  # now and then, forget ids Telegram can no longer resend
                db.execute(u.delete().where(u.c.seen_at < now - UPDATE_IDS_KEPT_S))
            return bool(inserted)

        return await self.db.run(claim)

    async def claim_job(self, name: str, slot: str) -> bool:
        """True for the one worker that runs job `name` for period `slot` (e.g. '2026-11-30T06')."""
        j = database.job_runs
        return await self.db.run(lambda db: db.execute(
            self.db.insert(j).values(name=name, slot=slot, worker=self.db.worker, claimed_at=now_text())
            .on_conflict_do_nothing().returning(j.c.name)
        ).first() is not None)

    async def forget_job_runs(self, name: str, before_slot: str) -> None:
        """Drop job `name`'s claims of the periods before `before_slot`: they decide nothing
        any more, and a job run every minute would otherwise keep a row for every period."""
        j = database.job_runs
        await self.db.run(lambda db: db.execute(j.delete().where(j.c.name == name, j.c.slot < before_slot)))

    # --- cross-worker locks ------------------------------------------------------------------

    async def try_exclusive(self, name: str) -> Held | None:
        """Take the cross-worker lock `name` without waiting; None when another holder has it.

        PostgreSQL: a session advisory lock on a connection kept for as long as it is held, so
        a worker that dies (even kill -9) releases it with its connection. SQLite (one machine):
        a lock within this process; the index's own file lock covers other processes.
        """
        if self.db.dialect == "postgresql":
            return await asyncio.to_thread(self._try_advisory, name)
        lock = self._local_locks.setdefault(name, threading.Lock())
        if not lock.acquire(blocking=False):
            return None
        return Held(name, lock.release)

    def _try_advisory(self, name: str) -> Held | None:
        connection = self.db.engine.connect()
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

    # --- incidents the admins were told about (bot.alerts) ----------------------------------

    async def open_incident(self, key: str, detail: str) -> bool:
        """True for the one worker that opens incident `key` (it tells the admins); False
        while it is open already."""
        a = database.alerts
        return await self.db.run(lambda db: db.execute(
            self.db.insert(a).values(key=key, detail=detail, opened_at=now_text(), worker=self.db.worker)
            .on_conflict_do_nothing().returning(a.c.key)
        ).first() is not None)

    async def close_incident(self, key: str) -> bool:
        """True for the one worker that closes an open incident `key` (it may say so)."""
        a = database.alerts
        return await self.db.run(lambda db: db.execute(
            a.delete().where(a.c.key == key).returning(a.c.key)
        ).first() is not None)

    async def incidents(self) -> dict[str, str]:
        """The open incidents: key -> what went wrong."""
        a = database.alerts
        rows = await self.db.run(lambda db: db.execute(sa.select(a.c.key, a.c.detail).order_by(a.c.opened_at)).all())
        return {str(k): str(d) for k, d in rows}

    # --- shared values ------------------------------------------------------------------------

    async def set_meta(self, key: str, value: str) -> None:
        insert = self.db.insert(database.meta).values(key=key, value=value)
        await self.db.run(lambda db: db.execute(insert.on_conflict_do_update(
            index_elements=["key"], set_={"value": insert.excluded.value}
        )))

    async def meta(self, key: str) -> str | None:
        m = database.meta
        return await self.db.run(
            lambda db: db.execute(sa.select(m.c.value).where(m.c.key == key)).scalar_one_or_none()
        )

    async def set_last_reindex(self, text: str) -> None:
        """When the re-index just run ended and what it did, in the words of the front end that
        ran it (the bot's /reindex, the desk): what /status and the desk's Overview show."""
        await self.set_meta("last_reindex", text)

    async def last_reindex(self) -> str | None:
        return await self.meta("last_reindex")
