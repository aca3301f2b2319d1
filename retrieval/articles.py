"""Load article files: walk ARTICLES_DIR, read UTF-8, parse the ` date YYYY-MM` header.

A bad file (empty, binary, not UTF-8, too large, a link leading outside the folder) is skipped
with a warning naming it; it never stops the others from loading.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
class ArticleFile:
    """An article file found on disk, before it is read; size and mtime let a re-index skip it."""

    id: str
    path: Path
    size: int
    mtime_ns: int


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
                if entry.is_symlink() and not Path(entry.path).resolve().is_relative_to(root):
                    skipped.append(SkippedFile(entry.path, "symbolic link leading outside the articles folder"))
                    continue
                try:
                    info = entry.stat()
                except OSError as exc:
                    skipped.append(SkippedFile(entry.path, f"unreadable ({exc.strerror})"))
                    continue
                article_id = entry.path[prefix:].replace(os.sep, "/")
                found.append(ArticleFile(article_id, Path(entry.path), info.st_size, info.st_mtime_ns))
    found.sort(key=lambda f: f.id)
    return found, skipped


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
    date: str | None = None
    header = _HEADER.match(text)
    if header:
        date = header.group(1)
        text = text[header.end():]
        if not _MONTH.fullmatch(date):
            logger.warning("article has an impossible date path=%s date=%s; indexed without a date", article_id, date)
            date = None
    text = text.strip()
    if not text:
        raise ValueError("empty file")
    return Article(
        id=article_id,
        title=extract_title(text),
        date=date,
        text=text,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


_TITLE_LINES = 3


def extract_title(text: str) -> str:
    """A Markdown heading near the top (a news wire's lede may come first), else the first line,
    cut to its first sentence when that is long."""
    top = [line.strip() for line in text.split("\n") if line.strip()][:_TITLE_LINES]
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
