"""RSS/Atom feeds: fetch new items, extract their text, save them as articles with front matter.

One pass (`poll`) over the feeds: for each, a conditional request (ETag / Last-Modified from the
previous pass), feedparser for the feed, then for each item not seen before (or whose page
changed) its page, whose main text trafilatura extracts (htmldate finds the date when the feed
gives none). Items become `.md` files under `ARTICLES_DIR/feeds/<host>/`, with front matter
(title, date, url, source, lang), so the ordinary incremental re-index picks them up.

Only http(s) to public addresses is fetched unless private ones are allowed (a feed must not
be a way to read the bot's own network); every fetch has a size and a time limit. One feed's
failure is recorded for /status and never stops the others. What each feed returned last is
kept in a small JSON state file under DATA_DIR.
"""

from __future__ import annotations

import calendar
import hashlib
import ipaddress
import json
import logging
import re
import socket
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import yaml

from retrieval.articles import web_address

logger = logging.getLogger(__name__)

FEEDS_FOLDER = "feeds"
USER_AGENT = "qabot-feeds/1.0 (+https://github.com/)"


class FeedError(Exception):
    """One feed or page could not be used; the message says why, for /status."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    max_bytes: int = 5_000_000
    timeout_s: float = 20.0
    allow_private: bool = False  # loopback and private ranges (tests, an intranet)


@dataclass
class FeedState:
    """What a feed returned last: conditional-request validators, items seen, last error."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    items: dict[str, str] = field(default_factory=dict)  # item id -> sha256 of its saved article
    last_polled: str | None = None
    last_error: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class PollReport:
    feeds: int
    new: int
    updated: int
    unchanged: int
    errors: dict[str, str]  # feed or item URL -> what went wrong

    def summary(self) -> str:
        text = f"{self.feeds} feed(s): {self.new} new, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f"; {len(self.errors)} error(s)" if self.errors else "")


# --- the network, guarded ---------------------------------------------------------------


def check_address(url: str, allow_private: bool) -> None:
    """Refuse anything but http(s) to a public address (unless private ones are allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError(f"not an http(s) address: {url}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as exc:
        raise FeedError(f"cannot resolve {parts.hostname} ({exc.strerror or exc})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FeedError(f"{parts.hostname} is a private or local address ({address}); FEEDS_ALLOW_PRIVATE allows it")


def fetch(
    client: httpx.Client, url: str, limits: FetchLimits, headers: dict[str, str] | None = None
) -> httpx.Response:
    """GET with the address check, the time limit and the size limit (read as a stream).
    Redirects are followed one by one, each target checked like the first."""
    for _ in range(5):
        check_address(url, limits.allow_private)
        try:
            with client.stream("GET", url, headers=headers or {}, timeout=limits.timeout_s) as response:
                if response.is_redirect and "location" in response.headers:
                    url = str(response.url.join(response.headers["location"]))
                    continue
                declared = int(response.headers.get("content-length") or 0)
                if declared > limits.max_bytes:
                    raise FeedError(f"{url} is too large ({declared:,} bytes; the limit is {limits.max_bytes:,})")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > limits.max_bytes:
                        raise FeedError(f"{url} is larger than the limit ({limits.max_bytes:,} bytes)")
                return httpx.Response(response.status_code, headers=response.headers, content=bytes(body),
                                      request=response.request)
        except httpx.TimeoutException:
            raise FeedError(f"{url} did not answer within {limits.timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            raise FeedError(f"{url} could not be fetched ({type(exc).__name__}: {exc})") from None
    raise FeedError(f"{url} redirects too many times")


# --- one pass -----------------------------------------------------------------------------


class FeedPoller:
    """Polls feeds into ARTICLES_DIR/feeds; state in `state_file`. Blocking: run it in a thread."""

    def __init__(self, articles_dir: Path, state_file: Path, limits: FetchLimits,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.articles_dir = articles_dir
        self.state_file = state_file
        self.limits = limits
        self._transport = transport

    def load_state(self) -> dict[str, FeedState]:
        try:
            raw = json.loads(self.state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("feed state unreadable path=%s reason=%s; starting afresh", self.state_file, exc)
            return {}
        return {url: FeedState(**values) for url, values in raw.items()}

    def save_state(self, states: dict[str, FeedState]) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({u: asdict(s) for u, s in states.items()}, indent=1), encoding="utf-8")
        temporary.replace(self.state_file)

    def poll(self, urls: Iterable[str], progress: Callable[[str], None] | None = None) -> PollReport:
        """One pass over `urls`; new and changed items are written as article files."""
        states = self.load_state()
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        errors: dict[str, str] = {}
        urls = list(dict.fromkeys(urls))
        with httpx.Client(transport=self._transport, follow_redirects=False,
                          headers={"User-Agent": USER_AGENT}) as client:
            for url in urls:
                state = states.setdefault(url, FeedState(url))
                try:
                    self._poll_feed(client, state, counts, errors)
                    state.last_error = None
                except FeedError as exc:
                    state.last_error = str(exc)
                    errors[url] = str(exc)
                    logger.warning("feed failed url=%s reason=%s", url, exc)
                state.last_polled = datetime.now(UTC).isoformat(timespec="seconds")
                if progress:
                    progress(url)
        self.save_state(states)
        return PollReport(len(urls), counts["new"], counts["updated"], counts["unchanged"], errors)

    def _poll_feed(self, client: httpx.Client, state: FeedState, counts: dict[str, int],
                   errors: dict[str, str]) -> None:
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        response = fetch(client, state.url, self.limits, headers)
        if response.status_code == 304:
            counts["unchanged"] += len(state.items)
            return
        if response.status_code != 200:
            raise FeedError(f"{state.url} answered HTTP {response.status_code}")
        parsed = feedparser.parse(response.content)
        if not parsed.entries and (parsed.bozo or not parsed.version):
            raise FeedError(f"{state.url} is not an RSS or Atom feed")
        state.etag = response.headers.get("etag")
        state.last_modified = response.headers.get("last-modified")
        state.title = parsed.feed.get("title") or state.title
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            item_id = entry.get("id") or link
            try:
                article = self._article(client, entry, link, state)
            except FeedError as exc:
                errors[link] = str(exc)
                logger.warning("feed item failed url=%s reason=%s", link, exc)
                continue
            digest = hashlib.sha256(article.encode()).hexdigest()
            before = state.items.get(item_id)
            if before == digest:
                counts["unchanged"] += 1
                continue
            path = self.item_path(state.url, item_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(article, encoding="utf-8")
            temporary.replace(path)
            state.items[item_id] = digest
            counts["updated" if before else "new"] += 1

    def item_path(self, feed_url: str, item_id: str) -> Path:
        host = re.sub(r"[^a-z0-9.-]", "-", (urlsplit(feed_url).hostname or "feed").lower())
        digest = hashlib.sha256(item_id.encode()).hexdigest()[:12]
        return self.articles_dir / FEEDS_FOLDER / host / f"{digest}.md"

    def _article(self, client: httpx.Client, entry: feedparser.FeedParserDict, link: str, state: FeedState) -> str:
        """The item as an article file: front matter, then the page's main text (or the
        feed's own summary when the page gives none)."""
        import trafilatura  # heavy (lxml): only loaded when a feed has items to read

        response = fetch(client, link, self.limits)
        if response.status_code != 200:
            raise FeedError(f"{link} answered HTTP {response.status_code}")
        html = response.text
        text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True) or ""
        if not text.strip():
            summary = entry.get("summary") or ""
            text = re.sub(r"<[^>]+>", " ", summary).strip()
        if not text.strip():
            raise FeedError(f"{link} holds no article text")
        meta: dict[str, str] = {"title": _clean(entry.get("title") or "") or link}
        published = _entry_date(entry) or _page_date(html)
        if published:
            meta["date"] = published
        try:
            meta["url"] = web_address(link)  # a `"` or `<` in it must not reach the bot's HTML
        except ValueError as exc:
            raise FeedError(f"{link} {exc}") from None
        meta["source"] = _clean(state.title or urlsplit(state.url).hostname or "")
        language = entry.get("language") or (entry.get("title_detail") or {}).get("language")
        if isinstance(language, str) and re.fullmatch(r"[a-z]{2}(?:-[A-Za-z]{2})?", language):
            meta["lang"] = language[:2]
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
        return f"---\n{front}---\n\n{unicodedata.normalize('NFC', text.strip())}\n"


def _clean(text: str) -> str:
    return " ".join(text.split())


def _entry_date(entry: feedparser.FeedParserDict) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat(timespec="minutes")
    return None


def _page_date(html: str) -> str | None:
    from htmldate import find_date  # only when the feed gives no date

    try:
        found = find_date(html, extensive_search=False, original_date=True)
    except ValueError:
        return None
    return found or None
