"""Index generations on disk: each a folder with the chunks (SQLite + FTS5) and the vectors (FAISS).

    INDEX_DIR/
      CURRENT              name of the live generation, replaced atomically (os.replace)
      gen-000007/          a complete, immutable generation
        chunks.sqlite3     articles, chunks, BM25 terms, meta
        dense.faiss        vectors keyed by chunk id
        manifest.json      sha256 of both files, written last
      gen-000008.tmp/      a generation being built (ignored by readers, removed on the next run)
      reindex.lock         flock held by the one running re-index

A generation is never modified once published, so a reader that opened it keeps a consistent
view until it lets go, and a crash mid-build (even kill -9) leaves CURRENT on the previous one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval import duplicates, lexical
from retrieval.dates import Period
from retrieval.dense import DenseIndex
from retrieval.errors import (
    IndexCorrupt,
    IndexDirUnusable,
    IndexModelMismatch,
    IndexNotReady,
    IndexSchemaOutdated,
    ReindexInProgress,
)
from retrieval.models import Article, Copy, Headline
from retrieval.temporal import CandidateDating

logger = logging.getLogger(__name__)

# 3: article metadata (url, source, author, lang, body_offset); 4: dates named in chunks;
# 5: near-duplicate signatures and pairs.
SCHEMA_VERSION = "5"
DB_FILE = "chunks.sqlite3"
DENSE_FILE = "dense.faiss"
MANIFEST_FILE = "manifest.json"
_GENERATION = re.compile(r"^gen-(\d{6})$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT, content_hash TEXT NOT NULL,
    text TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    url TEXT, source TEXT, author TEXT, lang TEXT, body_offset INTEGER NOT NULL DEFAULT 0,
    minhash BLOB
);
-- Near-duplicate articles (retrieval.duplicates), a < b.
CREATE TABLE IF NOT EXISTS duplicate_pairs (a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b));
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
    ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_article ON chunks(article_id);
-- The periods each chunk names (retrieval.temporal), as proleptic ordinals of first/last day.
CREATE TABLE IF NOT EXISTS chunk_dates (
    chunk_id INTEGER NOT NULL, article_id TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunk_dates_by_chunk ON chunk_dates(chunk_id);
CREATE INDEX IF NOT EXISTS chunk_dates_by_article ON chunk_dates(article_id);
"""


@dataclass(frozen=True, slots=True)
class ChunkRow:
    id: int
    article_id: str
    title: str
    date: str | None
    start: int
    end: int
    text: str
    url: str | None
    source: str | None
    body_offset: int = 0


@dataclass(frozen=True, slots=True)
class IndexStats:
    articles: int
    chunks: int
    date_min: str | None
    date_max: str | None
    embedding: str
    dimension: int
    chunking: str
    generation: str
    built_at: str

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}


# In the order of Article's fields.
_ARTICLE_COLUMNS = "id, title, date, text, content_hash, url, source, author, lang, body_offset"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect_rw(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_SCHEMA)
    lexical.create_schema(db)
    return db


class Generation:
    """One published generation, opened read-only; safe to share between threads."""

    def __init__(self, name: str, path: Path, db: sqlite3.Connection, dense: DenseIndex, meta: dict[str, str]):
        self.name = name
        self.path = path
        self.meta = meta
        self.dense = dense
        self._db = db
        self._lock = threading.Lock()
        self._chunk_count: int | None = None
        self._groups: dict[str, list[str]] | None = None

    @property
    def embedding(self) -> str:
        return self.meta["embedding"]

    def lexical_search(self, terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        with self._lock:
            return lexical.search(self._db, terms, limit)

    def term_idf(self, terms: Sequence[str]) -> dict[str, float]:
        """See lexical.term_idf; the chunk count is read once (a generation never changes)."""
        with self._lock:
            if self._chunk_count is None:
                (self._chunk_count,) = self._db.execute("SELECT count(*) FROM chunks").fetchone()
            return lexical.term_idf(self._db, terms, self._chunk_count)

    def stored_terms(self, chunk_ids: list[int]) -> dict[int, set[str]]:
        with self._lock:
            return lexical.stored_terms(self._db, chunk_ids)

    def dense_search(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        return self.dense.search(query, limit)

    def chunks(self, chunk_ids: list[int]) -> dict[int, ChunkRow]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._db.execute(
                f'SELECT c.id, c.article_id, a.title, a.date, c.start, c."end", c.text, a.url, a.source, a.body_offset '  # noqa: S608
                f"FROM chunks c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})",
                chunk_ids,
            ).fetchall()
        return {row[0]: ChunkRow(*row) for row in rows}

    def dating(self, chunk_ids: list[int], period: Period | None) -> dict[int, CandidateDating]:
        """Publication date of each chunk's article and, for `period`, whether the chunk (or
        any chunk of its article) names a date within it."""
        if not chunk_ids:
            return {}
        first, last, days = (period.first.toordinal(), period.last.toordinal(), period.days) if period else (0, -1, 0)
        marks = ",".join("?" * len(chunk_ids))
        within = "d.first <= ? AND d.last >= ? AND d.last - d.first < ?"
        with self._lock:
            rows = self._db.execute(
                f"SELECT c.id, c.article_id, a.date, "  # noqa: S608
                f"EXISTS(SELECT 1 FROM chunk_dates d WHERE d.chunk_id = c.id AND {within}), "
                f"EXISTS(SELECT 1 FROM chunk_dates d WHERE d.article_id = c.article_id AND {within}) "
                f"FROM chunks c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})",
                [last, first, days, last, first, days, *chunk_ids],
            ).fetchall()
        return {row[0]: CandidateDating(row[1], row[2], bool(row[3]), bool(row[4])) for row in rows}

    def chunk_articles(self, chunk_ids: list[int]) -> dict[int, str]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, article_id FROM chunks WHERE id IN ({marks})", chunk_ids  # noqa: S608
            ).fetchall()
        return dict(rows)

    def duplicate_groups(self) -> dict[str, list[str]]:
        """Each article that has near-duplicates -> its group (sorted article ids); read once."""
        with self._lock:
            if self._groups is None:
                pairs = self._db.execute("SELECT a, b FROM duplicate_pairs").fetchall()
                members: dict[str, list[str]] = {}
                for article, name in duplicates.groups(pairs).items():
                    members.setdefault(name, []).append(article)
                self._groups = {a: sorted(group) for group in members.values() for a in group}
            return self._groups

    def copies(self, article_ids: list[str]) -> dict[str, Copy]:
        """Where each of these articles was published (source, URL, date)."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, source, url, date FROM articles WHERE id IN ({marks})", article_ids  # noqa: S608
            ).fetchall()
        return {row[0]: Copy(*row) for row in rows}

    def headlines(self, article_ids: list[str] | None = None, newest: int = 0) -> list[Headline]:
        """These articles, or the `newest` dated ones, newest first."""
        columns = "SELECT id, title, date, source, url FROM articles"
        with self._lock:
            if article_ids is None:
                rows = self._db.execute(
                    f"{columns} WHERE date IS NOT NULL ORDER BY date DESC, id LIMIT ?", (newest,)
                ).fetchall()
            else:
                marks = ",".join("?" * len(article_ids))
                rows = self._db.execute(f"{columns} WHERE id IN ({marks})", article_ids).fetchall()  # noqa: S608
        found = [Headline(*row) for row in rows]
        return sorted(found, key=lambda h: h.date or "", reverse=True)

    def article(self, article_id: str) -> Article | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)  # noqa: S608
            ).fetchone()
        return Article(*row) if row else None

    def article_titles(self, article_ids: list[str]) -> dict[str, str]:
        marks = ",".join("?" * len(article_ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, title FROM articles WHERE id IN ({marks})", article_ids  # noqa: S608
            ).fetchall()
        return dict(rows)

    def stats(self) -> IndexStats:
        with self._lock:
            articles, date_min, date_max = self._db.execute(
                "SELECT count(*), min(date), max(date) FROM articles"
            ).fetchone()
            (chunks,) = self._db.execute("SELECT count(*) FROM chunks").fetchone()
        return IndexStats(
            articles=articles,
            chunks=chunks,
            date_min=date_min,
            date_max=date_max,
            embedding=self.meta["embedding"],
            dimension=int(self.meta["dimension"]),
            chunking=self.meta.get("chunking", ""),
            generation=self.name,
            built_at=self.meta.get("built_at", ""),
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class IndexStore:
    """The INDEX_DIR folder: which generation is live, the re-index lock, publishing."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def _make_root(self) -> None:
        self._check_root()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexDirUnusable(self.root, f"cannot be created ({exc.strerror or exc})") from exc

    def _check_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise IndexDirUnusable(self.root, "is a file, not a folder")

    def current_name(self) -> str | None:
        self._check_root()
        try:
            name = self.current_file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexCorrupt(f"unreadable {self.current_file}: {exc}") from exc
        if not _GENERATION.match(name):
            raise IndexCorrupt(f"{self.current_file} names no generation ({name!r})")
        return name

    def open(self, expected_embedding: str | None = None) -> Generation:
        """Open the live generation, verifying its files; check its model when one is expected."""
        name = self.current_name()
        if name is None:
            raise IndexNotReady(self.root)
        generation = open_generation(self.root / name, verify=True)
        if expected_embedding is not None and generation.embedding != expected_embedding:
            built_with = generation.embedding
            generation.close()
            raise IndexModelMismatch(built_with, expected_embedding)
        return generation

    @contextlib.contextmanager
    def reindex_lock(self) -> Iterator[None]:
        """Held for the whole of a re-index; a second one (thread or process) is refused at once."""
        self._make_root()
        with (self.root / "reindex.lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ReindexInProgress() from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def next_name(self) -> str:
        self._make_root()
        numbers = [int(m.group(1)) for p in self.root.iterdir() if (m := _GENERATION.match(p.name))]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def scratch_dir(self, name: str) -> Path:
        """An empty folder to build generation `name` in (call under the re-index lock)."""
        for leftover in self.root.glob("gen-*.tmp"):
            logger.warning("removing unfinished generation path=%s", leftover)
            shutil.rmtree(leftover, ignore_errors=True)
        path = self.root / f"{name}.tmp"
        path.mkdir(parents=True)
        return path

    def publish(self, scratch: Path, name: str) -> Path:
        """Seal a built generation and make it the live one, atomically."""
        manifest = {
            "files": {f: sha256_file(scratch / f) for f in (DB_FILE, DENSE_FILE)},
            "schema": SCHEMA_VERSION,
        }
        (scratch / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        for f in (DB_FILE, DENSE_FILE, MANIFEST_FILE):
            with (scratch / f).open("rb") as handle:
                os.fsync(handle.fileno())
        fsync_dir(scratch)
        final = self.root / name
        os.replace(scratch, final)
        pointer = self.root / "CURRENT.tmp"
        with pointer.open("w", encoding="ascii") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, self.current_file)
        fsync_dir(self.root)
        self._prune(keep={name})
        return final

    def _prune(self, keep: set[str], spare: int = 1) -> None:
        """Remove old generations, sparing the newest `spare` ones besides `keep`."""
        older = sorted(
            (p for p in self.root.iterdir() if _GENERATION.match(p.name) and p.name not in keep),
            reverse=True,
        )
        for path in older[spare:]:
            # Readers in this or another process keep their open files (unlinked files live on).
            shutil.rmtree(path, ignore_errors=True)


def open_generation(path: Path, verify: bool) -> Generation:
    """Open a sealed generation read-only; `verify` checks both files against the manifest."""
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise IndexCorrupt(f"manifest of {path.name} unreadable: {exc}") from exc
    if verify:
        for name, expected in files.items():
            try:
                actual = sha256_file(path / name)
            except OSError as exc:
                raise IndexCorrupt(f"{path.name}/{name} unreadable: {exc}") from exc
            if actual != expected:
                raise IndexCorrupt(f"{path.name}/{name} fails its checksum")
    try:
        db = sqlite3.connect(
            f"file:{path / DB_FILE}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        dense = DenseIndex.load(path / DENSE_FILE)
    except (sqlite3.DatabaseError, RuntimeError) as exc:
        raise IndexCorrupt(f"{path.name} cannot be opened: {exc}") from exc
    if meta.get("schema") != SCHEMA_VERSION:
        db.close()
        raise IndexSchemaOutdated(path.name, meta.get("schema"), SCHEMA_VERSION)
    return Generation(path.name, path, db, dense, meta)
