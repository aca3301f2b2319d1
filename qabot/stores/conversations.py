"""Conversations and limits: each asker's conversation turns (for follow-up questions) and the
sliding windows that limit how often a person asks and how many messages a group receives,
shared by every worker."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from answering.protocol import Turn
from qabot.stores import database
from qabot.stores.database import Database, StoreUnavailable, now_text

# Telegram's group limit is per minute.
GROUP_WINDOW_S = 60.0


class ConversationStore:
    """Conversation turns per (chat, asker), and rate-limit windows."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- conversation turns (for follow-up questions) -------------------------------------

    async def history(self, chat_id: int, user_id: int, turns: int) -> tuple[Turn, ...]:
        """`user_id`'s last `turns` exchanges in `chat_id`, oldest first: in a group each member
        has their own conversation, so one member's question is never read as another's
        follow-up."""
        t = database.turns
        if turns <= 0:
            return ()
        rows = await self.db.run(lambda db: db.execute(
            sa.select(t.c.question, t.c.answer).where(t.c.chat_id == chat_id, t.c.user_id == user_id)
            .order_by(t.c.id.desc()).limit(turns)
        ).all())
        return tuple(Turn(str(q), str(a)) for q, a in reversed(rows))

    async def add_turn(self, chat_id: int, user_id: int, turn: Turn, keep: int) -> None:
        """Append `user_id`'s exchange in `chat_id` and forget all but their newest `keep` there."""
        t = database.turns
        if keep <= 0:
            return
        theirs = sa.and_(t.c.chat_id == chat_id, t.c.user_id == user_id)

        def write(db: Connection) -> None:
            db.execute(t.insert().values(chat_id=chat_id, user_id=user_id, question=turn.question,
                                         answer=turn.answer, created_at=now_text()))
            newest = sa.select(t.c.id).where(theirs).order_by(t.c.id.desc()).limit(keep)
            db.execute(t.delete().where(theirs, t.c.id.not_in(newest.scalar_subquery())))

        await self.db.run(write)

    async def clear_history(self, chat_id: int, user_id: int) -> None:
        """`/new`: forget `user_id`'s conversation in `chat_id` (the other members' stay)."""
        t = database.turns
        await self.db.run(lambda db: db.execute(t.delete().where(t.c.chat_id == chat_id, t.c.user_id == user_id)))

    # --- rate limits ----------------------------------------------------------------------

    async def rate_check(self, user_id: int, limit: int, window_s: float, now: float | None = None) -> float:
        """0 and the question is counted, or the seconds to wait before the next one: at most
        `limit` questions per user in any sliding window of `window_s` seconds, across workers."""
        now = time.time() if now is None else now
        return await self.db.run(lambda db: self._count_in_window(db, user_id, limit, window_s, now))

    def _count_in_window(self, db: Connection, key: int, limit: int, window_s: float, now: float) -> float:
        """The sliding window of rate-window row `key`: 0 and `now` counted, or the wait."""
        r = database.rate_windows
        db.execute(self.db.insert(r).values(user_id=key, stamps="[]").on_conflict_do_nothing())
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

    async def take_group_message(self, chat_id: int, per_minute: float, now: float) -> float:
        """0 when one more message may be posted in group `chat_id` now (it is then counted), or
        the seconds to wait: Telegram's "20 messages per minute in a group" counted for all the
        workers together, as a sliding minute. The group's window is the rate-window row of its
        chat id: group and channel ids are negative, the user ids `rate_check` counts never are.
        Raises StoreUnavailable when the database cannot be reached."""
        if chat_id >= 0:
            raise ValueError(f"not a group's chat id: {chat_id}")

        def take(db: Connection) -> float:
            if self.db.dialect == "postgresql":
                # A count lost in a crash lets one group's minute run over once: not worth a
                # wait for the disk before every message (benchmarks/bench_group_budget.py).
                db.execute(sa.text("SET LOCAL synchronous_commit = off"))
            return self._count_in_window(db, chat_id, max(1, int(per_minute)), GROUP_WINDOW_S, now)

        try:
            return await self.db.run(take)
        except sa.exc.SQLAlchemyError as exc:  # unreachable, or no pooled connection in time
            raise StoreUnavailable(f"the group's message budget could not be read ({exc})") from exc
