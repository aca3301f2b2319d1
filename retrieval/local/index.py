"""Index generations on disk: each a folder with the chunks (SQLite + FTS5) and the vectors (FAISS).

    INDEX_DIR/
      CURRENT              name of the live generation, replaced atomically (os.replace)
      gen-000007/          a complete, immutable generation (a "full" one)
        chunks.sqlite3     articles, chunks, BM25 terms, meta
        dense.faiss        vectors keyed by chunk id
        manifest.json      sha256 of both files, written last
      gen-000009/          a delta generation: only what changed since its base, gen-000007
        chunks.sqlite3     the new and changed articles, and which of the base's it replaces
        dense.faiss        their vectors (exact search: a delta is small)
        manifest.json      its files' sha256 and "base": "gen-000007"
      gen-000010.tmp/      a generation being built (ignored by readers, removed on the next run)
      reindex.lock         flock held by the one running re-index

A generation is never modified once published, so a reader that opened it keeps a consistent
view until it lets go, and a crash mid-build (even kill -9) leaves CURRENT on the previous one.

Like Lucene's segments, a large base is shared, unchanged, by the deltas built on it: one
changed article costs a small delta (its rows, the previous delta's, and the list of the base's
chunks they replace), not a copy of the whole archive, and a reader that holds the base keeps
its vectors when it moves to the next delta. The indexer folds a delta into a new full
generation once it outgrows a share of its base (retrieval.local.indexer).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.dates import Period
from retrieval.errors import (
    IndexCorrupt,
    IndexDirUnusable,
    IndexModelMismatch,
    IndexNotReady,
    IndexSchemaOutdated,
    ReindexInProgress,
)
from retrieval.files import fsync_dir, sha256_file
from retrieval.local import lexical
from retrieval.local.dense import DenseIndex
from retrieval.models import Article, Chunk, Copy, Headline
from retrieval.news import duplicates
from retrieval.news.temporal import CandidateDating
from retrieval.search import ChunkRow, IndexStats

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
-- Near-duplicate articles (retrieval.news.duplicates), a < b.
CREATE TABLE IF NOT EXISTS duplicate_pairs (a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b));
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
    ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_article ON chunks(article_id);
-- The periods each chunk names (retrieval.news.temporal), as proleptic ordinals of first/last day.
CREATE TABLE IF NOT EXISTS chunk_dates (
    chunk_id INTEGER NOT NULL, article_id TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunk_dates_by_chunk ON chunk_dates(chunk_id);
CREATE INDEX IF NOT EXISTS chunk_dates_by_article ON chunk_dates(article_id);
-- A delta generation's changes to its base: the base's articles (and their chunks) it replaces
-- or deletes, and the new size and mtime of base articles whose files were touched, unchanged.
CREATE TABLE IF NOT EXISTS removed_articles (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS removed_chunks (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS restat_articles (id TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
"""


# In the order of Article's fields.
_ARTICLE_COLUMNS = "id, title, date, text, content_hash, url, source, author, lang, body_offset"


def connect_rw(path: Path) -> sqlite3.Connection:
    # Opened as a URI so that ATTACH takes read-only, immutable URIs (a delta's base).
    db = sqlite3.connect(f"file:{path}", uri=True, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_SCHEMA)
    lexical.create_schema(db)
    return db


Row = tuple[Any, ...]


class Segments:
    """The rows of a generation in one SQLite connection: its own database (`main`) and, for a
    delta generation, its base's (attached as `base`) less the articles the delta took out of
    it (`main.removed_articles`). Shared by readers (`Generation`) and the indexer."""

    def __init__(self, db: sqlite3.Connection, has_base: bool) -> None:
        self.db = db
        self.has_base = has_base

    @property
    def schemas(self) -> tuple[str, ...]:
        return ("base", "main") if self.has_base else ("main",)

    def live(self, schema: str, column: str) -> str:
        """An SQL condition on `column` (an article id of `schema`): the article is not replaced."""
        if schema == "base":
            return f"{column} NOT IN (SELECT id FROM main.removed_articles)"
        return "1"

    def rows(self, query: Callable[[str, Callable[[str], str]], str], params: Sequence[object] = ()) -> list[Row]:
        """`query(schema, live)` run on each database, the rows put together; `live(column)`
        is the condition that keeps a base's row only while its article is not replaced."""
        found: list[Row] = []
        for schema in self.schemas:
            sql = query(schema, functools.partial(self.live, schema))
            found.extend(self.db.execute(sql, params).fetchall())
        return found

    def article_states(self) -> dict[str, tuple[str, int, int]]:
        """Article id -> (content hash, size, mtime_ns) of every live article."""
        states = {
            row[0]: (row[1], row[2], row[3])
            for row in self.rows(
                lambda s, live: f"SELECT id, content_hash, size, mtime_ns FROM {s}.articles WHERE {live('id')}"  # noqa: S608
            )
        }
        if self.has_base:  # a base article whose file was touched, its content the same
            for article_id, size, mtime_ns in self.db.execute("SELECT id, size, mtime_ns FROM main.restat_articles"):
                if article_id in states:
                    states[article_id] = (states[article_id][0], size, mtime_ns)
        return states

    def chunk_count(self) -> int:
        return sum(
            row[0] for row in self.rows(lambda s, live: f"SELECT count(*) FROM {s}.chunks WHERE {live('article_id')}")  # noqa: S608
        )

    def next_chunk_id(self) -> int:
        """Above every chunk id of both databases, replaced ones included (the base keeps them)."""
        highest = [int(row[0]) for row in self.rows(lambda s, _: f"SELECT coalesce(max(id), 0) FROM {s}.chunks")]  # noqa: S608
        return max(highest) + 1

    def signatures(self) -> dict[str, bytes]:
        return dict(
            self.rows(
                lambda s, live: f"SELECT id, minhash FROM {s}.articles WHERE minhash IS NOT NULL AND {live('id')}"  # noqa: S608
            )
        )

    def meta(self) -> dict[str, str]:
        """The generation's meta: its base's, overridden by its own."""
        merged: dict[str, str] = {}
        for schema in self.schemas:
            merged.update(self.db.execute(f"SELECT key, value FROM {schema}.meta").fetchall())  # noqa: S608
        return merged


class Generation:
    """One published generation, opened read-only; safe to share between threads.

    A delta generation holds only what changed since its base (a full generation it shares,
    unchanged, with the deltas after it): searches run on both and merge by score, the base's
    replaced chunks left out while scanning."""

    def __init__(
        self, name: str, path: Path, db: sqlite3.Connection, dense: DenseIndex, meta: dict[str, str],
        base: str | None = None, delta: DenseIndex | None = None,
    ):
        self.name = name
        self.path = path
        self.meta = meta
        self.dense = dense  # the base's vectors (or all of them, for a full generation)
        self.base = base
        self._delta = delta
        self._db = db
        self._segments = Segments(db, base is not None)
        self._lock = threading.Lock()
        self._chunk_count: int | None = None
        self._groups: dict[str, list[str]] | None = None
        self._removed = np.zeros(0, dtype=np.int64)
        self._base_totals = lexical.Totals(0, 0)
        if base is not None:
            self._removed = np.array([r[0] for r in db.execute("SELECT id FROM main.removed_chunks")], dtype=np.int64)
            self._base_totals = lexical.totals(db, "base")
        # The full part's precomputed BM25 postings (generations sealed before them have none).
        full = "base" if base is not None else "main"
        self._postings: str | None = full if lexical.has_postings(db, full) else None
        (self._highest_id,) = db.execute(f"SELECT coalesce(max(rowid), 0) FROM {full}.chunk_terms").fetchone()  # noqa: S608

    @property
    def embedding(self) -> str:
        return self.meta["embedding"]

    @property
    def shares(self) -> str:
        """The generation whose vectors `dense` holds: its base, or itself."""
        return self.base or self.name

    def lexical_search(self, terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        with self._lock:
            if self._postings is not None:
                found = lexical.search_postings(
                    self._db, terms, limit, self._postings, self._highest_id, self._removed
                )
            elif self.base is None:
                return lexical.search(self._db, terms, limit)
            else:
                found = lexical.search(self._db, terms, limit, schema="base", skip="main.removed_chunks")
            if self.base is None:
                return found
            frequencies = lexical.document_counts(self._db, list(dict.fromkeys(terms)), "base")
            found += lexical.rescored(self._db, terms, limit, "main", self._base_totals, frequencies)
        found.sort(key=lambda pair: -pair[1])
        return found[:limit]

    def term_idf(self, terms: Sequence[str]) -> dict[str, float]:
        """See lexical.term_idf; the chunk count is read once (a generation never changes)."""
        with self._lock:
            return lexical.term_idf(self._db, terms, self._chunks(), self._segments.schemas)

    def _chunks(self) -> int:
        """The live chunk count, read once (a generation never changes); call under the lock."""
        if self._chunk_count is None:
            self._chunk_count = self._segments.chunk_count()
        return self._chunk_count

    def stored_terms(self, chunk_ids: list[int]) -> dict[int, set[str]]:
        with self._lock:
            return lexical.stored_terms(self._db, chunk_ids, self._segments.schemas)

    def dense_search(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        if self._delta is None:
            return self.dense.search(query, limit)
        found = self.dense.search(query, limit, excluded=self._removed) + self._delta.search(query, limit)
        found.sort(key=lambda pair: -pair[1])
        return found[:limit]

    def chunks(self, chunk_ids: list[int]) -> dict[int, ChunkRow]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._segments.rows(
                lambda s, live: f'SELECT c.id, c.article_id, a.title, a.date, c.start, c."end", c.text, a.url, a.source, a.body_offset '  # noqa: S608
                f"FROM {s}.chunks c JOIN {s}.articles a ON a.id = c.article_id WHERE c.id IN ({marks}) AND {live('a.id')}",
                chunk_ids,
            )
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
            rows = self._segments.rows(
                lambda s, live: f"SELECT c.id, c.article_id, a.date, "  # noqa: S608
                f"EXISTS(SELECT 1 FROM {s}.chunk_dates d WHERE d.chunk_id = c.id AND {within}), "
                f"EXISTS(SELECT 1 FROM {s}.chunk_dates d WHERE d.article_id = c.article_id AND {within}) "
                f"FROM {s}.chunks c JOIN {s}.articles a ON a.id = c.article_id WHERE c.id IN ({marks}) AND {live('a.id')}",
                [last, first, days, last, first, days, *chunk_ids],
            )
        return {row[0]: CandidateDating(row[1], row[2], bool(row[3]), bool(row[4])) for row in rows}

    def chunk_articles(self, chunk_ids: list[int]) -> dict[int, str]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._segments.rows(
                lambda s, live: f"SELECT id, article_id FROM {s}.chunks WHERE id IN ({marks}) AND {live('article_id')}",  # noqa: S608
                chunk_ids,
            )
        return dict(rows)

    def duplicate_groups(self) -> dict[str, list[str]]:
        """Each article that has near-duplicates -> its group (sorted article ids); read once."""
        with self._lock:
            if self._groups is None:
                pairs = self._segments.rows(
                    lambda s, live: f"SELECT a, b FROM {s}.duplicate_pairs WHERE {live('a')} AND {live('b')}"  # noqa: S608
                )
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
            rows = self._segments.rows(
                lambda s, live: f"SELECT id, source, url, date FROM {s}.articles WHERE id IN ({marks}) AND {live('id')}",  # noqa: S608
                article_ids,
            )
        return {row[0]: Copy(*row) for row in rows}

    def headlines(self, article_ids: list[str] | None = None, newest: int = 0) -> list[Headline]:
        """These articles, or the `newest` dated ones, newest first."""
        columns = "SELECT id, title, date, source, url FROM {s}.articles"
        with self._lock:
            if article_ids is None:
                rows = self._segments.rows(
                    lambda s, live: f"{columns.format(s=s)} WHERE date IS NOT NULL AND {live('id')} "
                    "ORDER BY date DESC, id LIMIT ?",
                    (newest,),
                )
            else:
                marks = ",".join("?" * len(article_ids))
                rows = self._segments.rows(
                    lambda s, live: f"{columns.format(s=s)} WHERE id IN ({marks}) AND {live('id')}", article_ids
                )
        found = sorted((Headline(*row) for row in rows), key=lambda h: h.article_id)
        found.sort(key=lambda h: h.date or "", reverse=True)
        return found[:newest] if article_ids is None else found

    def article(self, article_id: str) -> Article | None:
        with self._lock:
            rows = self._segments.rows(
                lambda s, live: f"SELECT {_ARTICLE_COLUMNS} FROM {s}.articles WHERE id = ? AND {live('id')}",  # noqa: S608
                (article_id,),
            )
        return Article(*rows[-1]) if rows else None

    def article_chunks(self, article_id: str) -> list[Chunk]:
        """An article's chunks as this generation holds them, in their order (none when absent)."""
        with self._lock:
            rows = self._segments.rows(
                lambda s, live: f'SELECT article_id, ordinal, start, "end", text FROM {s}.chunks '  # noqa: S608
                f"WHERE article_id = ? AND {live('article_id')} ORDER BY ordinal",
                (article_id,),
            )
        return sorted((Chunk(*row) for row in rows), key=lambda c: c.ordinal)

    def article_titles(self, article_ids: list[str]) -> dict[str, str]:
        marks = ",".join("?" * len(article_ids))
        with self._lock:
            rows = self._segments.rows(
                lambda s, live: f"SELECT id, title FROM {s}.articles WHERE id IN ({marks}) AND {live('id')}",  # noqa: S608
                article_ids,
            )
        return dict(rows)

    def stats(self) -> IndexStats:
        with self._lock:
            counted = self._segments.rows(
                lambda s, live: f"SELECT count(*), min(date), max(date) FROM {s}.articles WHERE {live('id')}"  # noqa: S608
            )
            chunks = self._chunks()
        dates = [d for _, low, high in counted for d in (low, high) if d is not None]
        return IndexStats(
            articles=sum(row[0] for row in counted),
            chunks=chunks,
            date_min=min(dates, default=None),
            date_max=max(dates, default=None),
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
        # Generations whose files this process has checked against their checksums: immutable,
        # so a base shared by many deltas is read in full once, not at every re-index.
        self.verified: set[str] = set()

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

    def open(self, expected_embedding: str | None = None, reuse: Generation | None = None) -> Generation:
        """Open the live generation, verifying its files; check its model when one is expected.
        `reuse`: a generation this process holds, whose base vectors (already loaded and
        verified) the new one takes over when it shares them."""
        name = self.current_name()
        if name is None:
            raise IndexNotReady(self.root)
        generation = open_generation(self.root / name, verify=True, reuse=reuse, verified=self.verified)
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

    def publish(self, scratch: Path, name: str, base: str | None = None, layout: str | None = None) -> Path:
        """Seal a built generation and make it the live one, atomically; `base`: the full
        generation a delta generation sits on; `layout`: a full generation's vector layout
        (flat, ivf...), which the deltas on it share (see dense_kind)."""
        manifest: dict[str, object] = {
            "files": {f: sha256_file(scratch / f) for f in (DB_FILE, DENSE_FILE)},
            "sizes": {f: (scratch / f).stat().st_size for f in (DB_FILE, DENSE_FILE)},
            "schema": SCHEMA_VERSION,
        }
        if base is not None:
            manifest["base"] = base
        if layout is not None:
            manifest["dense"] = layout
        (scratch / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        for f in (DB_FILE, DENSE_FILE, MANIFEST_FILE):
            with (scratch / f).open("rb") as handle:
                os.fsync(handle.fileno())
        fsync_dir(scratch)
        final = self.root / name
        os.replace(scratch, final)
        self.make_live(name)
        return final

    def make_live(self, name: str) -> None:
        """Point CURRENT at sealed generation `name`, atomically, and prune older ones (call
        under the re-index lock)."""
        pointer = self.root / "CURRENT.tmp"
        with pointer.open("w", encoding="ascii") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, self.current_file)
        fsync_dir(self.root)
        self._prune(keep={name})

    def _prune(self, keep: set[str], spare: int = 1) -> None:
        """Remove old generations, sparing the newest `spare` ones besides `keep`, and the bases
        of all those."""
        older = sorted(
            (p for p in self.root.iterdir() if _GENERATION.match(p.name) and p.name not in keep),
            reverse=True,
        )
        kept = keep | {p.name for p in older[:spare]}
        kept |= {base for name in kept if (base := base_of(self.root / name))}
        for path in older[spare:]:
            if path.name not in kept:
                # Readers in this or another process keep their open files (unlinked files live on).
                shutil.rmtree(path, ignore_errors=True)

    def describe_live(self) -> tuple[str, str | None, dict[str, str]] | None:
        """(name, base, meta) of the live generation, its files verified (unless this process
        did already) but not loaded: the indexer's look before an incremental build; None
        without one."""
        name = self.current_name()
        if name is None:
            return None
        path = self.root / name
        base = base_of(path)
        for folder in _folders(path, base):
            _check_sizes(folder)
        _verify_once(path, base, self.verified)
        try:
            db = sqlite3.connect(f"file:{path / DB_FILE}?mode=ro&immutable=1", uri=True)
            try:
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            raise IndexCorrupt(f"{name} cannot be opened: {exc}") from exc
        return name, base, meta


def _manifest(path: Path) -> dict[str, object]:
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not isinstance(manifest["files"], dict):
            raise ValueError("no file list")
    except (OSError, ValueError, KeyError) as exc:
        raise IndexCorrupt(f"manifest of {path.name} unreadable: {exc}") from exc
    return manifest


def base_of(path: Path) -> str | None:
    """The base generation a generation's manifest names (None for a full one)."""
    base = _manifest(path).get("base")
    if base is not None and not (isinstance(base, str) and _GENERATION.match(base)):
        raise IndexCorrupt(f"manifest of {path.name} names no base generation ({base!r})")
    return base


def dense_kind(path: Path) -> str:
    """The layout of a full generation's vectors (flat, ivf...), as its manifest records it, or
    read from the file (mapped, not loaded) for one sealed without it."""
    kind = _manifest(path).get("dense")
    if isinstance(kind, str):
        return kind
    return DenseIndex.load(path / DENSE_FILE, mmap=True).kind


def _check_sizes(path: Path) -> None:
    """The files have the sizes the manifest recorded (a truncated file, found without reading
    it; the checksums, read in full, are checked by readers)."""
    sizes = _manifest(path).get("sizes", {})
    assert isinstance(sizes, dict)
    for name, expected in sizes.items():
        try:
            actual = (path / name).stat().st_size
        except OSError as exc:
            raise IndexCorrupt(f"{path.name}/{name} unreadable: {exc}") from exc
        if actual != expected:
            raise IndexCorrupt(f"{path.name}/{name} is {actual} bytes, its manifest says {expected}")


def _folders(path: Path, base: str | None) -> tuple[Path, ...]:
    """A generation's folder, and its base's for a delta."""
    return (path, path.parent / base) if base else (path,)


def _verify_once(path: Path, base: str | None, verified: set[str]) -> None:
    """Check a generation's files (and its base's) against their checksums, except those
    `verified` names; record the ones checked there."""
    for folder in _folders(path, base):
        if folder.name not in verified:
            verify_files(folder)
            verified.add(folder.name)


def verify_files(path: Path) -> None:
    """A generation's files match the checksums its manifest records (IndexCorrupt otherwise)."""
    files = _manifest(path)["files"]
    assert isinstance(files, dict)
    for name, expected in files.items():
        try:
            actual = sha256_file(path / name)
        except OSError as exc:
            raise IndexCorrupt(f"{path.name}/{name} unreadable: {exc}") from exc
        if actual != expected:
            raise IndexCorrupt(f"{path.name}/{name} fails its checksum")


def open_generation(
    path: Path, verify: bool, reuse: Generation | None = None, verified: set[str] | None = None
) -> Generation:
    """Open a sealed generation read-only; `verify` checks its files (and its base's) against
    their manifests, except those named in `verified` (and adds them there); a base `reuse`
    already holds has its vectors taken over."""
    base = base_of(path)
    shared = reuse.dense if reuse is not None and base is not None and reuse.shares == base else None
    if verify:
        _verify_once(path, base, verified if verified is not None else set())
    try:
        db = sqlite3.connect(
            f"file:{path / DB_FILE}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        if base is not None:
            db.execute("ATTACH DATABASE ? AS base", (f"file:{path.parent / base / DB_FILE}?mode=ro&immutable=1",))
        segments = Segments(db, base is not None)
        meta = segments.meta()
        if base is None:
            dense, delta = DenseIndex.load(path / DENSE_FILE), None
        else:
            dense = shared or DenseIndex.load(path.parent / base / DENSE_FILE)
            delta = DenseIndex.load(path / DENSE_FILE)
    except (sqlite3.DatabaseError, RuntimeError) as exc:
        raise IndexCorrupt(f"{path.name} cannot be opened: {exc}") from exc
    if meta.get("schema") != SCHEMA_VERSION:
        db.close()
        raise IndexSchemaOutdated(path.name, meta.get("schema"), SCHEMA_VERSION)
    try:
        return Generation(path.name, path, db, dense, meta, base=base, delta=delta)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise IndexCorrupt(f"{path.name} cannot be opened: {exc}") from exc
