"""Search the live generation: dense and BM25 candidates, fused, returned as passages.

The retriever holds one generation at a time; `reload()` swaps in the newest one after a
re-index. A search takes its own reference first, so a swap mid-query never mixes generations.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from retrieval import lexical as lexical_index
from retrieval.chunking import ChunkingConfig
from retrieval.dates import DateFinder
from retrieval.dense import DensePolicy, single_query_threads
from retrieval.embedding import Embedder, identity
from retrieval.errors import QabotError
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.index import Generation, IndexStats, IndexStore
from retrieval.indexer import Progress, ReindexReport, reindex
from retrieval.models import MODES, Article, Chunk, Headline, Passage, SearchQuery, SearchResult
from retrieval.news import shape


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    k: int = 5
    candidates: int = 50
    mode: str = "hybrid"  # hybrid | dense | bm25
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    dense_nprobe: int = 128  # IVF cells scanned per question (an exact index ignores it)


logger = logging.getLogger(__name__)


class Retriever:
    def __init__(
        self, store: IndexStore, embedder: Embedder, config: RetrievalConfig, dense_policy: DensePolicy | None = None,
        dates: DateFinder | None = None,
    ) -> None:
        """`dates` finds the dates passages name when indexing (one is made when not given)."""
        self.store = store
        self.dates = dates
        self.dense_policy = dense_policy  # the vectors' layout for the generations it builds
        self.embedder = embedder
        self.config = config
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._unusable: str | None = None  # a published generation that failed to open
        single_query_threads()
        self._lexical_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bm25")

    @property
    def generation(self) -> Generation:
        """The live generation, opened (and verified) on first use, and again whenever CURRENT
        names another: a re-index run by another process (another bot worker, `qabot index`)
        is served from the next question on. Reading CURRENT costs one small file read."""
        live = self.store.current_name()
        with self._lock:
            held = self._generation
            if held is not None and (live is None or live == held.name or live == self._unusable):
                return held
            try:
                self._generation = self._open()
            except QabotError as exc:
                if held is None:
                    raise
                # Keep answering from the generation already open; say so once per bad one.
                logger.warning("new generation unusable, still serving %s: %s", held.name, exc)
                self._unusable = live
                return held
            return self._generation

    def reload(self) -> Generation:
        """Open the newest generation; queries already running finish on the one they hold."""
        fresh = self._open()
        with self._lock:
            self._generation = fresh
        return fresh

    def _open(self) -> Generation:
        # The base's vectors this process holds are kept when the next generation shares them.
        generation = self.store.open(expected_embedding=identity(self.embedder), reuse=self._generation)
        generation.dense.nprobe = self.config.dense_nprobe
        return generation

    def search(self, query: SearchQuery | str, k: int | None = None, mode: str | None = None) -> SearchResult:
        """The best k passages; `query` as the answering layer analysed it (with the period it
        asks about), or plain text (benchmarks), analysed here, dates left aside."""
        if isinstance(query, str):
            query = search_query(query)
        k = k or self.config.k
        mode = mode or self.config.mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        generation = self.generation
        started = time.perf_counter()
        vector = None
        timings: dict[str, float] = {}
        pool = max(self.config.candidates, k)
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        weights: dict[str, float] | None = None
        # BM25 runs on a worker thread while the question is encoded here: both release the GIL,
        # so on two cores the lexical search costs no extra wall time.
        pending = (
            self._lexical_pool.submit(self._timed_lexical, generation, query.terms, pool)
            if mode in ("hybrid", "bm25")
            else None
        )
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query.text)
            timings["embed"] = _ms_since(started)
            dense_started = time.perf_counter()
            dense = generation.dense_search(vector, pool)
            timings["dense"] = _ms_since(dense_started)
        if pending is not None:
            lexical, weights, timings["bm25"] = pending.result()
        fused = reciprocal_rank_fusion(
            dense, lexical, k=self.config.rrf_k,
            dense_weight=self.config.dense_weight if mode != "bm25" else 0.0,
            bm25_weight=self.config.bm25_weight if mode != "dense" else 0.0,
        )
        fused, outcome, copies = shape(fused, k, query, generation)
        rows = generation.chunks([f.chunk_id for f in fused])
        held = generation.stored_terms([f.chunk_id for f in fused])
        passages = [
            Passage(
                chunk_id=f.chunk_id, article_id=row.article_id, title=row.title, date=row.date,
                start=row.start, end=row.end, text=row.text, score=f.score,
                dense_score=f.dense_score, bm25_score=f.bm25_score,
                dense_rank=f.dense_rank, bm25_rank=f.bm25_rank, url=row.url, source=row.source,
                terms=frozenset(held.get(f.chunk_id, ())), copies=copies.get(row.article_id, ()),
                body_offset=row.body_offset,
            )
            for f in fused
            if (row := rows.get(f.chunk_id)) is not None
        ]
        match = None
        if weights is not None:
            match = lexical_index.idf_match(weights, [p.terms for p in passages])
        timings["total"] = _ms_since(started)
        return SearchResult(query.text, passages, timings, match, vector, outcome)

    @staticmethod
    def _timed_lexical(
        generation: Generation, terms: tuple[str, ...], pool: int
    ) -> tuple[list[tuple[int, float]], dict[str, float], float]:
        started = time.perf_counter()
        ranking = generation.lexical_search(terms, pool)
        return ranking, generation.term_idf(terms), _ms_since(started)

    def close(self) -> None:
        """Stop the BM25 worker threads and let go of the generation."""
        self._lexical_pool.shutdown(wait=True)
        with self._lock:
            generation, self._generation = self._generation, None
        if generation is not None:
            generation.close()

    def stats(self) -> IndexStats:
        return self.generation.stats()

    def headlines(self, article_ids: list[str] | None = None, newest: int = 0) -> list[Headline]:
        """These articles, or the `newest` dated ones, newest first."""
        return self.generation.headlines(article_ids, newest)

    def duplicate_groups(self) -> dict[str, list[str]]:
        return self.generation.duplicate_groups()

    def is_built(self) -> bool:
        return self.store.current_name() is not None

    def reindex(
        self, articles_dir: Path, embedder: Embedder, chunking: ChunkingConfig, *, full: bool = False,
        batch_size: int = 16, max_article_bytes: int = 20_000_000, progress: Progress | None = None,
    ) -> ReindexReport:
        """retrieval.indexer.reindex into this retriever's INDEX_DIR with `embedder` (the same
        model as the retriever's, possibly another instance of it), then serve the result."""
        report = reindex(self.store, articles_dir, embedder, chunking, full=full, batch_size=batch_size,
                         max_article_bytes=max_article_bytes, progress=progress, dense_policy=self.dense_policy,
                         dates=self.dates)
        self.reload()
        return report

    def article(self, article_id: str) -> Article | None:
        return self.generation.article(article_id)

    def article_chunks(self, article_id: str) -> list[Chunk]:
        return self.generation.article_chunks(article_id)


def search_query(text: str) -> SearchQuery:
    """A question as retrieval reads it: its text and its analysed terms (no dates)."""
    return SearchQuery(text, tuple(lexical_index.analyze(text)))


@dataclass(frozen=True, slots=True)
class QuestionReader:
    """Reads a question's text once into what retrieval needs: its analysed terms and the
    period or "the latest" it asks about, relative dates ("hier") read on `clock`'s day (the
    bot's, in BOT_TIMEZONE). Without `dates` (RETRIEVAL_DATES=false), dates play no part."""

    dates: DateFinder | None
    clock: Callable[[], date] = field(default=date.today)

    def __call__(self, text: str) -> SearchQuery:
        found = self.dates.question(text, self.clock()) if self.dates is not None else None
        return SearchQuery(text, tuple(lexical_index.analyze(text)), found)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


class SearchIndex(Protocol):
    """What the front ends, the answer service and the evaluation need of an index backend:
    `Retriever` (local: FAISS + FTS5 generations) and `retrieval.qdrant_index.QdrantIndex`."""

    config: RetrievalConfig

    def search(self, query: SearchQuery | str, k: int | None = None, mode: str | None = None) -> SearchResult: ...

    def stats(self) -> IndexStats: ...

    def article(self, article_id: str) -> Article | None: ...

    def article_chunks(self, article_id: str) -> list[Chunk]:
        """An indexed article's chunks, in their order (none when it is not indexed)."""
        ...

    def headlines(self, article_ids: list[str] | None = None, newest: int = 0) -> list[Headline]:
        """These articles, or the `newest` dated ones, newest first (for /latest)."""
        ...

    def duplicate_groups(self) -> dict[str, list[str]]:
        """Each article that has near-duplicates -> its group (sorted article ids)."""
        ...

    def is_built(self) -> bool: ...

    def reindex(
        self, articles_dir: Path, embedder: Embedder, chunking: ChunkingConfig, *, full: bool = False,
        batch_size: int = 16, max_article_bytes: int = 20_000_000, progress: Progress | None = None,
    ) -> ReindexReport: ...

    def close(self) -> None: ...
