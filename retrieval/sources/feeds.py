"""RSS/Atom feeds: fetch new items, extract their text, save them as articles with front matter.

One pass (`poll`) over the feeds: for each, a conditional request (ETag / Last-Modified from the
previous pass), feedparser for the feed, then for each item not seen before (or whose page
changed) its page, whose main text trafilatura extracts (htmldate finds the date when the feed
gives none). Items become `.md` files under `ARTICLES_DIR/feeds/<host>/`, with front matter
(title, date, url, source, lang), so the ordinary incremental re-index picks them up.

Only http(s) to public addresses is fetched unless private ones are allowed (a feed must not
be a way to read the bot's own network): the name is resolved when the feed is added and again
before every fetch, redirects included, since DNS can change. (The HTTP client resolves it once
more to connect: a name whose answer flips in between, DNS rebinding with a zero TTL, is not
covered; connecting to the very address checked would be.) Every fetch has a size and a time
limit. One feed's failure is recorded for /status and never stops the others; an item that
cannot be read is counted, with its reason, on its feed. An item's page is fetched only when the
item is new or its entry in the feed changed. Credentials typed in a feed's URL are never shown
(`shown`). What each feed returned last lives behind `FeedStates`, implemented by the bot's
store, so several workers share it; `import_json_state` takes over the JSON file of earlier
versions once.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import ipaddress
import json
import logging
import re
import socket
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

import feedparser
import httpx
import yaml

from retrieval.errors import QabotError
from retrieval.sources.articles import web_address

logger = logging.getLogger(__name__)

FEEDS_FOLDER = "feeds"
USER_AGENT = "qabot-feeds/1.0 (+https://github.com/)"


class FeedError(QabotError):
    """One feed or page could not be used; the message says why, for /status."""


class AddressRefused(FeedError):
    """An address the poller will not fetch: `why` is `scheme` (not http(s), or not a valid
    URL), `private` (a private or local address: `host`, `address`) or `unresolved`."""

    def __init__(self, message: str, why: str, host: str = "", address: str = "") -> None:
        super().__init__(message)
        self.why, self.host, self.address = why, host, address


@dataclass(frozen=True, slots=True)
class FetchLimits:
    max_bytes: int = 5_000_000
    timeout_s: float = 20.0
    allow_private: bool = False  # loopback and private ranges (tests, an intranet)


@dataclass
class FeedState:
    """What a feed returned last: conditional-request validators, last error, and what its last
    read could not use. The items seen are kept apart (`SeenItem`): a feed's history grows."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled: str | None = None
    last_error: str | None = None
    title: str | None = None
    failures: int = 0  # polls failed in a row (an admin is told from ALERT_FEED_FAILURES on)
    item_errors: dict[str, str] = field(default_factory=dict)  # item link (shown) -> why, last read
    articles: int = 0  # items saved as articles (counted by the store when it loads the state)


@dataclass(frozen=True, slots=True)
class SeenItem:
    """An item already saved: the hash of its entry in the feed (a new hash means the item
    changed and its page is read again) and the sha256 of the article file written."""

    entry: str
    digest: str


class FeedStates(Protocol):
    """Where the poller keeps what it knows: the bot's store (shared by its workers). Called
    from the poller's thread: blocking methods."""

    def feed_state(self, url: str) -> FeedState:
        """The feed's state; a fresh `FeedState(url)` for a feed never polled."""
        ...

    def seen_items(self, url: str, item_ids: Collection[str]) -> dict[str, SeenItem]:
        """Of `item_ids`, those already saved for this feed."""
        ...

    def save_feed_state(self, state: FeedState, items: Mapping[str, SeenItem]) -> None:
        """Store the feed's state and the items saved (or re-checked) by this pass."""
        ...


Resolver = Callable[[str, int], Sequence[str]]  # (host, port) -> IP addresses


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolves `host` to (what the HTTP client will connect to)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True, slots=True)
class PollReport:
    feeds: int
    new: int
    updated: int
    unchanged: int
    errors: dict[str, str]  # feed or item URL (shown) -> what went wrong
    # feed URL -> polls failed in a row (0: read this time), for the admins' alerts
    streaks: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"{self.feeds} feed(s): {self.new} new, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f"; {len(self.errors)} error(s)" if self.errors else "")


# --- the network, guarded ---------------------------------------------------------------


def shown(url: str) -> str:
    """`url` with any user name and password replaced by `***`: for /feeds, /status and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def check_address(url: str, allow_private: bool, resolve: Resolver = system_resolver) -> None:
    """Refuse anything but http(s) to a public address (unless private ones are allowed):
    loopback, private, link-local (cloud metadata at 169.254.169.254), unspecified (0.0.0.0),
    shared and reserved ranges, however the address is written (`2130706433`, `0x7f.1`,
    `[::ffff:127.0.0.1]`) or whichever name resolves to it."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise AddressRefused(f"not a valid address: {shown(url)} ({exc})", "scheme") from None
    if parts.scheme not in ("http", "https") or not host:
        raise AddressRefused(f"not an http(s) address: {shown(url)}", "scheme")
    if allow_private:
        return
    host = host.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always this machine
        raise AddressRefused(f"{host} is a private or local address; FEEDS_ALLOW_PRIVATE allows it", "private", host)
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = [ipaddress.ip_address(a.partition("%")[0])
                         for a in resolve(host, port or (443 if parts.scheme == "https" else 80))]
        except OSError as exc:
            raise AddressRefused(f"cannot resolve {host} ({exc.strerror or exc})", "unresolved", host) from None
        except ValueError as exc:  # a resolver answering something that is no address
            raise AddressRefused(f"cannot resolve {host} ({exc})", "unresolved", host) from None
        if not addresses:
            raise AddressRefused(f"cannot resolve {host}", "unresolved", host)
    for address in addresses:
        if not _public(address):
            raise AddressRefused(f"{host} is a private or local address ({address}); FEEDS_ALLOW_PRIVATE allows it",
                                 "private", host, str(address))


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as one stands for, in every form the C resolver accepts:
    `127.0.0.1`, `::1`, but also `2130706433`, `0x7f000001` and `127.1`."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fx.]+", host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address; an IPv6 one carrying an IPv4 address (mapped, NAT64, 6to4)
    is judged by the IPv4 address it leads to."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _public(address.ipv4_mapped)
        if address.sixtofour is not None:
            return _public(address.sixtofour)
        if address in NAT64:
            return _public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return address.is_global and not address.is_multicast


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _without_credentials(url: str) -> tuple[str, httpx.BasicAuth | None]:
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:  # check_address says what is wrong with it
        return url, None
    if user is None:
        return url, None
    bare = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return bare, httpx.BasicAuth(unquote(user), unquote(password or ""))


def _origin(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ("", url)
    return (parts.scheme, parts.netloc)


def fetch(
    client: httpx.Client, url: str, limits: FetchLimits, headers: dict[str, str] | None = None,
    resolve: Resolver = system_resolver,
) -> httpx.Response:
    """GET with the address check, the time limit and the size limit (read as a stream).
    Redirects are followed one by one, each target checked like the first. Credentials in the
    URL go in an Authorization header (so no log line holds them), to their own origin only."""
    url, auth = _without_credentials(url)
    origin = _origin(url)
    for _ in range(5):
        check_address(url, limits.allow_private, resolve)
        try:
            with client.stream("GET", url, headers=headers or {}, timeout=limits.timeout_s,
                               auth=auth if _origin(url) == origin else None) as response:
                if response.is_redirect and "location" in response.headers:
                    url = str(response.url.join(response.headers["location"]))
                    continue
                declared = int(response.headers.get("content-length") or 0)
                if declared > limits.max_bytes:
                    raise FeedError(f"{shown(url)} is too large ({declared:,} bytes; the limit is {limits.max_bytes:,})")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > limits.max_bytes:
                        raise FeedError(f"{shown(url)} is larger than the limit ({limits.max_bytes:,} bytes)")
                return httpx.Response(response.status_code, headers=response.headers, content=bytes(body),
                                      request=response.request)
        except httpx.TimeoutException:
            raise FeedError(f"{shown(url)} did not answer within {limits.timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            detail = str(exc).replace(url, shown(url))
            raise FeedError(f"{shown(url)} could not be fetched ({type(exc).__name__}: {detail})") from None
    raise FeedError(f"{shown(url)} redirects too many times")


# --- one pass -----------------------------------------------------------------------------


class FeedPoller:
    """Polls feeds into ARTICLES_DIR/feeds; what it knows in `states`. Blocking: run it in a thread."""

    def __init__(self, articles_dir: Path, states: FeedStates, limits: FetchLimits,
                 transport: httpx.BaseTransport | None = None, resolve: Resolver = system_resolver) -> None:
        self.articles_dir = articles_dir
        self.states = states
        self.limits = limits
        self._transport = transport
        self._resolve = resolve

    def poll(self, urls: Iterable[str], progress: Callable[[str], None] | None = None) -> PollReport:
        """One pass over `urls`; new and changed items are written as article files."""
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        errors: dict[str, str] = {}
        streaks: dict[str, int] = {}
        urls = list(dict.fromkeys(urls))
        with httpx.Client(transport=self._transport, follow_redirects=False,
                          headers={"User-Agent": USER_AGENT}) as client:
            for url in urls:
                state = self.states.feed_state(url)
                items: dict[str, SeenItem] = {}
                try:
                    items = self._poll_feed(client, state, counts, errors)
                    state.last_error, state.failures = None, 0
                except FeedError as exc:
                    state.last_error, state.failures = str(exc), state.failures + 1
                    errors[shown(url)] = str(exc)
                    logger.warning("feed failed url=%s failures=%d reason=%s", shown(url), state.failures, exc)
                state.last_polled = datetime.now(UTC).isoformat(timespec="seconds")
                self.states.save_feed_state(state, items)
                streaks[url] = state.failures
                if progress:
                    progress(url)
        return PollReport(len(urls), counts["new"], counts["updated"], counts["unchanged"], errors, streaks)

    def _poll_feed(self, client: httpx.Client, state: FeedState, counts: dict[str, int],
                   errors: dict[str, str]) -> dict[str, SeenItem]:
        """Read the feed; save its new and changed items; the items saved or re-checked."""
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        response = fetch(client, state.url, self.limits, headers, self._resolve)
        if response.status_code == 304:
            counts["unchanged"] += state.articles
            return {}
        if response.status_code != 200:
            raise FeedError(f"{shown(state.url)} answered HTTP {response.status_code}")
        parsed = feedparser.parse(response.content)
        if not parsed.entries and (parsed.bozo or not parsed.version):
            raise FeedError(f"{shown(state.url)} is not an RSS or Atom feed")
        state.etag = response.headers.get("etag")
        state.last_modified = response.headers.get("last-modified")
        state.title = parsed.feed.get("title") or state.title
        # What the last read could not use is replaced by what this one could not.
        state.item_errors = {}
        seen = self.states.seen_items(state.url, _item_ids(parsed.entries))
        saved: dict[str, SeenItem] = {}
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            item_id = entry.get("id") or link
            key = entry_key(entry)
            before = seen.get(item_id)
            if before is not None and before.entry == key:  # not new, not changed: no page fetched
                counts["unchanged"] += 1
                continue
            try:
                article = self._article(client, entry, link, state)
            except FeedError as exc:
                self._item_failed(state, errors, link, str(exc))
                continue
            except Exception as exc:  # one odd item (a parser's bug) must not stop its feed
                logger.exception("feed item crashed url=%s", shown(link))
                self._item_failed(state, errors, link, f"{shown(link)} could not be read ({type(exc).__name__})")
                continue
            digest = hashlib.sha256(article.encode()).hexdigest()
            saved[item_id] = SeenItem(key, digest)
            if before is not None and before.digest == digest:
                counts["unchanged"] += 1
                continue
            path = self.item_path(state.url, item_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(article, encoding="utf-8")
            temporary.replace(path)
            counts["updated" if before else "new"] += 1
            state.articles += 0 if before else 1
        return saved

    @staticmethod
    def _item_failed(state: FeedState, errors: dict[str, str], link: str, reason: str) -> None:
        state.item_errors[shown(link)] = reason
        errors[shown(link)] = reason
        logger.warning("feed item failed feed=%s url=%s reason=%s", shown(state.url), shown(link), reason)

    def item_path(self, feed_url: str, item_id: str) -> Path:
        host = re.sub(r"[^a-z0-9.-]", "-", (urlsplit(feed_url).hostname or "feed").lower())
        digest = hashlib.sha256(item_id.encode()).hexdigest()[:12]
        return self.articles_dir / FEEDS_FOLDER / host / f"{digest}.md"

    def _article(self, client: httpx.Client, entry: feedparser.FeedParserDict, link: str, state: FeedState) -> str:
        """The item as an article file: front matter, then the page's main text (or the
        feed's own summary when the page gives none)."""
        import trafilatura  # heavy (lxml): only loaded when a feed has items to read

        response = fetch(client, link, self.limits, resolve=self._resolve)
        if response.status_code != 200:
            raise FeedError(f"{shown(link)} answered HTTP {response.status_code}")
        html = response.text
        text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True) or ""
        if not text.strip():
            summary = entry.get("summary") or ""
            text = re.sub(r"<[^>]+>", " ", summary).strip()
        if not text.strip():
            raise FeedError(f"{shown(link)} holds no article text")
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


def entry_key(entry: feedparser.FeedParserDict) -> str:
    """A hash of what the feed says about an item (id, link, dates, title, summary, content):
    when it changes, the item changed and its page is read again."""
    content = [part.get("value", "") for part in entry.get("content") or []]
    fields = [entry.get(name) or "" for name in ("id", "link", "published", "updated", "title", "summary")]
    return hashlib.sha256(json.dumps([*fields, content], ensure_ascii=False).encode()).hexdigest()


def _item_ids(entries: Iterable[feedparser.FeedParserDict]) -> set[str]:
    return {str(entry.get("id") or entry.get("link")) for entry in entries if entry.get("link")}


def import_json_state(path: Path, states: FeedStates) -> int:
    """Take over the JSON state file of earlier versions (DATA_DIR/feeds-state.json) once: its
    feeds never polled since are copied into `states`, then the file is renamed
    `*.imported`. Returns the number of feeds copied. The items it lists carry no entry hash:
    their pages are read once more on the next pass, and written only if they changed."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0
    except (OSError, ValueError) as exc:
        logger.warning("old feed state unreadable path=%s reason=%s; not imported", path, exc)
        return 0
    copied = 0
    for url, values in raw.items() if isinstance(raw, dict) else ():
        if states.feed_state(url).last_polled is not None:  # the store knows better (another worker)
            continue
        items = {str(item_id): SeenItem("", str(digest)) for item_id, digest in (values.get("items") or {}).items()}
        state = FeedState(url, etag=values.get("etag"), last_modified=values.get("last_modified"),
                          last_polled=values.get("last_polled"), last_error=values.get("last_error"),
                          title=values.get("title"))
        states.save_feed_state(state, items)
        copied += 1
    # FileNotFoundError: another worker on this machine imported it at the same moment.
    with contextlib.suppress(FileNotFoundError):
        path.replace(path.with_name(path.name + ".imported"))
    logger.info("feed state imported from %s feeds=%d", path, copied)
    return copied


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
