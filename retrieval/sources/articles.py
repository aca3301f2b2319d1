"""Load article files: walk ARTICLES_DIR, read UTF-8, parse the metadata at the top.

Metadata comes either from YAML front matter (the convention of static site generators):

    ---
    title: Alep : les bus verts entrent dans la ville
    date: 2016-12-14            # or 2016-12-14T08:30:00+01:00
    url: https://example.org/alep-bus-verts
    source: AFP
    author: Jeanne Martin
    lang: fr
    ---
    Le texte de l'article...

or from the seed format's first line ` date YYYY-MM ...` (the rest of that line, the lede,
stays in the text). Front matter that is not valid YAML, is not a mapping, lacks its closing
`---`, or holds a value of the wrong kind (a date that is no date, a URL that is not http(s))
makes the file a plain-text article, front matter included, with a warning naming the file
(logged, on `Article.warnings` for the admin who uploaded it, in the re-index report): never
half of it read as metadata. A URL is stored with the characters a URL may not hold (a quote,
a space, `<`) percent-encoded (`web_address`), so it can go into HTML as it is.

A bad file (empty, binary, not UTF-8, too large, a link leading outside the folder) is skipped
with a warning naming it; it never stops the others from loading.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import yaml

from retrieval.errors import NoArticlesDir
from retrieval.models import Article

logger = logging.getLogger(__name__)

ARTICLE_SUFFIXES = frozenset({".txt", ".md"})
_HEADER = re.compile(r"^[ \t\ufeff]*date[ \t]+(\d{4}-\d{2})[ \t]*")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\s\u00a0]+(?=[«\"'’A-ZÀ-ÖØ-Þ0-9])")
_MAX_TITLE = 160


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileWarning:
    """A file indexed, but not all of it as written: its front matter ignored, and why."""

    path: str
    warning: str


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """An article file found on disk, before it is read; size and mtime let a re-index skip it."""

    id: str
    location: str  # a string, not a Path: a re-index lists 100k files and reads a few
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.location)


def find_article_files(root: Path) -> tuple[list[ArticleFile], list[SkippedFile]]:
    """Every .txt/.md file under `root`, sorted by id; links that leave `root` are not followed."""
    if not root.exists():
        raise NoArticlesDir(root, "does not exist")
    if not root.is_dir():
        raise NoArticlesDir(root, "is a file, not a folder")
    root = root.resolve()
    prefix = len(str(root)) + 1
    found: list[ArticleFile] = []
    skipped: list[SkippedFile] = []
    pending = [str(root)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                    continue
                if os.path.splitext(entry.name)[1].lower() not in ARTICLE_SUFFIXES:
                    continue
                if entry.is_symlink():
                    try:
                        target = Path(entry.path).resolve(strict=True)
                    except (OSError, RuntimeError) as exc:
                        # A loop (x.txt -> y.txt -> x.txt) or a dangling link: RuntimeError up
                        # to Python 3.12, OSError after. One bad link must not stop the others.
                        skipped.append(SkippedFile(entry.path, _broken_link_reason(exc)))
                        continue
                    if not target.is_relative_to(root):
                        skipped.append(SkippedFile(entry.path, "symbolic link leading outside the articles folder"))
                        continue
                try:
                    info = entry.stat()
                except OSError as exc:
                    skipped.append(SkippedFile(entry.path, f"unreadable ({exc.strerror})"))
                    continue
                article_id = entry.path[prefix:].replace(os.sep, "/")
                found.append(ArticleFile(article_id, entry.path, info.st_size, info.st_mtime_ns))
    found.sort(key=lambda f: f.id)
    return found, skipped


def _broken_link_reason(exc: OSError | RuntimeError) -> str:
    if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
        return "symbolic link loop (the link leads back to itself)"
    if isinstance(exc, FileNotFoundError):
        return "symbolic link to a file that does not exist"
    return f"unreadable symbolic link ({exc.strerror})"


def read_article_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; raises ValueError with a reason a person can read."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(f"too large ({size:,} bytes; the limit is MAX_ARTICLE_BYTES={max_bytes:,})")
    return path.read_bytes()


def parse_article(article_id: str, raw: bytes) -> Article:
    """Decode, normalise and parse one article; raises ValueError when it is not usable text."""
    if b"\x00" in raw[:8192]:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start})") from None
    text = unicodedata.normalize("NFC", decoded.replace("\r\n", "\n").replace("\r", "\n"))
    meta = FrontMatter()
    body_start = 0
    warnings: tuple[str, ...] = ()
    front = _FRONT_OPEN.match(text)
    if front:
        try:
            meta, body_start = parse_front_matter(text)
        except ValueError as exc:
            logger.warning(
                "malformed front matter path=%s reason=%s; indexed as plain text", article_id, exc
            )
            meta, body_start, warnings = FrontMatter(), 0, (str(exc),)
    else:
        header = _HEADER.match(text)
        if header:
            body_start = header.end()
            meta = FrontMatter(date=header.group(1))
            if not _MONTH.fullmatch(header.group(1)):
                logger.warning(
                    "article has an impossible date path=%s date=%s; indexed without a date",
                    article_id, header.group(1),
                )
                meta = FrontMatter()
    rest = text[body_start:]
    body = rest.strip()
    if not body:
        raise ValueError("empty file")
    return Article(
        id=article_id,
        title=meta.title or extract_title(body),
        date=meta.date,
        text=body,
        content_hash=hashlib.sha256(raw).hexdigest(),
        url=meta.url,
        source=meta.source,
        author=meta.author,
        lang=meta.lang,
        body_offset=body_start + len(rest) - len(rest.lstrip()),
        warnings=warnings,
    )


@dataclass(frozen=True, slots=True)
class FrontMatter:
    title: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None
    lang: str | None = None


_FRONT_OPEN = re.compile(r"---[ \t]*\n")
_FRONT_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_MAX_FRONT_MATTER = 16_384
_TEXT_FIELDS = ("title", "source", "author")
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?")


def parse_front_matter(text: str) -> tuple[FrontMatter, int]:
    """The front matter at the top of `text` and where the body starts; ValueError says what is
    wrong with it (the caller then keeps the whole file as text)."""
    opened = _FRONT_OPEN.match(text)
    if opened is None:
        return FrontMatter(), 0
    closing = _FRONT_CLOSE.search(text, opened.end(), opened.end() + _MAX_FRONT_MATTER)
    if closing is None:
        raise ValueError("front matter opened with '---' is never closed")
    block = text[opened.end():closing.start()]
    try:
        values = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        # French typography puts a space before a colon ("Alep : les bus verts"), which YAML
        # refuses unquoted. When every line is `known-key: value`, read the lines as they are.
        values = _plain_lines(block)
        if values is None:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark is not None else ""
            raise ValueError(f"front matter is not valid YAML{where}") from None
    except ValueError as exc:  # YAML's own timestamps: "date: 2016-02-30"
        raise ValueError(f"front matter date is no real date ({exc})") from None
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValueError("front matter is not a list of 'key: value' lines")
    fields: dict[str, str | None] = {}
    for name in _TEXT_FIELDS:
        value = values.get(name)
        if value is not None and not isinstance(value, str | int | float):
            raise ValueError(f"front matter {name!r} is not text")
        fields[name] = str(value).strip() or None if value is not None else None
    url = values.get("url")
    if url is not None:
        if not isinstance(url, str):
            raise ValueError(f"front matter url {url!r} is not an http(s) address")
        try:
            fields["url"] = web_address(url)
        except ValueError as exc:
            raise ValueError(f"front matter url {url!r} {exc}") from None
    lang = values.get("lang")
    if lang is not None:
        if not isinstance(lang, str) or not _LANG.fullmatch(lang.strip()):
            raise ValueError(f"front matter lang {lang!r} is not a language code such as fr or en")
        fields["lang"] = lang.strip().lower()
    fields["date"] = None if values.get("date") is None else publication_date(values["date"])
    body = closing.end() + 1 if text[closing.end():closing.end() + 1] == "\n" else closing.end()
    return FrontMatter(**fields), body


# What a URL may hold as it is (RFC 3986: unreserved and reserved characters, `%` of an escape)
# besides letters and digits; anything else in the path, query or fragment (a space, a quote,
# `<`, a non-ASCII letter) is percent-encoded, so the address can go into any HTML attribute,
# a Telegram button or a log line unchanged.
_URL_SAFE = "-._~!$&'()*+,;=:@/?%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_HOST_IPV6 = re.compile(r"[0-9a-f:.]+")


def web_address(value: str) -> str:
    """`value` as an http(s) URL fit to store and show: characters a URL may not hold
    percent-encoded, a non-ASCII host name in its IDNA form. ValueError, with a phrase that
    follows the address ("is not an http(s) address"), for anything else or for an address with
    a user name or password in it (it would be shown to every reader)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port  # ValueError when out of range or not a number
    except ValueError:
        raise ValueError("is not an http(s) address (malformed host or port)") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("is not an http(s) address")
    if parts.username is not None or parts.password is not None:
        raise ValueError("holds a user name or password")
    netloc = _web_host(parts.hostname) + (f":{port}" if port is not None else "")
    return urlunsplit((parts.scheme.lower(), netloc, _url_encoded(parts.path), _url_encoded(parts.query),
                       _url_encoded(parts.fragment)))


def _url_encoded(piece: str) -> str:
    return quote(_LONE_PERCENT.sub("%25", piece), safe=_URL_SAFE)


def _web_host(host: str) -> str:
    if ":" in host:
        if _HOST_IPV6.fullmatch(host):
            return f"[{host}]"
    elif _HOST_NAME.fullmatch(host):
        return host
    else:
        try:
            ascii_host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            ascii_host = ""
        if _HOST_NAME.fullmatch(ascii_host):
            return ascii_host
    raise ValueError("is not an http(s) address (the host is no domain name or IP address)")


_PLAIN_LINE = re.compile(r"(title|date|url|source|author|lang)[ \t]*:[ \t]*(.*?)[ \t]*")


def _plain_lines(block: str) -> dict[str, str] | None:
    """`key: value` lines with known keys, values verbatim; None when any line is something else."""
    values: dict[str, str] = {}
    for line in block.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _PLAIN_LINE.fullmatch(line)
        if match is None or match.group(1) in values:
            return None
        values[match.group(1)] = match.group(2)
    return values


def publication_date(value: object) -> str:
    """A front matter date as stored: YYYY-MM, YYYY-MM-DD, or an ISO date and time."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    if isinstance(value, Date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        if _MONTH.fullmatch(text):
            return text
        try:
            if len(text) == 10:
                return Date.fromisoformat(text).isoformat()
            return publication_date(datetime.fromisoformat(text))
        except ValueError:
            pass
    raise ValueError(f"front matter date {value!r} is not YYYY-MM-DD (a time may follow)")


_TITLE_LINES = 3


def extract_title(text: str) -> str:
    """A Markdown heading near the top (a news wire's lede may come first), else the first line,
    cut to its first sentence when that is long."""
    # Lines of dashes are no title (the fences of front matter kept as text when malformed).
    top = [line.strip() for line in text.split("\n") if line.strip().strip("-")][:_TITLE_LINES]
    heading = next((line for line in top if line.startswith("#") and line.lstrip("#").strip()), None)
    title = (heading or (top[0] if top else "")).lstrip("#").strip()
    if len(title) > _MAX_TITLE:
        title = _SENTENCE_END.split(title, maxsplit=1)[0]
    if len(title) > _MAX_TITLE:
        title = title[:_MAX_TITLE].rsplit(" ", 1)[0] + "…"
    return title


def load_article(file: ArticleFile, max_bytes: int) -> Article:
    """Read and parse one file; raises ValueError (or OSError) with a reason a person can read."""
    return parse_article(file.id, read_article_bytes(file.path, max_bytes))


def iter_articles(root: Path, max_bytes: int) -> Iterator[Article | SkippedFile]:
    """Every article under `root`, or a SkippedFile (already logged) for each unusable file."""
    files, skipped = find_article_files(root)
    for skip in skipped:
        logger.warning("skipping article path=%s reason=%s", skip.path, skip.reason)
        yield skip
    for file in files:
        yield try_load_article(file, max_bytes)


def try_load_article(file: ArticleFile, max_bytes: int) -> Article | SkippedFile:
    try:
        return load_article(file, max_bytes)
    except (OSError, ValueError) as exc:
        logger.warning("skipping article path=%s reason=%s", file.path, exc)
        return SkippedFile(str(file.path), str(exc))
