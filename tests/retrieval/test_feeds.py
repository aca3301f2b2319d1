"""Feeds from a loopback HTTP server: items ingested once, edits re-indexed, failures reported."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest

from qabot.services import build_services, feed_poller
from qabot.settings import Settings
from retrieval.articles import parse_article
from retrieval.feeds import FEEDS_FOLDER, FeedPoller, FetchLimits
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
        self.requests: list[tuple[str, str | None]] = []
        # Items whose link is written in the feed as it is (quotes, spaces…): link -> the page's
        # path as the server sees it requested, and its text.
        self.odd_links: dict[str, tuple[str, str]] = {}

    def feed(self, base: str) -> bytes:
        start = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)
        items = "".join(
            f"<item><title>Rénovation du {SUBJECTS[i % 10]} {i}</title><link>{base}/article/{i}</link>"
            f"<guid>{base}/article/{i}</guid><pubDate>{format_datetime(start + timedelta(hours=i))}</pubDate>"
            f"<description>Résumé {i}</description></item>"
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
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            etag = f'"v{content.version}"'
            if self.path == "/feed.xml":
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send(200, content.feed(base), "application/rss+xml", etag)
            elif self.path == "/broken.xml":
                self.send(500, b"Internal Server Error", "text/plain")
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


def poller(tmp_path: Path, **limits: object) -> FeedPoller:
    options: dict[str, object] = {"allow_private": True, "timeout_s": 5.0}
    options.update(limits)
    return FeedPoller(tmp_path / "news", tmp_path / "var" / "feeds-state.json", FetchLimits(**options))  # type: ignore[arg-type]


def test_fifty_items_are_ingested_once_and_a_broken_feed_stops_nothing(
    site: tuple[Site, str], tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    content, base = site
    feeds = [f"{base}/broken.xml", f"{base}/feed.xml", f"{base}/not-a-feed.xml"]
    first = poller(tmp_path).poll(feeds)
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
    second = poller(tmp_path).poll(feeds)
    assert (second.new, second.updated) == (0, 0)
    assert ("/feed.xml", '"v1"') in content.requests
    assert not [path for path, _ in content.requests if path.startswith("/article/")]

    services = build_services(make_settings(articles_dir=tmp_path / "news"), embedder=HashingEmbedder())
    assert services.reindex_now().added == 50
    hits = services.retriever.search("rénovation de la piscine numéro 7", k=1, mode="bm25").passages
    assert hits[0].source == "La Gazette" and hits[0].url == f"{base}/article/7"


def test_an_edited_item_is_written_again_and_reindexed(
    site: tuple[Site, str], tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    content, base = site
    poller(tmp_path).poll([f"{base}/feed.xml"])
    services = build_services(make_settings(articles_dir=tmp_path / "news"), embedder=HashingEmbedder())
    services.reindex_now()
    content.pages["/article/7"] += " Correction : le chantier commencera en octobre à Tombouctou."
    content.version = 2  # the feed's ETag changes with it
    report = poller(tmp_path).poll([f"{base}/feed.xml"])
    assert (report.new, report.updated, report.unchanged) == (0, 1, 49)
    again = services.reindex_now()
    assert (again.added, again.changed) == (0, 1)
    assert services.retriever.search("Tombouctou", k=1, mode="bm25").passages[0].url == f"{base}/article/7"


def test_an_item_link_is_stored_with_its_quotes_encoded(site: tuple[Site, str], tmp_path: Path) -> None:
    content, base = site
    text = "Le conseil municipal a voté la rénovation du théâtre pour trois millions d'euros. " * 3
    content.odd_links['/article/théâtre"><b>x'] = ("/article/th%C3%A9%C3%A2tre%22%3E%3Cb%3Ex", text)
    report = poller(tmp_path).poll([f"{base}/feed.xml"])
    assert report.new == 51 and not report.errors
    saved = [parse_article(p.name, p.read_bytes()) for p in (tmp_path / "news" / FEEDS_FOLDER).rglob("*.md")]
    [odd] = [a for a in saved if a.title == "Lien étrange 0"]
    assert odd.url == f"{base}/article/th%C3%A9%C3%A2tre%22%3E%3Cb%3Ex" and "théâtre" in odd.text


def test_limits_and_addresses(site: tuple[Site, str], tmp_path: Path) -> None:
    _, base = site
    report = poller(tmp_path, max_bytes=1_000_000, timeout_s=0.5).poll(
        [f"{base}/huge.xml", f"{base}/slow.xml", "ftp://example.org/feed.xml", f"{base}/missing.xml"]
    )
    assert "limit" in report.errors[f"{base}/huge.xml"]
    assert "did not answer within 0.5 s" in report.errors[f"{base}/slow.xml"]
    assert "not an http(s) address" in report.errors["ftp://example.org/feed.xml"]
    assert "HTTP 404" in report.errors[f"{base}/missing.xml"]
    # Loopback and private addresses only when allowed (a feed must not read the bot's network).
    refused = poller(tmp_path, allow_private=False).poll([f"{base}/feed.xml"])
    assert "FEEDS_ALLOW_PRIVATE" in refused.errors[f"{base}/feed.xml"] and refused.new == 0


def test_qabot_fetch_polls_then_indexes(
    site: tuple[Site, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    make_settings: Callable[..., Settings],
) -> None:
    content, base = site
    for path in list(content.pages)[3:]:
        del content.pages[path]
    settings = make_settings(articles_dir=tmp_path / "news", feeds=(f"{base}/feed.xml", f"{base}/broken.xml"),
                             feeds_allow_private=True)
    report = feed_poller(settings).poll(settings.feeds)
    assert report.new == 3 and list(report.errors) == [f"{base}/broken.xml"]
    # The settings parse a comma-separated FEEDS.
    monkeypatch.setenv("FEEDS", f"{base}/a.xml, {base}/b.xml")
    assert Settings(_env_file=None).feeds == (f"{base}/a.xml", f"{base}/b.xml")  # type: ignore[call-arg]
