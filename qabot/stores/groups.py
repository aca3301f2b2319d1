"""Declined questions grouped by meaning: the job's reads and writes (bot/question_groups.py
decides the groups; the desk's Unanswered page reads them, qabot/stores/desk.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qabot.stores import database
from qabot.stores.database import Database

# The latest grouped questions a new one is compared with (their vectors read once a run:
# 20,000 x 384 floats, 30 MB): a question asked again after that many others starts a new group.
COMPARED = 20_000


@dataclass(slots=True)
class Grouped:
    """The questions already grouped: their ids, groups and vectors (one row each)."""

    ids: list[int]
    groups: list[int]
    vectors: np.ndarray  # (n, dimension), unit length


class QuestionGroups:
    """The grouping's reads and writes (the `unanswered` table)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def ungrouped(self, limit: int) -> list[tuple[int, str]]:
        u = database.unanswered
        rows = await self.db.run(lambda db: db.execute(
            sa.select(u.c.id, u.c.question).where(u.c.group_id.is_(None)).order_by(u.c.id).limit(limit)
        ).all())
        return [(int(r[0]), str(r[1])) for r in rows]

    async def grouped(self, dimension: int, limit: int = COMPARED) -> Grouped:
        """The latest `limit` grouped questions whose vectors have `dimension` (another
        encoder's are not comparable: after a change of model, new questions start new groups)."""
        u = database.unanswered

        def read(db: Connection) -> Grouped:
            rows = db.execute(
                sa.select(u.c.id, u.c.group_id, u.c.vector)
                .where(u.c.group_id.is_not(None), u.c.vector.is_not(None)).order_by(u.c.id.desc()).limit(limit)
            ).all()[::-1]
            kept = [r for r in rows if len(r[2]) == 4 * dimension]
            vectors = np.frombuffer(b"".join(r[2] for r in kept), dtype=np.float32).reshape(len(kept), dimension)
            return Grouped([int(r[0]) for r in kept], [int(r[1]) for r in kept], vectors)

        return await self.db.run(read)

    async def save(self, ids: list[int], groups: list[int], vectors: np.ndarray) -> None:
        u = database.unanswered

        def write(db: Connection) -> None:
            for question_id, group, vector in zip(ids, groups, vectors, strict=True):
                # A question forgotten or purged meanwhile is simply not there any more.
                db.execute(u.update().where(u.c.id == question_id, u.c.group_id.is_(None)).values(
                    group_id=group, vector=np.ascontiguousarray(vector, dtype=np.float32).tobytes(),
                ))

        await self.db.run(write)
