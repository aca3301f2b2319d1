"""What a re-index does the same on both index backends (retrieval/local, retrieval/qdrant):
scan ARTICLES_DIR, sort its files against the states the live index keeps, and the header
searched with each chunk."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import NoArticles
from retrieval.models import Article
from retrieval.search import Progress
from retrieval.sources.articles import (
    ArticleFile,
    FileWarning,
    SkippedFile,
    find_article_files,
    try_load_article,
)

logger = logging.getLogger(__name__)


def scan_articles(articles_dir: Path, notify: Progress) -> tuple[int, list[ArticleFile], list[SkippedFile]]:
    """The article files (and the unusable ones, logged), with the time the scan started."""
    scan_started_ns = time.time_ns()
    notify(0, 0, "reading articles")
    files, skipped = find_article_files(articles_dir)
    for skip in skipped:
        logger.warning("skipping article path=%s reason=%s", skip.path, skip.reason)
    if not files:
        raise NoArticles(articles_dir)
    return scan_started_ns, files, skipped


# A file whose mtime falls this close to the previous scan may have changed again within the
# same timestamp tick after it was read ("racy" in git's words): such files are always re-read.
_RACY_NS = 2_000_000_000


@dataclass
class Diff:
    previous: dict[str, tuple[str, int, int]]  # id -> (hash, size, mtime_ns) in the live index
    kept: set[str]  # unchanged articles (by stat, or by hash when the stat changed)
    fresh: dict[str, tuple[Article, ArticleFile]]  # new or changed articles, read and parsed
    touched: list[tuple[int, int, str]]  # (size, mtime_ns, id) of unchanged content with a new stat

    @property
    def warnings(self) -> list[FileWarning]:
        """What reading the new and changed files left aside (a front matter ignored)."""
        return [FileWarning(file.location, w) for article, file in self.fresh.values() for w in article.warnings]


def compare_files(
    previous: dict[str, tuple[str, int, int]], scan_started_ns: int | None, files: list[ArticleFile],
    max_bytes: int, skipped: list[SkippedFile],
) -> Diff:
    """`previous`: id -> (hash, size, mtime_ns) in the live index, whichever backend keeps it."""
    trusted_before = scan_started_ns - _RACY_NS if scan_started_ns is not None else 0
    diff = Diff(previous, set(), {}, [])
    for file in files:
        before = previous.get(file.id)
        if before and before[1:] == (file.size, file.mtime_ns) and file.mtime_ns < trusted_before:
            diff.kept.add(file.id)
            continue
        loaded = try_load_article(file, max_bytes)
        if isinstance(loaded, SkippedFile):
            skipped.append(loaded)
        elif before and before[0] == loaded.content_hash:
            diff.kept.add(file.id)
            diff.touched.append((file.size, file.mtime_ns, file.id))
        else:
            diff.fresh[file.id] = (loaded, file)
    return diff


def search_header(article: Article) -> str:
    """What goes before each of the article's chunks for the encoder and BM25 (both backends).

    A title from front matter is not in the text: the headline ("L'OL concède le nul") says what
    the body may say otherwise, so it is searched with each chunk, while the stored chunk text,
    which offsets and citations use, stays the article's own. A title that the text opens with
    (the seed's first line) is not repeated."""
    if article.title and article.title not in article.text[: len(article.title) + 200]:
        return f"{article.title}\n\n"
    return ""
