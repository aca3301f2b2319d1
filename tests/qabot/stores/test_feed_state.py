"""The feed poller's state and the admins' incidents in the bot's store, on SQLite and
PostgreSQL, seen by two store instances (two workers) on one database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from qabot.stores import Stores
from retrieval.sources.feeds import FeedState, SeenItem

URL = "https://gazette.example/rss"


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[tuple[Stores, Stores]]:
    first, second = await Stores.open(database_url), await Stores.open(database_url)
    yield first, second
    await first.close()
    await second.close()


async def test_what_one_worker_learns_of_a_feed_the_other_reads(stores: tuple[Stores, Stores]) -> None:
    first, second = stores
    assert second.feeds.feed_state(URL) == FeedState(URL)  # never polled
    state = FeedState(URL, etag='"v1"', last_modified="Mon, 03 Feb 2025 08:00:00 GMT", title="La Gazette",
                      last_polled="2025-02-03T08:00:00+00:00", failures=2,
                      item_errors={"https://gazette.example/a/3": "https://gazette.example/a/3 answered HTTP 404"})
    first.feeds.save_feed_state(state, {f"id-{i}": SeenItem(f"entry-{i}", f"digest-{i}") for i in range(1200)})
    assert second.feeds.feed_state(URL) == FeedState(**{**state.__dict__, "articles": 1200})
    seen = second.feeds.seen_items(URL, [f"id-{i}" for i in range(0, 1300, 2)])  # read in slices of 500
    assert len(seen) == 600 and seen["id-1198"] == SeenItem("entry-1198", "digest-1198")
    assert second.feeds.seen_items("https://other.example/rss", ["id-0"]) == {}

    # A changed item is re-keyed; the feed's state is replaced, its other items kept.
    second.feeds.save_feed_state(FeedState(URL, etag='"v2"', last_polled="2025-02-03T09:00:00+00:00"),
                           {"id-3": SeenItem("entry-3b", "digest-3b")})
    again = first.feeds.feed_state(URL)
    assert (again.etag, again.failures, again.item_errors, again.articles) == ('"v2"', 0, {}, 1200)
    assert first.feeds.seen_items(URL, ["id-3"]) == {"id-3": SeenItem("entry-3b", "digest-3b")}
    assert (await first.feeds.feed_states([URL, "https://new.example/rss"]))["https://new.example/rss"].last_polled is None


async def test_an_incident_is_opened_and_closed_once_across_workers(stores: tuple[Stores, Stores]) -> None:
    first, second = stores
    assert await first.coordination.open_incident("feed:x", "HTTP 500")
    assert not await second.coordination.open_incident("feed:x", "HTTP 500")
    assert await second.coordination.incidents() == {"feed:x": "HTTP 500"}
    assert await second.coordination.close_incident("feed:x")
    assert not await first.coordination.close_incident("feed:x")
    assert await first.coordination.incidents() == {}
