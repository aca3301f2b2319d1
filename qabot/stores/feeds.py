"""Feeds: the admins' feeds (FEEDS adds its own, from the settings) and what the feed poller
knows of each (validators, last error, items saved). Implements `retrieval.sources.feeds.FeedStates`,
so retrieval imports nothing of the stores and every worker shares the items seen."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qabot.stores import database
from qabot.stores.database import Database, now_text
from retrieval.sources.feeds import FeedState, SeenItem


class FeedStore:
    """The followed feeds and the poller's state of each."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- feeds the admins added -----------------------------------------------------------

    async def feeds(self) -> list[str]:
        """The admins' feeds, oldest first."""
        f = database.feeds
        rows = await self.db.run(lambda db: db.execute(sa.select(f.c.url).order_by(f.c.added_at, f.c.url)).all())
        return [str(url) for (url,) in rows]

    async def add_feed(self, url: str, user_id: int | None = None) -> bool:
        """False when the feed was already there (one row per URL, across workers)."""
        f = database.feeds
        return await self.db.run(lambda db: db.execute(
            self.db.insert(f).values(url=url, added_by=user_id, added_at=now_text()).on_conflict_do_nothing()
            .returning(f.c.url)
        ).first() is not None)

    async def remove_feed(self, url: str) -> bool:
        """False when there was no such feed."""
        f = database.feeds
        return await self.db.run(lambda db: db.execute(
            f.delete().where(f.c.url == url).returning(f.c.url)
        ).first() is not None)

    # --- the poller's state (retrieval.sources.feeds.FeedStates; called from the poller's thread) ---

    def feed_state(self, url: str) -> FeedState:
        """The feed's validators, last error, item failures and articles saved."""
        return self.db.transact(lambda db: self._feed_state(db, url))

    @staticmethod
    def _feed_state(db: Connection, url: str) -> FeedState:
        f, i = database.feed_state, database.feed_items
        row = db.execute(
            sa.select(f.c.etag, f.c.last_modified, f.c.title, f.c.last_polled, f.c.last_error, f.c.failures,
                      f.c.item_errors).where(f.c.url == url)
        ).one_or_none()
        if row is None:
            return FeedState(url)
        articles = db.execute(sa.select(sa.func.count()).select_from(i).where(i.c.feed_url == url)).scalar_one()
        return FeedState(url, etag=row[0], last_modified=row[1], title=row[2], last_polled=row[3],
                         last_error=row[4], failures=int(row[5]), item_errors=json.loads(row[6]),
                         articles=int(articles))

    def seen_items(self, url: str, item_ids: Collection[str]) -> dict[str, SeenItem]:
        """Of `item_ids`, those already saved for the feed (read in slices: SQLite caps the
        number of bound values in one statement)."""
        i = database.feed_items
        ids = list(item_ids)
        seen: dict[str, SeenItem] = {}
        with self.db.connection() as db:
            for start in range(0, len(ids), 500):
                rows = db.execute(
                    sa.select(i.c.item_id, i.c.entry, i.c.digest)
                    .where(i.c.feed_url == url, i.c.item_id.in_(ids[start:start + 500]))
                ).all()
                seen.update({str(r[0]): SeenItem(str(r[1]), str(r[2])) for r in rows})
        return seen

    def save_feed_state(self, state: FeedState, items: Mapping[str, SeenItem]) -> None:
        """The feed's state and the items this pass saved or re-checked, in one transaction."""
        values = {"etag": state.etag, "last_modified": state.last_modified, "title": state.title,
                  "last_polled": state.last_polled, "last_error": state.last_error,
                  "failures": state.failures, "item_errors": json.dumps(state.item_errors, ensure_ascii=False)}
        insert = self.db.insert(database.feed_state).values(url=state.url, **values)
        with self.db.connection() as db:
            db.execute(insert.on_conflict_do_update(index_elements=["url"], set_=values))
            if items:
                rows = self.db.insert(database.feed_items)
                db.execute(rows.on_conflict_do_update(
                    index_elements=["feed_url", "item_id"],
                    set_={"entry": rows.excluded.entry, "digest": rows.excluded.digest,
                          "saved_at": rows.excluded.saved_at},
                ), [{"feed_url": state.url, "item_id": item_id, "entry": item.entry, "digest": item.digest,
                     "saved_at": now_text()} for item_id, item in items.items()])

    async def feed_states(self, urls: list[str]) -> dict[str, FeedState]:
        """The state of each of `urls` (for /feeds and /status)."""
        return await self.db.run(lambda db: {url: self._feed_state(db, url) for url in urls})
