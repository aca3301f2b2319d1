"""The bot's database, in rooms by concern on one engine (`Database`: one SQLAlchemy engine, one
transaction helper, one Alembic migration chain; SQLite or PostgreSQL):

- `answers` (answers.py): answers with their citations, votes, declined questions, counters;
- `conversations` (conversations.py): conversation turns per asker, rate-limit windows;
- `coordination` (coordination.py): update ids seen, job claims, cross-worker locks,
  incidents, shared values (meta);
- `feeds` (feeds.py): the admins' feeds and the poller's state of each;
- `groups` (groups.py): declined questions grouped by meaning;
- `readers` (reader_data.py): a reader's data across the rooms (export, forget, purge);
- `training` (training.py): the readers' votes as the learned reader's training pairs, the
  declined questions as a list for an editor (`qabot export-training`);
- `asked` (asked.py): what readers asked, as front ends read it (questions, votes, declined
  questions grouped, the week's activity): what the front door offers;
- desk.py: the editors' desk's sign-in state, audit log and re-index progress (`DeskStore`).

A floor below `qabot/`'s contract and composition root: it imports `retrieval/` and
`answering/` types and nothing else of `qabot` (tests/qabot/test_edges.py), so the front door can hand
out what the rooms hold. Front ends import this package's names, never its modules.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from qabot.stores.answers import AnswerStore, CitedPassage, StoredAnswer
from qabot.stores.asked import AskedRecords
from qabot.stores.conversations import ConversationStore
from qabot.stores.coordination import Coordination, Held
from qabot.stores.database import MIGRATIONS, Database, StoreUnavailable
from qabot.stores.desk import DeskStore
from qabot.stores.feeds import FeedStore
from qabot.stores.groups import Grouped, QuestionGroups
from qabot.stores.reader_data import Forgotten, Purged, ReaderDataStore
from qabot.stores.training import TrainingData

__all__ = [
    "MIGRATIONS", "AnswerStore", "AskedRecords", "CitedPassage", "ConversationStore", "Coordination", "Database", "DeskStore",
    "FeedStore", "Forgotten", "Grouped", "Held", "Purged", "QuestionGroups", "ReaderDataStore", "StoreUnavailable",
    "StoredAnswer", "Stores", "TrainingData",
]


@dataclass(frozen=True, slots=True)
class Stores:
    """Every room on one `Database`; built by `open` (which migrates), closed with the engine."""

    db: Database
    answers: AnswerStore
    conversations: ConversationStore
    coordination: Coordination
    feeds: FeedStore
    groups: QuestionGroups
    readers: ReaderDataStore
    asked: AskedRecords
    training: TrainingData

    @classmethod
    def over(cls, db: Database) -> Stores:
        return cls(db, AnswerStore(db), ConversationStore(db), Coordination(db), FeedStore(db), QuestionGroups(db),
                   ReaderDataStore(db), AskedRecords(db), TrainingData(db))

    @classmethod
    def connect(cls, url: str | Path) -> Stores:
        """Open (and migrate) the database at `url` on this thread: a Path is a SQLite file."""
        return cls.over(Database(url))

    @classmethod
    async def open(cls, url: str | Path) -> Stores:
        """`connect`, off the event loop."""
        return await asyncio.to_thread(cls.connect, url)

    @property
    def safe_url(self) -> str:
        return self.db.safe_url

    async def ping(self) -> None:
        await self.db.ping()

    async def close(self) -> None:
        await self.db.close()
