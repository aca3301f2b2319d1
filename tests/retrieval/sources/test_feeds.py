"""Feeds from a loopback HTTP server: items ingested once, edits re-indexed, failures reported;
the poller's state in the bot's store (SQLite here; PostgreSQL in tests/bot/test_feeds.py)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pytest

from cli.commands import fetch
from qabot.services import build_services, feed_poller
from qabot.settings import Settings
from qabot.stores import FeedStore, Stores
from retrieval.sources.articles import parse_article
from retrieval.sources.feeds import (
    FEEDS_FOLDER,
    AddressRefused,
    FeedPoller,
    FetchLimits,
    check_address,
    shown,
)
from tests.fakes.embedder import HashingEmbedder

SUBJECTS = ["port", "musée", "tramway", "marché", "stade", "pont", "bibliothèque", "piscine", "gare", "parc"]


class Site:
    """What the loopback server serves; tests edit it between polls."""

    def __init__(self, items: int) -> None:
        self.pages = {
            f"/article/{i}": (
                f"Le conseil municipal a voté lundi la rénovation du {SUBJECTS[i % 10]} numéro {i}. "
                f"Les travaux coûteront {i + 1} millions d'euros et dureront {i % 5 + 1} ans. "
                f"Le maire a salué un projet attendu depuis longtemps par les habitants du quartier {i}."
            )
            for i in range(items)
        }
        self.version = 1
        self.edited: set[int] = set()  # items whose entry says they were updated
        self.broken = True  # /broken.xml answers 500 (False: it serves the feed)
        self.requests: list[tuple[str, str | None]] = []
        # Items whose link is written in the feed as it is (quotes, spaces…): link -> the page's
        # path as the server sees it requested, and its text.
        self.odd_links: dict[str, tuple[str, str]] = {}
        self.authorizations: list[str | None] = []

    def keep_only(self, items: int) -> None:
        """Serve only the first `items` items."""
        for path in list(self.pages)[items:]:
            del self.pages[path]

    def feed(self, base: str) -> bytes:
        start = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)
        items = "".join(
            f"<item><title>Rénovation du {SUBJECTS[i % 10]} {i}</title><link>{base}/article/{i}</link>"
            f"<guid>{base}/article/{i}</guid><pubDate>{format_datetime(start + timedelta(hours=i))}</pubDate>"
            f"<description>Résumé {i}{' (mis à jour)' if i in self.edited else ''}</description></item>"
            for i in range(len(self.pages))
        ) + "".join(
            f"<item><title>Lien étrange {n}</title><link>{xml_escape(base + link)}</link></item>"
            for n, link in enumerate(self.odd_links)
        )
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>La Gazette</title>'
                f"<link>{base}</link><language>fr</language>{items}</channel></rss>").encode()

    def page(self, path: str) -> bytes:
        return (f"<html><head><title>Article</title></head><body><nav>Accueil | Sport | Culture</nav>"
                f"<article><h1>Titre</h1><p>{self.pages[path]}</p><p>{self.pages[path]}</p></article>"
                f"<footer>© La Gazette</footer></body></html>").encode()


# A feed of 2 good items and 6 that cannot be read, each for its own reason.
BAD_ITEMS = {
    "/page/huge": "limit", "/page/loop": "redirects too many times", "/page/to-file": "not an http(s) address",
    "/page/slow": "did not answer within", "javascript:alert(1)": "not an http(s) address",
    "http://[bad": "not a valid address",
}


def bad_items_feed(base: str) -> bytes:
    links = [f"{base}/article/0", f"{base}/article/1"] + [
        link if not link.startswith("/") else base + link for link in BAD_ITEMS
    ]
    items = "".join(f"<item><title>Item {i}</title><link>{link.replace('&', '&amp;')}</link>"
                    f"<description>Résumé {i}</description></item>" for i, link in enumerate(links))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Mixte</title>'
            f"<link>{base}</link>{items}</channel></rss>").encode()


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    content = Site(items=50)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes, kind: str, etag: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            content.requests.append((self.path, self.headers.get("If-None-Match")))
            content.authorizations.append(self.headers.get("Authorization"))
            address = self.server.server_address  # (host, port): a TCP server
            assert isinstance(address, tuple)
            base = f"http://127.0.0.1:{address[1]}"
            etag = f'"v{content.version}"'
            if self.path == "/feed.xml":
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send(200, content.feed(base), "application/rss+xml", etag)
            elif self.path == "/bad-items.xml":
                self.send(200, bad_items_feed(base), "application/rss+xml")
            elif self.path == "/page/huge":
                self.send(200, b"<html><body><p>" + b"x" * 2_000_000 + b"</p></body></html>", "text/html")
            elif self.path in ("/page/loop", "/page/to-file"):
                self.send_response(302)
                self.send_header("Location", "/page/loop" if self.path == "/page/loop" else "file:///etc/passwd")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/page/slow":
                time.sleep(2.0)
                self.send(200, content.page("/article/0"), "text/html")
            elif self.path == "/plain.xml":  # no ETag, no Last-Modified: read in full every time
                self.send(200, content.feed(base), "application/rss+xml")
            elif self.path == "/broken.xml" and content.broken:
                self.send(500, b"Internal Server Error", "text/plain")
            elif self.path == "/broken.xml":
                self.send(200, content.feed(base), "application/rss+xml")
            elif self.path == "/not-a-feed.xml":
                self.send(200, b"<html><body>Bonjour</body></html>", "text/html")
            elif self.path == "/huge.xml":
                self.send(200, b"<rss>" + b" " * 3_000_000 + b"</rss>", "application/rss+xml")
            elif self.path == "/slow.xml":
                time.sleep(2.0)
                self.send(200, content.feed(base), "application/rss+xml")
            elif self.path in content.pages:
                self.send(200, content.page(self.path), "text/html; charset=utf-8")
            elif odd := next((text for path, text in content.odd_links.values() if path == self.path), None):
                self.send(200, f"<html><body><article><p>{odd}</p></article></body></html>".encode(), "text/html")
            else:
                self.send(404, b"Not found", "text/plain")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield content, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedStore]:
    """The bot's feeds' room, where the poller keeps what it knows."""
    stores = Stores.connect(tmp_path / "var" / "bot.sqlite3")
    yield stores.feeds
    stores.db.dispose()


def poller(tmp_path: Path, store: FeedStore, **limits: Any) -> FeedPoller:
    options: dict[str, Any] = {"allow_private": True, "timeout_s": 5.0}
    options.update(limits)
    return FeedPoller(tmp_path / "news", store, FetchLimits(**options))


def test_fifty_items_are_ingested_once_and_a_broken_feed_stops_nothing(
    site: tuple[Site, str], tmp_path: Path, make_settings: Callable[..., Settings], store: FeedStore
) -> None:
    content, base = site
    feeds = [f"{base}/broken.xml", f"{base}/feed.xml", f"{base}/not-a-feed.xml"]
    first = poller(tmp_path, store).poll(feeds)
    assert (first.new, first.updated) == (50, 0)
    assert set(first.errors) == {f"{base}/broken.xml", f"{base}/not-a-feed.xml"}
    assert "HTTP 500" in first.errors[f"{base}/broken.xml"]
    assert "not an RSS or Atom feed" in first.errors[f"{base}/not-a-feed.xml"]
    files = sorted((tmp_path / "news" / FEEDS_FOLDER).rglob("*.md"))
    assert len(files) == 50
    article = parse_article("x.md", (files[0]).read_bytes())
    assert article.source == "La Gazette" and article.url and article.url.startswith(base + "/article/")
    assert article.date is not None and article.date.startswith("2025-02-0")
    assert "conseil municipal" in article.text and "Accueil | Sport" not in article.text  # page chrome left out

    # Second pass: the feed answers 304 to its ETag; nothing is fetched or written again.
    content.requests.clear()
    second = poller(tmp_path, store).poll(feeds)
    assert (second.new, second.updated) == (0, 0)
    assert ("/feed.xml", '"v1"') in content.requests
    assert not [path for path, _ in content.requests if path.startswith("/article/")]

    services = build_services(make_settings(articles_dir=tmp_path / "news"), embedder=HashingEmbedder())
    assert services.reindex_now().added == 50
    hits = services.retriever.search("rénovation de la piscine numéro 7", k=1, mode="bm25").passages
    assert hits[0].source == "La Gazette" and hits[0].url == f"{base}/article/7"


def test_an_edited_item_is_written_again_and_reindexed(
    site: tuple[Site, str], tmp_path: Path, make_settings: Callable[..., Settings], store: FeedStore
) -> None:
    content, base = site
    poller(tmp_path, store).poll([f"{base}/feed.xml"])
    services = build_services(make_settings(articles_dir=tmp_path / "news"), embedder=HashingEmbedder())
    services.reindex_now()
    content.pages["/article/7"] += " Correction : le chantier commencera en octobre à Tombouctou."
    content.edited.add(7)  # the feed's entry says so,
    content.version = 2  # and its ETag changes with it
    content.requests.clear()
    report = poller(tmp_path, store).poll([f"{base}/feed.xml"])
    assert (report.new, report.updated, report.unchanged) == (0, 1, 49)
    # Only the changed item's page was read again.
    assert [path for path, _ in content.requests if path.startswith("/article/")] == ["/article/7"]
    again = services.reindex_now()
    assert (again.added, again.changed) == (0, 1)
    assert services.retriever.search("Tombouctou", k=1, mode="bm25").passages[0].url == f"{base}/article/7"


def test_an_item_link_is_stored_with_its_quotes_encoded(site: tuple[Site, str], tmp_path: Path, store: FeedStore) -> None:
    content, base = site
    text = "Le conseil municipal a voté la rénovation du théâtre pour trois millions d'euros. " * 3
    content.odd_links['/article/théâtre"><b>x'] = ("/article/th%C3%A9%C3%A2tre%22%3E%3Cb%3Ex", text)
    report = poller(tmp_path, store).poll([f"{base}/feed.xml"])
    assert report.new == 51 and not report.errors
    saved = [parse_article(p.name, p.read_bytes()) for p in (tmp_path / "news" / FEEDS_FOLDER).rglob("*.md")]
    [odd] = [a for a in saved if a.title == "Lien étrange 0"]
    assert odd.url == f"{base}/article/th%C3%A9%C3%A2tre%22%3E%3Cb%3Ex" and "théâtre" in odd.text


def test_limits_and_addresses(site: tuple[Site, str], tmp_path: Path, store: FeedStore) -> None:
    _, base = site
    report = poller(tmp_path, store, max_bytes=1_000_000, timeout_s=0.5).poll(
        [f"{base}/huge.xml", f"{base}/slow.xml", "ftp://example.org/feed.xml", f"{base}/missing.xml"]
    )
    assert "limit" in report.errors[f"{base}/huge.xml"]
    assert "did not answer within 0.5 s" in report.errors[f"{base}/slow.xml"]
    assert "not an http(s) address" in report.errors["ftp://example.org/feed.xml"]
    assert "HTTP 404" in report.errors[f"{base}/missing.xml"]
    # Loopback and private addresses only when allowed (a feed must not read the bot's network).
    refused = poller(tmp_path, store, allow_private=False).poll([f"{base}/feed.xml"])
    assert "FEEDS_ALLOW_PRIVATE" in refused.errors[f"{base}/feed.xml"] and refused.new == 0


def test_qabot_fetch_polls_then_indexes(
    site: tuple[Site, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    make_settings: Callable[..., Settings], store: FeedStore,
) -> None:
    content, base = site
    content.keep_only(3)
    settings = make_settings(articles_dir=tmp_path / "news", feeds=(f"{base}/feed.xml", f"{base}/broken.xml"),
                             feeds_allow_private=True)
    # What `qabot fetch` runs, through the front door: the poller on the bot's store, then a re-index.
    with build_services(settings, embedder=HashingEmbedder()) as services:
        report, indexed = asyncio.run(fetch.fetch(services, settings))
    assert report.new == 3 and store.feed_state(f"{base}/feed.xml").articles == 3 and list(report.errors) == [f"{base}/broken.xml"]
    assert indexed is not None and indexed.added == 3
    # The settings parse a comma-separated FEEDS.
    monkeypatch.setenv("FEEDS", f"{base}/a.xml, {base}/b.xml")
    assert Settings(_env_file=None).feeds == (f"{base}/a.xml", f"{base}/b.xml")


def test_items_that_fail_are_counted_with_their_reasons_and_stop_nothing(
    site: tuple[Site, str], tmp_path: Path, store: FeedStore
) -> None:
    _, base = site
    url = f"{base}/bad-items.xml"
    # 1.5 s: under the slow page's 2 s, and room for the redirect loop's twenty round trips on a
    # loaded machine (at 0.5 s a busy CI host timed the loop out before it was seen as a loop).
    report = poller(tmp_path, store, max_bytes=1_000_000, timeout_s=1.5).poll([url])
    assert report.new == 2 and url not in report.errors and report.streaks == {url: 0}
    state = store.feed_state(url)
    assert state.articles == 2 and state.last_error is None and len(state.item_errors) == 6
    for link, reason in BAD_ITEMS.items():
        shown_link = base + link if link.startswith("/") else link
        assert reason in state.item_errors[shown_link], (link, state.item_errors)


def test_without_etag_only_new_or_changed_items_are_fetched(
    site: tuple[Site, str], tmp_path: Path, store: FeedStore
) -> None:
    content, base = site
    url = f"{base}/plain.xml"
    assert poller(tmp_path, store).poll([url]).new == 50
    content.requests.clear()
    again = poller(tmp_path, store).poll([url])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 50)
    assert content.requests == [("/plain.xml", None)]  # the feed, read in full; no page
    content.pages["/article/50"] = content.pages["/article/0"].replace("numéro 0", "numéro 50")
    content.edited.add(3)
    content.pages["/article/3"] += " Le chantier est reporté."
    content.requests.clear()
    third = poller(tmp_path, store).poll([url])
    assert (third.new, third.updated, third.unchanged) == (1, 1, 49)
    assert sorted(p for p, _ in content.requests if p.startswith("/article/")) == ["/article/3", "/article/50"]


def test_the_state_is_shared_through_the_store_and_the_old_json_file_is_taken_over(
    site: tuple[Site, str], tmp_path: Path, store: FeedStore, make_settings: Callable[..., Settings]
) -> None:
    content, base = site
    url = f"{base}/feed.xml"
    settings = make_settings(articles_dir=tmp_path / "news", feeds_allow_private=True)
    legacy = tmp_path / "var" / "feeds-state.json"
    items = {f"{base}/article/{i}": "0" * 64 for i in range(50)}
    legacy.write_text(json.dumps({url: {"url": url, "etag": '"v1"', "last_modified": None, "items": items,
                                        "last_polled": "2025-02-20T08:00:00+00:00", "last_error": None,
                                        "title": "La Gazette"}}), encoding="utf-8")
    report = feed_poller(settings, store).poll([url])
    # The validators came from the old file: the feed answered 304, no page was read.
    assert ("/feed.xml", '"v1"') in content.requests and report.unchanged == 50
    assert not [path for path, _ in content.requests if path.startswith("/article/")]
    assert not legacy.exists() and legacy.with_name("feeds-state.json.imported").exists()
    # A second store on the same database (another worker) knows all of it.
    other = Stores.connect(tmp_path / "var" / "bot.sqlite3").feeds
    try:
        state = other.feed_state(url)
        assert (state.etag, state.articles, state.title) == ('"v1"', 50, "La Gazette")
        assert len(other.seen_items(url, list(items))) == 50
    finally:
        other.db.dispose()


def test_credentials_in_a_feed_url_are_never_shown(
    site: tuple[Site, str], tmp_path: Path, store: FeedStore, caplog: pytest.LogCaptureFixture
) -> None:
    _, base = site
    assert shown("http://user:s3cret@127.0.0.1:1/feed.xml") == "http://***@127.0.0.1:1/feed.xml"
    assert shown("https://example.org/rss") == "https://example.org/rss"
    secret_url = base.replace("http://", "http://reader:s3cret@") + "/broken.xml"
    with caplog.at_level(logging.INFO):
        report = poller(tmp_path, store).poll([secret_url])
    assert list(report.errors) == [shown(secret_url)] and "HTTP 500" in report.errors[shown(secret_url)]
    assert "s3cret" not in caplog.text and "s3cret" not in json.dumps(report.errors)
    assert "s3cret" not in (store.feed_state(secret_url).last_error or "-")
    # They are still used: as HTTP Basic authentication.
    assert site[0].authorizations == ["Basic " + base64.b64encode(b"reader:s3cret").decode()]


class Names:
    """A resolver for tests: names mapped to addresses, never the real DNS."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.names[host]


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://localhost/feed", "http://api.localhost./feed",
    "http://0.0.0.0/feed", "http://2130706433/feed", "http://0x7f000001/feed", "http://127.1/feed",
    "http://[::1]/feed", "http://[fe80::1]/feed", "http://[::ffff:127.0.0.1]/feed", "http://[64:ff9b::a00:1]/feed",
    "http://10.1.2.3/feed", "http://172.16.0.1/feed", "http://192.168.1.1/feed", "http://100.64.0.1/feed",
    "http://user:pass@127.0.0.1:1/", "http://intranet.example/rss", "http://half.example/rss",
])
def test_private_and_local_addresses_are_refused(url: str) -> None:
    names = Names({"intranet.example": ["10.0.0.5"], "half.example": ["93.184.216.34", "fe80::1%eth0"]})
    with pytest.raises(AddressRefused) as refused:
        check_address(url, allow_private=False, resolve=names)
    assert refused.value.why == "private" and "pass" not in str(refused.value)
    assert set(names.asked) <= {"intranet.example", "half.example"}  # addresses are never looked up


def test_other_schemes_and_unknown_names_are_refused_and_public_ones_pass() -> None:
    names = Names({"news.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]})
    check_address("https://news.example/rss", allow_private=False, resolve=names)
    for url, why in [("ftp://news.example/rss", "scheme"), ("javascript:alert(1)", "scheme"),
                     ("file:///etc/passwd", "scheme"), ("http://[bad/rss", "scheme"),
                     ("http://nowhere.example/rss", "unresolved")]:
        with pytest.raises(AddressRefused) as refused:
            check_address(url, allow_private=False, resolve=names)
        assert refused.value.why == why, url


def test_a_name_is_resolved_again_when_fetched(tmp_path: Path, store: FeedStore) -> None:
    """DNS can change between /feeds add and the poll: the poll checks again, before connecting."""
    names = Names({"news.example": ["93.184.216.34"]})
    feeds = FeedPoller(tmp_path / "news", store, FetchLimits(allow_private=False), resolve=names)
    check_address("http://news.example/rss", allow_private=False, resolve=names)  # /feeds add
    names.names["news.example"] = ["127.0.0.1"]
    report = feeds.poll(["http://news.example/rss"])
    assert "private or local address (127.0.0.1)" in report.errors["http://news.example/rss"]
    assert report.streaks == {"http://news.example/rss": 1}
