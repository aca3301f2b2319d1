"""The `qdrant` index backend (INDEX_BACKEND=qdrant): the same search and re-index as the local
backend, kept in Qdrant (a server or cluster at QDRANT_URL, or qdrant-client's embedded local
mode in QDRANT_PATH, by default INDEX_DIR/qdrant).

Layout: the alias QDRANT_COLLECTION (default `qabot`) names the live collection
`qabot-000007`. Each point is one chunk, with
  - a named dense vector `dense` (cosine) from the configured embedder;
  - a named sparse vector `bm25`: the chunk's terms from qabot's own French analysis
    (retrieval/text.py, so both backends see the same tokens) as hashed indices, each valued
    with BM25's term-frequency part tf·(k1+1)/(tf + k1·(1-b+b·len/avglen)); the collection's
    IDF modifier supplies the IDF, so a query of the question's terms valued 1 scores BM25;
  - a payload: article id, title, date, URL, source, offsets, content hash, text, terms, the
    periods the chunk names (`dates`: first and last day as ordinals, and their span; the
    local index's `chunk_dates`), and the two generation numbers below; the article's first
    chunk also carries the article (its text, file size, and MinHash signature for
    near-duplicates); payload indexes on article id, date, terms and those numbers.
Point 0 of each collection holds no vectors, only the meta payload (model, chunking, counts,
the live generation number, and the near-duplicate pairs of that generation).

News (retrieval/news/shaping.py decides, as for the local index): a question's period is matched by
a nested filter on `dates` (a mention overlapping the period, no coarser than it) over the
candidates and their articles; duplicate pairs are recomputed at each re-index for the new and
changed articles and published with the generation in the meta point.

Search: the one pipeline of retrieval/search.py over `_View`: a dense and a sparse query over
the visible points (the sparse one on the pipeline's worker while the question is encoded),
fused client-side by retrieval/search.py, so that (1) the calibrated weights apply exactly: Qdrant's weighted RRF
scores 1/(rank/w + k - 1), which differs from the calibrated w/(k + rank) whenever the two
weights differ (MiniLM's dense weight is 0.25), and (2) each passage keeps its dense cosine and
BM25 rank, which the refusal judge reads and a fused response does not carry.

Zero downtime:
  - a full re-index builds a new collection and switches the alias in one
    `update_collection_aliases` call (delete + create, atomic in Qdrant; embedded mode applies
    the operations together to a copy and saves it before swapping);
  - an incremental re-index works in the live collection by generation numbers: a point
    is visible to readers of generation L when born <= L and not retired <= L. New and changed
    articles' chunks are upserted with born = L+1 (invisible), the chunks they replace get
    retired = L+1 (still visible), then one write of the meta point publishes L+1: a reader
    sees the old article or the new one, never half. Retired points are deleted at the start of
    the next re-index (a reader that read L just before the switch keeps a consistent view).
The previous collection of a full re-index is likewise deleted only at the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from qdrant_client import QdrantClient, models

from retrieval.chunking import Chunker, ChunkingConfig
from retrieval.dates import DateFinder, Period
from retrieval.encoders.embedding import Embedder, identity
from retrieval.errors import (
    IndexModelMismatch,
    IndexNotReady,
    NoArticles,
    QabotError,
    ReindexInProgress,
)
from retrieval.models import Article, Chunk, Copy, Headline
from retrieval.news import duplicates
from retrieval.news.temporal import CandidateDating, mentions_for_index
from retrieval.reindexing import compare_files, scan_articles, search_header
from retrieval.search import ChunkRow, IndexStats, Progress, ReindexReport
from retrieval.sources.articles import ArticleFile, SkippedFile
from retrieval.text import analyze

logger = logging.getLogger(__name__)

T = TypeVar("T")

DENSE = "dense"
SPARSE = "bm25"
META_ID = 0
SCHEMA = "2"  # 2: chunk dates, URL and source, near-duplicate signatures and pairs
BM25_K1 = 1.2  # FTS5's bm25() defaults, so both backends rank alike
BM25_B = 0.75
RETRIES = 3
RETRY_FIRST_DELAY_S = 0.5
FIRST_CHUNK = models.FieldCondition(key="ordinal", match=models.MatchValue(value=0))
CHUNK_FIELDS = ["article_id", "title", "date", "start", "end", "text", "terms", "url", "source", "body_offset"]


class IndexUnavailable(QabotError):
    """Qdrant cannot be reached or refused a call."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(
            f"The search index (Qdrant at {where}) cannot be reached ({detail}): check that Qdrant "
            "is running and QDRANT_URL / QDRANT_API_KEY; questions work again as soon as it answers."
        )


@dataclass(frozen=True, slots=True)
class QdrantConfig:
    url: str = ""  # a server or cluster; empty: embedded local mode in `path`
    api_key: str | None = None
    path: Path | None = None
    collection: str = "qabot"  # the alias readers use
    timeout_s: float = 10.0
    batch_size: int = 256  # points per upsert
    shards: int = 1  # cluster only: embedded mode has one "shard", the folder
    replication_factor: int = 1

    @property
    def where(self) -> str:
        return self.url or f"embedded {self.path}"


def term_index(term: str) -> int:
    """A stable sparse index for an analysed term (32 bits, as Qdrant stores them)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=4).digest(), "big")


def point_id(article_id: str, content_hash: str, ordinal: int) -> int:
    """Deterministic, never 0 (the meta point): the same chunk of the same content keeps its id."""
    digest = hashlib.blake2b(f"{article_id}\0{content_hash}\0{ordinal}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1


def bm25_vector(terms: Sequence[str], avg_len: float) -> models.SparseVector:
    """BM25's term-frequency part per distinct term; the IDF comes from the collection's modifier."""
    counts = Counter(terms)
    norm = BM25_K1 * (1 - BM25_B + BM25_B * len(terms) / max(avg_len, 1.0))
    by_index: dict[int, float] = {}
    for term, tf in counts.items():
        index = term_index(term)
        by_index[index] = by_index.get(index, 0.0) + tf * (BM25_K1 + 1) / (tf + norm)
    return models.SparseVector(indices=list(by_index), values=list(by_index.values()))


def query_vector(terms: Sequence[str]) -> models.SparseVector:
    indices = sorted({term_index(t) for t in terms})
    return models.SparseVector(indices=indices, values=[1.0] * len(indices))


def names_period(period: Period) -> models.NestedCondition:
    """A chunk that names a date within `period`: a mention overlapping it, no coarser."""
    return models.NestedCondition(nested=models.Nested(key="dates", filter=models.Filter(must=[
        models.FieldCondition(key="first", range=models.Range(lte=period.last.toordinal())),
        models.FieldCondition(key="last", range=models.Range(gte=period.first.toordinal())),
        models.FieldCondition(key="span", range=models.Range(lt=period.days)),
    ])))


def visible(live: int) -> models.Filter:
    """Points of generation `live`: born at or before it, not retired at or before it."""
    return models.Filter(
        must=[models.FieldCondition(key="born", range=models.Range(lte=live))],
        must_not=[models.FieldCondition(key="retired", range=models.Range(lte=live))],
    )


class QdrantIndex:
    """The Qdrant backend (retrieval.search.SearchBackend): its view for searches, and
    re-index, over one Qdrant alias."""

    def __init__(self, config: QdrantConfig, embedder: Embedder, dates: DateFinder | None = None) -> None:
        """`dates` finds the dates passages name when indexing (one is made when not given)."""
        self.qdrant = config
        self.dates = dates
        self._groups: tuple[tuple[str, int], dict[str, list[str]]] | None = None
        self.embedder = embedder
        self._client: QdrantClient | None = None
        self._client_lock = threading.Lock()
        self._reindexing = threading.Lock()
        # Embedded mode's in-memory collection is not safe for threads (a search scanning while
        # an upsert grows its arrays fails): there, calls take turns. A server client is safe.
        self._serial: threading.RLock | contextlib.nullcontext[None] = (
            contextlib.nullcontext() if config.url else threading.RLock()
        )

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def client(self) -> QdrantClient:
        with self._client_lock:
            if self._client is None:
                if self.qdrant.url:
                    # No version check at construction: it runs on a thread that fails loudly
                    # when Qdrant is down; an outage is reported by the first call instead.
                    self._client = QdrantClient(url=self.qdrant.url, api_key=self.qdrant.api_key,
                                                timeout=int(self.qdrant.timeout_s), check_compatibility=False)
                else:
                    assert self.qdrant.path is not None
                    self.qdrant.path.mkdir(parents=True, exist_ok=True)
                    self._client = QdrantClient(path=str(self.qdrant.path))
            return self._client

    def _call(self, what: str, fn: Callable[[QdrantClient], T], retries: int = 0) -> T:
        """One Qdrant call; transport failures retried `retries` times with back-off, then
        turned into IndexUnavailable (a sentence for the user, the cause in the log)."""
        delay = RETRY_FIRST_DELAY_S
        for attempt in range(retries + 1):
            try:
                with self._serial:
                    return fn(self.client)
            except QabotError:
                raise
            except (ValueError, KeyError):
                raise  # our mistake or a missing collection: not an outage
            except Exception as exc:  # httpx, grpc and qdrant-client's own transport errors
                if attempt == retries:
                    logger.warning("qdrant %s failed at %s: %r", what, self.qdrant.where, exc)
                    raise IndexUnavailable(self.qdrant.where, type(exc).__name__) from exc
                logger.warning("qdrant %s failed, retry %d in %.1fs: %r", what, attempt + 1, delay, exc)
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _live_collection(self) -> str | None:
        aliases = self._call("get_aliases", lambda c: c.get_aliases().aliases)
        return next((a.collection_name for a in aliases if a.alias_name == self.qdrant.collection), None)

    def _meta(self, collection: str) -> dict[str, Any]:
        points = self._call("retrieve meta", lambda c: c.retrieve(collection, [META_ID], with_payload=True))
        if not points or not points[0].payload:
            raise IndexNotReady(f"Qdrant {self.qdrant.where}, collection {collection}")
        return dict(points[0].payload)

    def _open(self) -> tuple[str, dict[str, Any]]:
        """The live collection and its meta, checked against the configured model."""
        collection = self._live_collection()
        if collection is None:
            raise IndexNotReady(f"Qdrant {self.qdrant.where} (alias {self.qdrant.collection})")
        meta = self._meta(collection)
        if meta.get("embedding") != identity(self.embedder):
            raise IndexModelMismatch(str(meta.get("embedding")), identity(self.embedder))
        return collection, meta

    # --- the search backend's interface ------------------------------------------------------

    def is_built(self) -> bool:
        return self._live_collection() is not None

    def view(self) -> _View:
        """The live collection at its live generation number, for one search (nothing to
        reopen after a re-index: every view reads the alias and the meta point afresh)."""
        collection, meta = self._open()
        return _View(self, collection, meta, visible(int(meta["live"])))

    def stats(self) -> IndexStats:
        _, meta = self._open()
        return IndexStats(
            articles=int(meta["articles"]), chunks=int(meta["chunks"]), date_min=meta.get("date_min"),
            date_max=meta.get("date_max"), embedding=meta["embedding"], dimension=int(meta["dimension"]),
            chunking=meta.get("chunking", ""), generation=f"{meta['collection']}@{meta['live']}",
            built_at=meta.get("built_at", ""),
        )

    def article(self, article_id: str) -> Article | None:
        collection, meta = self._open()
        where = visible(int(meta["live"]))
        first = models.Filter(
            must=[*(where.must or []), models.FieldCondition(key="article_id", match=models.MatchValue(value=article_id)),
                  models.FieldCondition(key="ordinal", match=models.MatchValue(value=0))],
            must_not=where.must_not,
        )
        points, _ = self._call("scroll", lambda c: c.scroll(collection, scroll_filter=first, limit=1,
                                                             with_payload=True))
        if not points or not points[0].payload:
            return None
        p = points[0].payload
        return Article(p["article_id"], p["title"], p["date"], p["article_text"], p["content_hash"],
                       url=p.get("url"), source=p.get("source"), author=p.get("author"), lang=p.get("lang"),
                       body_offset=p.get("body_offset", 0))

    def article_chunks(self, article_id: str) -> list[Chunk]:
        """An article's chunks as the live generation shows them, in their order."""
        collection, meta = self._open()
        where = visible(int(meta["live"]))
        mine = models.Filter(
            must=[*(where.must or []), models.FieldCondition(key="article_id", match=models.MatchValue(value=article_id))],
            must_not=where.must_not,
        )
        rows = self._scroll_all(collection, mine, ["article_id", "ordinal", "start", "end", "text"])
        chunks = [Chunk(r["article_id"], r["ordinal"], r["start"], r["end"], r["text"]) for r in rows]
        return sorted(chunks, key=lambda c: c.ordinal)

    def headlines(self, article_ids: list[str] | None = None, newest: int = 0) -> list[Headline]:
        """These articles, or the `newest` dated ones, newest first (sorted here: embedded mode
        has no ordered scroll, and /latest reads one page of first chunks)."""
        collection, meta = self._open()
        must: list[models.Condition] = [visible(int(meta["live"])), FIRST_CHUNK]
        must_not: list[models.Condition] = []
        if article_ids is not None:
            if not article_ids:
                return []
            must.append(models.FieldCondition(key="article_id", match=models.MatchAny(any=article_ids)))
        else:
            must_not.append(models.IsNullCondition(is_null=models.PayloadField(key="date")))
        rows = self._scroll_all(collection, models.Filter(must=must, must_not=must_not),
                                ["article_id", "title", "date", "source", "url"])
        found = [Headline(r["article_id"], r["title"], r.get("date"), r.get("source"), r.get("url"))
                 for r in rows if article_ids is not None or r.get("date")]
        found.sort(key=lambda h: (h.date or "", h.article_id), reverse=True)
        return found if article_ids is not None else found[:newest]

    def duplicate_groups(self) -> dict[str, list[str]]:
        """Each article that has near-duplicates -> its group, from the live generation's pairs."""
        collection, meta = self._open()
        return self._groups_of(collection, meta)

    def _groups_of(self, collection: str, meta: dict[str, Any]) -> dict[str, list[str]]:
        key = (collection, int(meta["live"]))
        cached = self._groups
        if cached is not None and cached[0] == key:
            return cached[1]
        members: dict[str, list[str]] = {}
        for article, name in duplicates.groups(tuple(p) for p in meta.get("duplicate_pairs", [])).items():
            members.setdefault(name, []).append(article)
        groups = {a: sorted(group) for group in members.values() for a in group}
        self._groups = (key, groups)
        return groups

    def _scroll_all(self, collection: str, where: models.Filter, fields: list[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        offset: Any = None
        while True:
            points, offset = self._scroll(collection, where, offset, fields)
            rows += [dict(p.payload or {}) | {"id": int(p.id)} for p in points]
            if offset is None:
                return rows

    # --- the indexer's interface ------------------------------------------------------------

    def reindex(
        self, articles_dir: Path, embedder: Embedder, chunking: ChunkingConfig, *, full: bool = False,
        batch_size: int = 16, max_article_bytes: int = 20_000_000, progress: Progress | None = None,
    ) -> ReindexReport:
        """Bring the alias in line with `articles_dir`: a new collection when `full` (or when
        the live one cannot be reused), else the changes published as the next generation."""
        if not self._reindexing.acquire(blocking=False):
            raise ReindexInProgress()
        try:
            return self._reindex(articles_dir, embedder, chunking.fitted(embedder.max_tokens), full, batch_size,
                                 max_article_bytes, progress or (lambda done, total, what: None))
        finally:
            self._reindexing.release()

    def _reindex(self, articles_dir: Path, embedder: Embedder, chunking: ChunkingConfig, full: bool, batch_size: int,
                 max_bytes: int, notify: Progress) -> ReindexReport:
        started = time.perf_counter()
        scan_started_ns, files, skipped = scan_articles(articles_dir, notify)
        live_collection = self._live_collection()
        meta: dict[str, Any] | None = None
        if live_collection is not None and not full:
            meta = self._meta(live_collection)
            reusable = (meta.get("embedding") == identity(self.embedder) and meta.get("schema") == SCHEMA
                        and meta.get("chunking") == chunking.describe())
            if not reusable:
                logger.info("qdrant collection %s not reusable (model, chunking or schema changed): rebuilding",
                            live_collection)
                meta = None
        if meta is None:
            return self._build_new(articles_dir, embedder, files, skipped, chunking, batch_size, max_bytes, notify, started,
                                   scan_started_ns, live_collection, full)
        assert live_collection is not None
        return self._update_live(articles_dir, embedder, live_collection, meta, files, skipped, chunking, batch_size, max_bytes, notify,
                                 started, scan_started_ns)

    def _build_new(self, articles_dir: Path, embedder: Embedder, files: list[ArticleFile], skipped: list[SkippedFile], chunking: ChunkingConfig,
                   batch_size: int, max_bytes: int, notify: Progress, started: float, scan_started_ns: int,
                   previous: str | None, full: bool) -> ReindexReport:
        self._drop_spare_collections(keep={previous} if previous else set())
        number = 1 + max((int(n.rsplit("-", 1)[1]) for n in self._collections()), default=0)
        collection = f"{self.qdrant.collection}-{number:06d}"
        self._create_collection(collection)
        diff = compare_files({}, None, files, max_bytes, skipped)
        if not diff.fresh:
            raise NoArticles(articles_dir)
        articles = list(diff.fresh.values())
        live = 1
        signatures = {article.id: duplicates.signature(article.text) for article, _ in articles}
        embedded = self._add(collection, embedder, articles, chunking, batch_size, notify, born=live, avg_len=None,
                             signatures=signatures)
        pairs = duplicates.similar_pairs(signatures, signatures)
        meta = self._write_meta(collection, live, chunking, scan_started_ns, avg_len=embedded[1], pairs=pairs)
        # The switch: readers of the alias move to the new collection in one operation.
        operations: list[models.AliasOperations] = []
        if previous is not None:
            operations.append(models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=self.qdrant.collection)))
        operations.append(models.CreateAliasOperation(create_alias=models.CreateAlias(
            collection_name=collection, alias_name=self.qdrant.collection)))
        self._call("switch alias", lambda c: c.update_collection_aliases(change_aliases_operations=operations), RETRIES)
        report = ReindexReport(
            added=len(articles), changed=0, removed=0, unchanged=0, chunks=int(meta["chunks"]),
            chunks_embedded=embedded[0], seconds=time.perf_counter() - started,
            generation=f"{collection}@{live}", full=True, skipped=skipped, warnings=diff.warnings,
        )
        logger.info("reindex done qdrant=%s %s (previous %s kept until the next re-index)",
                    collection, report.summary(), previous)
        return report

    def _update_live(self, articles_dir: Path, embedder: Embedder, collection: str, meta: dict[str, Any], files: list[ArticleFile],
                     skipped: list[SkippedFile], chunking: ChunkingConfig, batch_size: int, max_bytes: int,
                     notify: Progress, started: float, scan_started_ns: int) -> ReindexReport:
        live = int(meta["live"])
        self._drop_spare_collections(keep={collection})
        # Chunks retired before the live generation's predecessor. Those retired *by* the live one
        # stay one more round: a search that read the meta point just before the live generation
        # was published still reads the one before it, and deleting them under it showed that
        # reader neither version of a changed article (tests/retrieval/test_index_backends.py).
        self._call("delete retired", lambda c: c.delete(collection, points_selector=models.FilterSelector(
            filter=models.Filter(must=[models.FieldCondition(key="retired", range=models.Range(lte=live - 1))]))), RETRIES)
        # What an unfinished re-index (a crash, kill -9) wrote for a generation never published:
        # its new chunks go, its retirement marks are lifted; readers never saw either.
        later = models.Range(gt=live)
        self._call("drop unpublished", lambda c: c.delete(collection, points_selector=models.FilterSelector(
            filter=models.Filter(must=[models.FieldCondition(key="born", range=later)]))), RETRIES)
        self._call("unretire unpublished", lambda c: c.delete_payload(collection, keys=["retired"], points=models.FilterSelector(
            filter=models.Filter(must=[models.FieldCondition(key="retired", range=later)]))), RETRIES)
        previous = self._previous_articles(collection, live)
        diff = compare_files(previous, int(meta.get("scan_started_ns", 0)) or None, files, max_bytes, skipped)
        added = [a for a in diff.fresh if a not in previous]
        changed = [a for a in diff.fresh if a in previous]
        removed = [a for a in previous if a not in diff.kept and a not in diff.fresh]
        if not diff.kept and not diff.fresh:
            raise NoArticles(articles_dir)
        if not (added or changed or removed or diff.touched):
            return ReindexReport(added=0, changed=0, removed=0, unchanged=len(diff.kept), chunks=int(meta["chunks"]),
                                 chunks_embedded=0, seconds=time.perf_counter() - started,
                                 generation=f"{collection}@{live}", full=False, skipped=skipped)
        nxt = live + 1
        fresh = [diff.fresh[a] for a in added + changed]
        signatures = {article.id: duplicates.signature(article.text) for article, _ in fresh}
        embedded, _ = self._add(collection, embedder, fresh, chunking, batch_size,
                                notify, born=nxt, avg_len=float(meta["avg_len"]), signatures=signatures)
        pairs = self._next_pairs(collection, live, meta, signatures, gone=set(changed + removed))
        old = [models.FieldCondition(key="article_id", match=models.MatchAny(any=changed + removed))]
        if changed or removed:
            retire = models.Filter(must=[*old, *(visible(live).must or [])], must_not=visible(live).must_not)
            self._call("retire", lambda c: c.set_payload(collection, payload={"retired": nxt},
                                                          points=models.FilterSelector(filter=retire)), RETRIES)
        for size, mtime_ns, article_id in diff.touched:
            first = models.Filter(must=[models.FieldCondition(key="article_id", match=models.MatchValue(value=article_id)),
                                        models.FieldCondition(key="ordinal", match=models.MatchValue(value=0))],
                                  must_not=visible(live).must_not)

            def touch(c: QdrantClient, f: models.Filter = first, s: int = size, m: int = mtime_ns) -> None:
                c.set_payload(collection, payload={"size": s, "mtime_ns": m}, points=models.FilterSelector(filter=f))

            self._call("touch", touch, RETRIES)
        # The publication: one write of the meta point makes generation nxt the visible one.
        written = self._write_meta(collection, nxt, chunking, scan_started_ns, avg_len=float(meta["avg_len"]),
                                   pairs=pairs)
        report = ReindexReport(
            added=len(added), changed=len(changed), removed=len(removed), unchanged=len(diff.kept),
            chunks=int(written["chunks"]), chunks_embedded=embedded, seconds=time.perf_counter() - started,
            generation=f"{collection}@{nxt}", full=False, skipped=skipped, warnings=diff.warnings,
        )
        logger.info("reindex done qdrant=%s %s", collection, report.summary())
        return report

    def _collections(self) -> list[str]:
        prefix = f"{self.qdrant.collection}-"
        names = self._call("list collections", lambda c: [x.name for x in c.get_collections().collections])
        return [n for n in names if n.startswith(prefix) and n[len(prefix):].isdigit()]

    def _drop_spare_collections(self, keep: set[str]) -> None:
        """Collections of earlier full re-indexes (kept one re-index long for late readers)."""
        for name in self._collections():
            if name not in keep:
                logger.info("dropping qdrant collection %s", name)

                def drop(c: QdrantClient, n: str = name) -> None:
                    c.delete_collection(n)

                self._call("delete collection", drop, RETRIES)

    def _create_collection(self, name: str) -> None:
        def create(c: QdrantClient) -> None:
            cluster: dict[str, Any] = {}
            if self.qdrant.url:
                # Each write is acknowledged by a majority of a shard's copies, so a node lost
                # right after an upsert loses no acknowledged point.
                cluster = {"shard_number": self.qdrant.shards, "replication_factor": self.qdrant.replication_factor,
                           "write_consistency_factor": self.qdrant.replication_factor // 2 + 1}
            c.create_collection(
                name,
                **cluster,
                vectors_config={DENSE: models.VectorParams(size=self.embedder.dimension, distance=models.Distance.COSINE)},
                sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            )
            if not self.qdrant.url:
                return  # embedded mode scans payloads and warns that indexes have no effect there
            for field, schema in (("article_id", models.PayloadSchemaType.KEYWORD),
                                  ("date", models.PayloadSchemaType.KEYWORD),
                                  ("terms", models.PayloadSchemaType.KEYWORD),
                                  ("ordinal", models.PayloadSchemaType.INTEGER),
                                  # the nested date filter of a question's period (retrieval/news/shaping.py)
                                  ("dates[].first", models.PayloadSchemaType.INTEGER),
                                  ("dates[].last", models.PayloadSchemaType.INTEGER),
                                  ("born", models.PayloadSchemaType.INTEGER),
                                  ("retired", models.PayloadSchemaType.INTEGER)):
                c.create_payload_index(name, field, field_schema=schema)

        self._call("create collection", create, RETRIES)

    def _scroll(self, collection: str, where: models.Filter, offset: Any, fields: list[str]) -> tuple[list[Any], Any]:
        """One page of up to 1,000 points and the offset of the next (None after the last)."""
        return self._call("scroll", lambda c: c.scroll(collection, scroll_filter=where, limit=1000, offset=offset,
                                                        with_payload=fields))

    def _previous_articles(self, collection: str, live: int) -> dict[str, tuple[str, int, int]]:
        first = models.Filter(must=[*(visible(live).must or []),
                                    models.FieldCondition(key="ordinal", match=models.MatchValue(value=0))],
                              must_not=visible(live).must_not)
        previous: dict[str, tuple[str, int, int]] = {}
        offset: Any = None
        while True:
            points, offset = self._scroll(collection, first, offset, ["article_id", "content_hash", "size", "mtime_ns"])
            for p in points:
                payload = p.payload or {}
                previous[payload["article_id"]] = (payload["content_hash"], payload["size"], payload["mtime_ns"])
            if offset is None:
                return previous

    def _next_pairs(self, collection: str, live: int, meta: dict[str, Any], fresh: dict[str, bytes],
                    gone: set[str]) -> set[tuple[str, str]]:
        """The near-duplicate pairs of the next generation: the live ones that keep both their
        articles, and those the new and changed articles form with any article."""
        kept = {(a, b) for a, b in meta.get("duplicate_pairs", []) if a not in gone and b not in gone}
        if not fresh:
            return kept
        first = models.Filter(must=[*(visible(live).must or []), FIRST_CHUNK], must_not=visible(live).must_not)
        signatures = {r["article_id"]: bytes.fromhex(r["minhash"])
                      for r in self._scroll_all(collection, first, ["article_id", "minhash"])
                      if r.get("minhash") and r["article_id"] not in gone}
        signatures.update(fresh)
        return kept | duplicates.similar_pairs(signatures, fresh)

    def _add(self, collection: str, embedder: Embedder, articles: list[tuple[Article, ArticleFile]], chunking: ChunkingConfig,
             batch_size: int, notify: Progress, *, born: int, avg_len: float | None,
             signatures: dict[str, bytes]) -> tuple[int, float]:
        """Chunk, embed and upsert (batched, retried); returns (chunks embedded, average length)."""
        chunker = Chunker(chunking, embedder.count_tokens)
        finder = self.dates or DateFinder()
        pending: list[tuple[Chunk, Article, ArticleFile]] = []
        for article, file in articles:
            pending.extend((chunk, article, file) for chunk in chunker.split(article))
        # Searched as the local index searches them: the headline before each chunk's text.
        headers = {article.id: search_header(article) for article, _ in articles}
        searchable = [headers[article.id] + chunk.text for chunk, article, _ in pending]
        analysed = [analyze(text) for text in searchable]
        if avg_len is None:  # a new collection: BM25's average length from its own chunks
            avg_len = sum(map(len, analysed)) / max(len(analysed), 1)
        total = len(pending)
        notify(0, total, "embedding")
        points: list[models.PointStruct] = []
        for offset in range(0, total, batch_size):
            batch = pending[offset : offset + batch_size]
            vectors = np.asarray(embedder.embed_passages(searchable[offset : offset + batch_size]), dtype=np.float32)
            for (chunk, article, file), vector, terms in zip(batch, vectors, analysed[offset : offset + batch_size],
                                                            strict=True):
                payload: dict[str, Any] = {
                    "article_id": article.id, "title": article.title, "date": article.date,
                    "content_hash": article.content_hash, "ordinal": chunk.ordinal, "start": chunk.start,
                    "end": chunk.end, "text": chunk.text, "terms": sorted(set(terms)), "born": born,
                    "url": article.url, "source": article.source, "body_offset": article.body_offset,
                    "dates": [{"first": p.first.toordinal(), "last": p.last.toordinal(), "span": p.days - 1}
                              for p in mentions_for_index(finder, chunk.text, article.date)],
                }
                if chunk.ordinal == 0:  # the article itself travels with its first chunk
                    payload.update(article_text=article.text, size=file.size, mtime_ns=file.mtime_ns,
                                   author=article.author, lang=article.lang, minhash=signatures[article.id].hex())
                points.append(models.PointStruct(
                    id=point_id(article.id, article.content_hash, chunk.ordinal),
                    vector={DENSE: vector.tolist(), SPARSE: bm25_vector(terms, avg_len)}, payload=payload,
                ))
            while len(points) >= self.qdrant.batch_size:
                self._upsert(collection, points[: self.qdrant.batch_size])
                points = points[self.qdrant.batch_size :]
            notify(offset + len(batch), total, "embedding")
        if points:
            self._upsert(collection, points)
        return total, avg_len

    def _upsert(self, collection: str, points: list[models.PointStruct]) -> None:
        # Deterministic ids make a retried batch idempotent.
        self._call("upsert", lambda c: c.upsert(collection, points=points, wait=True), RETRIES)

    def _write_meta(self, collection: str, live: int, chunking: ChunkingConfig, scan_started_ns: int,
                    avg_len: float, pairs: set[tuple[str, str]]) -> dict[str, Any]:
        """Count what generation `live` will show, then write the meta point (the publication)."""
        where = visible(live)
        first = models.Filter(must=[*(where.must or []), models.FieldCondition(
            key="ordinal", match=models.MatchValue(value=0))], must_not=where.must_not)
        chunks = self._call("count", lambda c: c.count(collection, count_filter=where, exact=True).count)
        dates: list[str] = []
        articles = 0
        offset: Any = None
        while True:
            points, offset = self._scroll(collection, first, offset, ["date"])
            articles += len(points)
            dates += [p.payload["date"] for p in points if p.payload and p.payload.get("date")]
            if offset is None:
                break
        meta = {
            "kind": "meta", "schema": SCHEMA, "collection": collection, "live": live,
            "embedding": identity(self.embedder), "dimension": self.embedder.dimension,
            "chunking": chunking.describe(), "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "scan_started_ns": scan_started_ns, "avg_len": avg_len, "chunks": chunks, "articles": articles,
            "date_min": min(dates, default=None), "date_max": max(dates, default=None),
            "duplicate_pairs": [list(pair) for pair in sorted(pairs)],
        }
        self._call("publish", lambda c: c.upsert(collection, points=[
            models.PointStruct(id=META_ID, vector={}, payload=meta)], wait=True), RETRIES)
        return meta


class _View:
    """retrieval.search.IndexView over one generation of one collection, for one search: the
    candidates' payloads are read once, the period is matched by Qdrant's nested filter."""

    def __init__(self, index: QdrantIndex, collection: str, meta: dict[str, Any], where: models.Filter) -> None:
        self._index = index
        self._collection = collection
        self._meta = meta
        self._where = where
        self._payloads: dict[int, dict[str, Any]] = {}

    def dense_search(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        query = np.asarray(vector, dtype=np.float32).tolist()
        return self._query(models.QueryRequest(query=query, using=DENSE, filter=self._where, limit=limit,
                                               with_payload=False))

    def lexical_search(self, terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        if not terms:
            return []
        return self._query(models.QueryRequest(query=query_vector(terms), using=SPARSE, filter=self._where,
                                               limit=limit, with_payload=False))

    def _query(self, request: models.QueryRequest) -> list[tuple[int, float]]:
        (response,) = self._index._call("query", lambda c: c.query_batch_points(self._collection, [request]))
        return [(int(p.id), float(p.score)) for p in response.points]

    def term_idf(self, terms: Sequence[str]) -> dict[str, float]:
        """lexical.term_idf's weights, ln(1 + N / (1 + df)), with df counted in Qdrant."""
        chunks = int(self._meta["chunks"])
        weights = {}
        for term in dict.fromkeys(terms):
            condition = models.FieldCondition(key="terms", match=models.MatchValue(value=term))
            counted = models.Filter(must=[condition, *(self._where.must or [])], must_not=self._where.must_not)

            def count(c: QdrantClient, counted: models.Filter = counted) -> int:
                return int(c.count(self._collection, count_filter=counted, exact=True).count)

            df = self._index._call("count", count)
            weights[term] = math.log(1 + chunks / (1 + df))
        return weights

    def chunks(self, chunk_ids: list[int]) -> dict[int, ChunkRow]:
        """The passages' rows, in one call; their payloads (terms included) are kept for the
        other questions of this search."""
        if not chunk_ids:
            return {}
        points = self._index._call("retrieve", lambda c: c.retrieve(self._collection, chunk_ids,
                                                                    with_payload=CHUNK_FIELDS))
        self._payloads.update({int(p.id): dict(p.payload or {}) for p in points})
        return {
            i: ChunkRow(i, r["article_id"], r["title"], r["date"], r["start"], r["end"], r["text"], r.get("url"),
                        r.get("source"), r.get("body_offset", 0))
            for i in chunk_ids
            if (r := self._payloads.get(i)) is not None
        }

    def _rows(self, chunk_ids: list[int]) -> dict[int, dict[str, Any]]:
        missing = [i for i in chunk_ids if i not in self._payloads]
        if missing:
            points = self._index._call("retrieve", lambda c: c.retrieve(
                self._collection, missing, with_payload=["article_id", "date", "terms"]))
            self._payloads.update({int(p.id): dict(p.payload or {}) for p in points})
        return {i: self._payloads[i] for i in chunk_ids if i in self._payloads}

    def _matching(self, must: list[models.Condition]) -> list[dict[str, Any]]:
        where = models.Filter(must=[*(self._where.must or []), *must], must_not=self._where.must_not)
        return self._index._scroll_all(self._collection, where, ["article_id"])

    def dating(self, chunk_ids: list[int], period: Period | None) -> dict[int, CandidateDating]:
        rows = self._rows(chunk_ids)
        in_passage: set[int] = set()
        in_article: set[str] = set()
        if period is not None and rows:
            named = names_period(period)
            in_passage = {r["id"] for r in self._matching([models.HasIdCondition(has_id=list(rows)), named])}
            articles = sorted({r["article_id"] for r in rows.values()})
            in_article = {r["article_id"] for r in self._matching(
                [models.FieldCondition(key="article_id", match=models.MatchAny(any=articles)), named])}
        return {
            i: CandidateDating(r["article_id"], r.get("date"), i in in_passage, r["article_id"] in in_article)
            for i, r in rows.items()
        }

    def chunk_articles(self, chunk_ids: list[int]) -> dict[int, str]:
        return {i: r["article_id"] for i, r in self._rows(chunk_ids).items()}

    def stored_terms(self, chunk_ids: list[int]) -> dict[int, set[str]]:
        return {i: set(r.get("terms", ())) for i, r in self._rows(chunk_ids).items()}

    def duplicate_groups(self) -> dict[str, list[str]]:
        return self._index._groups_of(self._collection, self._meta)

    def copies(self, article_ids: list[str]) -> dict[str, Copy]:
        if not article_ids:
            return {}
        where = models.Filter(must=[*(self._where.must or []), FIRST_CHUNK, models.FieldCondition(
            key="article_id", match=models.MatchAny(any=article_ids))], must_not=self._where.must_not)
        rows = self._index._scroll_all(self._collection, where, ["article_id", "source", "url", "date"])
        return {r["article_id"]: Copy(r["article_id"], r.get("source"), r.get("url"), r.get("date")) for r in rows}
