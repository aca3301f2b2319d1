"""Re-index: build the next generation beside the live one, embedding only what changed.

The same function serves `qabot index`, the bot's /reindex and uploads. Content hashes decide
the work: new and changed articles are chunked and embedded, deleted ones removed, unchanged
ones carried over from the previous generation (copied, not rebuilt from text).
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from retrieval.chunking import Chunker, ChunkingConfig
from retrieval.dates import DateFinder
from retrieval.encoders.embedding import Embedder, identity
from retrieval.errors import (
    IndexCorrupt,
    IndexNotWritable,
    NoArticles,
)
from retrieval.local import lexical
from retrieval.local.dense import DenseIndex, DensePolicy
from retrieval.local.index import (
    DB_FILE,
    DENSE_FILE,
    SCHEMA_VERSION,
    IndexStore,
    Segments,
    connect_rw,
    dense_kind,
)
from retrieval.models import Article, Chunk
from retrieval.news import duplicates
from retrieval.news.temporal import mentions_for_index
from retrieval.reindexing import Diff, compare_files, scan_articles, search_header
from retrieval.search import Progress, ReindexReport
from retrieval.sources.articles import (
    ArticleFile,
    SkippedFile,
)

logger = logging.getLogger(__name__)

def reindex(
    store: IndexStore,
    articles_dir: Path,
    embedder: Embedder,
    chunking: ChunkingConfig,
    *,
    full: bool = False,
    batch_size: int = 16,
    max_article_bytes: int = 20_000_000,
    progress: Progress | None = None,
    dense_policy: DensePolicy | None = None,
    dates: DateFinder | None = None,
) -> ReindexReport:
    """Bring the index in line with `articles_dir`; raises ReindexInProgress if one is running,
    IndexNotWritable (the live generation untouched) when INDEX_DIR refuses the writes.
    `dense_policy` picks the vectors' layout (exact or IVF) for the new generation's size."""
    try:
        return _reindex(
            store, articles_dir, embedder, chunking, full=full, batch_size=batch_size,
            max_article_bytes=max_article_bytes, progress=progress,
            dense_policy=dense_policy or DensePolicy(), dates=dates or DateFinder(),
        )
    except sqlite3.OperationalError as exc:
        if not any(sign in str(exc).lower() for sign in _SQLITE_STORAGE_ERRORS):
            raise
        raise IndexNotWritable(store.root, _storage_detail(exc)) from exc
    except OSError as exc:
        if exc.errno not in _STORAGE_ERRNOS:
            raise
        raise IndexNotWritable(store.root, _storage_detail(exc)) from exc


# What a full disk or a read-only folder looks like from SQLite and from the OS.
_SQLITE_STORAGE_ERRORS = ("disk is full", "readonly", "read-only", "unable to open", "disk i/o error")
_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def _storage_detail(exc: OSError | sqlite3.OperationalError) -> str:
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "the disk is full"
        if exc.errno == errno.EROFS:
            return "the file system is read-only"
        return f"permission denied on {exc.filename}" if exc.filename else "permission denied"
    return "the disk is full" if "full" in str(exc).lower() else f"the database refused the write: {exc}"


def _reindex(
    store: IndexStore,
    articles_dir: Path,
    embedder: Embedder,
    chunking: ChunkingConfig,
    *,
    full: bool,
    batch_size: int,
    max_article_bytes: int,
    progress: Progress | None,
    dense_policy: DensePolicy,
    dates: DateFinder,
) -> ReindexReport:
    started = time.perf_counter()
    notify = progress or (lambda done, total, what: None)
    chunking = chunking.fitted(embedder.max_tokens)
    with store.reindex_lock():
        scan_started_ns, files, skipped = scan_articles(articles_dir, notify)
        name = store.next_name()
        scratch = store.scratch_dir(name)
        try:
            return _build(store, scratch, name, files, skipped, embedder, chunking, full,
                          batch_size, max_article_bytes, notify, started, scan_started_ns, articles_dir,
                          dense_policy, dates)
        except BaseException:
            # A failed build (disk full, read-only...) leaves no half-written generation behind.
            shutil.rmtree(scratch, ignore_errors=True)
            raise


def _build(
    store: IndexStore, scratch: Path, name: str, files: list[ArticleFile], skipped: list[SkippedFile],
    embedder: Embedder, chunking: ChunkingConfig, full: bool, batch_size: int, max_article_bytes: int,
    notify: Progress, started: float, scan_started_ns: int, articles_dir: Path, dense_policy: DensePolicy,
    dates: DateFinder,
) -> ReindexReport:
    """Build generation `name` in `scratch` and publish it (under the re-index lock)."""
    db_path = scratch / DB_FILE
    start = _start_from_previous(store, db_path, embedder, chunking, full)
    dense = start.dense
    db = connect_rw(db_path)
    try:
        if start.base is not None:
            db.execute("ATTACH DATABASE ? AS base", (f"file:{store.root / start.base / DB_FILE}?mode=ro&immutable=1",))
        segments = Segments(db, start.base is not None)
        diff = _compare(segments, files, max_article_bytes, skipped)
        if not diff.kept and not diff.fresh:
            raise NoArticles(articles_dir)
        added = [a for a in diff.fresh if a not in diff.previous]
        changed = [a for a in diff.fresh if a in diff.previous]
        removed = [a for a in diff.previous if a not in diff.kept and a not in diff.fresh]
        unchanged = len(diff.kept)
        if start.base is not None and not (added or changed or removed or diff.touched):
            live_chunks = segments.chunk_count()
            db.close()
            return _nothing_to_do(scratch, start.live, live_chunks, unchanged, skipped, started)

        db.execute("BEGIN")
        _drop_articles(segments, dense, changed + removed)
        _restat(segments, diff.touched)
        to_index = [diff.fresh[a] for a in added + changed]
        embedded = _add_articles(db, dense, to_index, embedder, chunking, batch_size, notify, dates,
                                 segments.next_chunk_id(), plan=None if start.reused else dense_policy)
        dense.flush()
        _pair_duplicates(segments, [article.id for article, _ in to_index])
        total_chunks = segments.chunk_count()
        (own_chunks,) = db.execute("SELECT count(*) FROM main.chunks").fetchone()
        fold = start.base is not None and _should_fold(segments, own_chunks, total_chunks, dense_policy, store.root / start.base)
        built_at = datetime.now(UTC).isoformat(timespec="seconds")
        meta = {
            "schema": SCHEMA_VERSION,
            "embedding": identity(embedder),
            "dimension": str(embedder.dimension),
            "chunking": chunking.describe(),
            "built_at": built_at,
            "generation": name,
            "scan_started_ns": str(scan_started_ns),
        }
        db.executemany("INSERT OR REPLACE INTO main.meta(key, value) VALUES (?, ?)", meta.items())
        db.execute("COMMIT")
    finally:
        db.close()
    if len(dense) != own_chunks:
        raise IndexCorrupt(f"{len(dense)} vectors for {own_chunks} chunks while building {name}")
    notify(embedded, embedded, "writing the index")
    base = start.base
    if base is not None and fold:
        logger.info("folding the delta into its base %s: a new full generation", base)
        dense = _fold(store.root / base, db_path, dense)
        base = None
    if base is None:
        # Past a size the exact scan gives way to IVF (and back below half of it); the layout is
        # rebuilt here, in the scratch generation, so the live one never sees it change. A
        # delta's few vectors stay exact.
        dense = dense.fitted(dense_policy)
    dense.save(scratch / DENSE_FILE)
    layout = dense.kind if base is None else None
    del dense  # the new vectors leave memory before the postings are computed
    if base is None:
        _seal_postings(db_path)
    store.publish(scratch, name, base, layout)

    report = ReindexReport(
        added=len(added), changed=len(changed), removed=len(removed), unchanged=unchanged,
        chunks=total_chunks, chunks_embedded=embedded, seconds=time.perf_counter() - started,
        generation=name, full=full or not start.reused, skipped=skipped, warnings=diff.warnings,
    )
    logger.info("reindex done generation=%s base=%s %s", name, start.base, report.summary())
    return report


def _compare(segments: Segments, files: list[ArticleFile], max_bytes: int, skipped: list[SkippedFile]) -> Diff:
    """Sort the files against the live index; read only those whose size or mtime moved."""
    scanned = segments.meta().get("scan_started_ns")
    return compare_files(segments.article_states(), int(scanned) if scanned else None, files, max_bytes, skipped)


def _nothing_to_do(
    scratch: Path, live: str, chunks: int, unchanged: int, skipped: list[SkippedFile], started: float
) -> ReindexReport:
    """The live generation already matches the articles: keep it, publish nothing."""
    shutil.rmtree(scratch, ignore_errors=True)
    return ReindexReport(
        added=0, changed=0, removed=0, unchanged=unchanged, chunks=chunks,
        chunks_embedded=0, seconds=time.perf_counter() - started, generation=live,
        full=False, skipped=skipped,
    )


@dataclass(frozen=True, slots=True)
class _Start:
    dense: DenseIndex  # the vectors this build writes: all of them, or a delta's
    reused: bool  # the live generation's content carried over (not a build from nothing)
    base: str | None = None  # the full generation a delta build sits on
    live: str = ""  # the live generation's name


# A delta is folded into a new full generation once its chunks and the base's chunks it
# replaces pass this share of the base (or this many, for a small base): below it, readers pay
# little for searching two indexes, above it the delta's rows and the base's dead ones grow
# the cost of every search and of every next delta.
FOLD_SHARE = 0.1
FOLD_MIN_CHUNKS = 2_000


def _start_from_previous(
    store: IndexStore, db_path: Path, embedder: Embedder, chunking: ChunkingConfig, full: bool
) -> _Start:
    """Set `db_path` up as the next delta of the live generation: empty on a full one, a copy
    of the live delta on its base; from nothing when there is none or it cannot be reused."""
    empty = DenseIndex.empty(embedder.dimension)
    if full:
        return _Start(empty, False)
    try:
        live = store.describe_live()
    except IndexCorrupt as exc:
        logger.warning("rebuilding from scratch reason=%s", exc)
        return _Start(empty, False)
    if live is None:
        return _Start(empty, False)
    name, base, meta = live
    if meta.get("embedding") != identity(embedder) or meta.get("schema") != SCHEMA_VERSION:
        logger.warning("rebuilding from scratch reason=built with %s (schema %s)", meta.get("embedding"), meta.get("schema"))
        return _Start(empty, False)
    if meta.get("chunking") != chunking.describe():
        logger.info("chunking changed (%s -> %s): rebuilding from scratch", meta.get("chunking"), chunking.describe())
        return _Start(empty, False)
    if base is None:
        return _Start(empty, True, base=name, live=name)
    _copy_database(store.root / name / DB_FILE, db_path)
    return _Start(DenseIndex.load(store.root / name / DENSE_FILE), True, base=base, live=name)


def _copy_database(source_path: Path, target_path: Path) -> None:
    target = sqlite3.connect(target_path)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _should_fold(segments: Segments, own: int, total: int, policy: DensePolicy, base: Path) -> bool:
    """Whether the delta being built (`own` chunks, on `segments`) has outgrown its base
    (`FOLD_SHARE`), or the archive's `total` size calls for another vector layout than the
    base's."""
    (replaced,) = segments.db.execute("SELECT count(*) FROM main.removed_chunks").fetchone()
    (based,) = segments.db.execute("SELECT count(*) FROM base.chunks").fetchone()
    layout = dense_kind(base)
    return bool(own + replaced > max(FOLD_SHARE * based, FOLD_MIN_CHUNKS) or policy.wanted(total, layout) != layout)


def _fold(base: Path, db_path: Path, delta_dense: DenseIndex) -> DenseIndex:
    """Turn the delta built in `db_path` into a full generation: a copy of `base` with the
    delta applied takes its place. Returns the vectors of the whole."""
    delta_path = db_path.with_suffix(".delta")
    db_path.rename(delta_path)
    _copy_database(base / DB_FILE, db_path)
    dense = DenseIndex.load(base / DENSE_FILE)
    db = connect_rw(db_path)
    try:
        db.execute("ATTACH DATABASE ? AS delta", (f"file:{delta_path}?mode=ro",))
        db.execute("BEGIN")
        replaced = [row[0] for row in db.execute("SELECT id FROM delta.removed_articles")]
        _drop_articles(Segments(db, has_base=False), dense, replaced)
        db.execute(
            "UPDATE main.articles SET size = r.size, mtime_ns = r.mtime_ns "
            "FROM delta.restat_articles r WHERE r.id = main.articles.id"
        )
        for table in ("articles", "chunks", "chunk_dates"):
            db.execute(f"INSERT INTO main.{table} SELECT * FROM delta.{table}")  # noqa: S608
        db.execute("INSERT OR IGNORE INTO main.duplicate_pairs SELECT * FROM delta.duplicate_pairs")
        db.execute("INSERT INTO main.chunk_terms(rowid, terms) SELECT rowid, terms FROM delta.chunk_terms")
        db.execute("INSERT OR REPLACE INTO main.meta SELECT * FROM delta.meta")
        db.execute("COMMIT")
        db.execute("DETACH DATABASE delta")
    finally:
        db.close()
    delta_path.unlink()
    ids, vectors = delta_dense.vectors()
    dense.add(ids.tolist(), vectors)
    return dense


def _seal_postings(db_path: Path) -> None:
    """A full generation's precomputed BM25 postings (retrieval.local.lexical), written once."""
    db = connect_rw(db_path)
    try:
        db.execute("BEGIN")
        postings = lexical.write_postings(db)
        db.execute("COMMIT")
    finally:
        db.close()
    logger.info("bm25 postings written postings=%d", postings)


def _pair_duplicates(segments: Segments, fresh: list[str]) -> None:
    """Record which new or changed articles are near-duplicates of any article."""
    if not fresh:
        return
    pairs = duplicates.similar_pairs(segments.signatures(), fresh)
    segments.db.executemany("INSERT OR IGNORE INTO main.duplicate_pairs(a, b) VALUES (?, ?)", sorted(pairs))


def _drop_articles(segments: Segments, dense: DenseIndex, article_ids: list[str]) -> None:
    """Delete these articles' rows and vectors from the generation being built; those its base
    holds are recorded as replaced (the base is never written)."""
    db = segments.db
    for article_id in article_ids:
        chunk_ids = [r[0] for r in db.execute("SELECT id FROM main.chunks WHERE article_id = ?", (article_id,))]
        lexical.remove(db, chunk_ids)
        dense.remove(chunk_ids)
        db.execute("DELETE FROM main.chunk_dates WHERE article_id = ?", (article_id,))
        db.execute("DELETE FROM main.duplicate_pairs WHERE a = ? OR b = ?", (article_id, article_id))
        db.execute("DELETE FROM main.chunks WHERE article_id = ?", (article_id,))
        db.execute("DELETE FROM main.articles WHERE id = ?", (article_id,))
        if segments.has_base:
            db.execute("DELETE FROM main.restat_articles WHERE id = ?", (article_id,))
            if db.execute("SELECT 1 FROM base.articles WHERE id = ?", (article_id,)).fetchone():
                db.execute("INSERT OR IGNORE INTO main.removed_articles(id) VALUES (?)", (article_id,))
                db.execute(
                    "INSERT OR IGNORE INTO main.removed_chunks(id) SELECT id FROM base.chunks WHERE article_id = ?",
                    (article_id,),
                )


def _restat(segments: Segments, touched: list[tuple[int, int, str]]) -> None:
    """New size and mtime of articles whose content did not change: on the rows of the
    generation being built, or, for its base's, in the delta's `restat_articles`."""
    db = segments.db
    db.executemany("UPDATE main.articles SET size = ?, mtime_ns = ? WHERE id = ?", touched)
    if segments.has_base:
        db.executemany(
            "INSERT OR REPLACE INTO main.restat_articles(id, size, mtime_ns) "
            "SELECT ?3, ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM main.articles WHERE id = ?3)",
            touched,
        )


def _add_articles(
    db: sqlite3.Connection,
    dense: DenseIndex,
    articles: list[tuple[Article, ArticleFile]],
    embedder: Embedder,
    chunking: ChunkingConfig,
    batch_size: int,
    notify: Progress,
    dates: DateFinder,
    next_id: int,
    plan: DensePolicy | None = None,
) -> int:
    """Chunk, embed (in batches across articles) and store under chunk ids from `next_id` on;
    returns how many chunks were embedded. `plan`: in a build from nothing, the vectors go
    straight into the layout this policy wants for their number (see DenseIndex.expect)."""
    chunker = Chunker(chunking, embedder.count_tokens)
    pending: list[Chunk] = []
    published = {article.id: article.date for article, _ in articles}
    headers = {article.id: search_header(article) for article, _ in articles}
    for article, file in articles:
        db.execute(
            "INSERT INTO articles(id, title, date, content_hash, text, size, mtime_ns, url, source, "
            "author, lang, body_offset, minhash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.title, article.date, article.content_hash, article.text,
             file.size, file.mtime_ns, article.url, article.source, article.author, article.lang,
             article.body_offset, duplicates.signature(article.text)),
        )
        pending.extend(chunker.split(article))
    total = len(pending)
    if plan is not None:
        dense.expect(total, plan)
    notify(0, total, "embedding")
    for offset in range(0, total, batch_size):
        batch = pending[offset : offset + batch_size]
        searchable = [headers.get(c.article_id, "") + c.text for c in batch]
        vectors = embedder.embed_passages(searchable)
        ids = list(range(next_id + offset, next_id + offset + len(batch)))
        db.executemany(
            'INSERT INTO chunks(id, article_id, ordinal, start, "end", text) VALUES (?, ?, ?, ?, ?, ?)',
            [(i, c.article_id, c.ordinal, c.start, c.end, c.text) for i, c in zip(ids, batch, strict=True)],
        )
        lexical.add(db, list(zip(ids, searchable, strict=True)))
        db.executemany(
            "INSERT INTO chunk_dates(chunk_id, article_id, first, last) VALUES (?, ?, ?, ?)",
            [
                (i, c.article_id, period.first.toordinal(), period.last.toordinal())
                for i, c in zip(ids, batch, strict=True)
                for period in mentions_for_index(dates, c.text, published[c.article_id])
            ],
        )
        dense.add(ids, np.asarray(vectors, dtype=np.float32))
        notify(offset + len(batch), total, "embedding")
    return total
