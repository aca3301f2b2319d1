"""The search contract every index backend serves, and the one search pipeline over it.

    SearchIndex  what the front door and the evaluation use of an index; the answer service
                 uses its search alone (Searching)
    Search       the pipeline that implements it over any backend: mode check, BM25 on a
                 worker while the question is encoded, fusion weighted by mode, the news steps
                 (retrieval/news/shaping.py), passages, idf_match
    SearchBackend / IndexView   the port each backend implements: `view()` holds one
                 consistent state of the live index for one search (the local generation,
                 retrieval/local/retriever.py; a Qdrant collection at one generation number,
                 retrieval/qdrant/index.py) and answers its candidates, rows and statistics

A search reads everything through one view, so a re-index published mid-search never mixes
two versions of the index in one answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.chunking import ChunkingConfig
from retrieval.dates import Period
from retrieval.encoders.embedding import Embedder
from retrieval.models import Article, Chunk, Copy, Headline, Passage, SearchQuery, SearchResult
from retrieval.news.shaping import shape
from retrieval.news.temporal import CandidateDating
from retrieval.sources.articles import FileWarning, SkippedFile
from retrieval.text import search_query

# How a search ranks: both rankings fused, or one of them (RETRIEVAL_MODE, --mode).
MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    k: int = 5
    candidates: int = 50
    mode: str = "hybrid"  # hybrid | dense | bm25
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    dense_nprobe: int = 128  # IVF cells scanned per question (an exact index ignores it)


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


# (chunks embedded so far, chunks to embed, what is happening)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class ReindexReport:
    added: int
    changed: int
    removed: int
    unchanged: int
    chunks: int  # chunks in the new generation
    chunks_embedded: int
    seconds: float
    generation: str
    full: bool
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[FileWarning] = field(default_factory=list)  # indexed, front matter ignored
    # Of `seconds`, the time spent preparing the encoder's model before indexing could start
    # (its first run on this machine: retrieval/encoders/model_cache.py).
    preparation_seconds: float = 0.0

    def with_preparation(self, seconds: float) -> ReindexReport:
        """This report, counting `seconds` of model preparation before it in its time."""
        return replace(self, seconds=self.seconds + seconds, preparation_seconds=self.preparation_seconds + seconds)

    def summary(self) -> str:
        text = (
            f"{self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged; {self.chunks} chunks ({self.chunks_embedded} embedded) "
            f"in {self.seconds:.1f} s"
        )
        if self.preparation_seconds:
            text += f" ({self.preparation_seconds:.1f} s of it preparing the encoder's model, once per machine)"
        if self.skipped:
            text += f"; {len(self.skipped)} file(s) skipped"
        if self.warnings:
            text += f"; {len(self.warnings)} file(s) indexed without their front matter"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "added": self.added, "changed": self.changed, "removed": self.removed,
            "unchanged": self.unchanged, "chunks": self.chunks,
            "chunks_embedded": self.chunks_embedded, "seconds": round(self.seconds, 3),
            "generation": self.generation, "full": self.full,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "warnings": [{"path": w.path, "warning": w.warning} for w in self.warnings],
            "preparation_seconds": round(self.preparation_seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class ChunkRow:
    """What an index holds of a chunk for a passage: the chunk and its article's metadata."""

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


class IndexView(Protocol):
    """One consistent state of the live index, for one search (the backend port)."""

    def dense_search(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(chunk id, cosine) of the `limit` nearest chunks, best first."""
        ...

    def lexical_search(self, terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) of the `limit` best chunks for analysed terms, best first."""
        ...

    def term_idf(self, terms: Sequence[str]) -> dict[str, float]:
        """The distinct terms' IDF over the live chunks, ln(1 + N / (1 + df))."""
        ...

    def chunks(self, chunk_ids: list[int]) -> dict[int, ChunkRow]: ...

    def stored_terms(self, chunk_ids: list[int]) -> dict[int, set[str]]:
        """The analysed terms the index keeps for these chunks (no re-analysis at query time)."""
        ...

    # What the news steps read (retrieval/news/shaping.py).

    def dating(self, chunk_ids: list[int], period: Period | None) -> dict[int, CandidateDating]:
        """Each chunk's article and publication date and, for `period`, whether the chunk (or
        another chunk of its article) names a date within it."""
        ...

    def chunk_articles(self, chunk_ids: list[int]) -> dict[int, str]: ...

    def duplicate_groups(self) -> dict[str, list[str]]:
        """Each article that has near-duplicates -> its group (sorted article ids)."""
        ...

    def copies(self, article_ids: list[str]) -> dict[str, Copy]:
        """Where each of these articles was published (source, URL, date)."""
        ...


class StoredIndex(Protocol):
    """What an index serves besides search: its figures, its articles, and re-indexing."""

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


class SearchBackend(StoredIndex, Protocol):
    """An index backend (INDEX_BACKEND): the local generations or Qdrant."""

    def view(self) -> IndexView:
        """The live index, opened (and checked against the configured model) when needed."""
        ...


class Searching(Protocol):
    """What the answer service needs of an index: its search alone (sync, thread-safe), so a
    test's fixed passages stand in for it."""

    def search(self, query: SearchQuery | str, k: int | None = None, mode: str | None = None) -> SearchResult: ...


class SearchIndex(StoredIndex, Searching, Protocol):
    """What the front ends and the evaluation need of an index."""

    config: RetrievalConfig


class Search:
    """The search pipeline (SearchIndex) over `backend`; the rest of the contract is the
    backend's own."""

    def __init__(self, backend: SearchBackend, embedder: Embedder, config: RetrievalConfig) -> None:
        self.backend = backend
        self.embedder = embedder
        self.config = config
        self._lexical_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bm25")

    def search(self, query: SearchQuery | str, k: int | None = None, mode: str | None = None) -> SearchResult:
        """The best k passages; `query` as the answering layer analysed it (with the period it
        asks about), or plain text (benchmarks), analysed here, dates left aside."""
        if isinstance(query, str):
            query = search_query(query)
        k = k or self.config.k
        mode = mode or self.config.mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        view = self.backend.view()
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
            self._lexical_pool.submit(_timed_lexical, view, query.terms, pool) if mode in ("hybrid", "bm25") else None
        )
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query.text)
            timings["embed"] = _ms_since(started)
            dense_started = time.perf_counter()
            dense = view.dense_search(vector, pool)
            timings["dense"] = _ms_since(dense_started)
        if pending is not None:
            lexical, weights, timings["bm25"] = pending.result()
        fused = reciprocal_rank_fusion(
            dense, lexical, k=self.config.rrf_k,
            dense_weight=self.config.dense_weight if mode != "bm25" else 0.0,
            bm25_weight=self.config.bm25_weight if mode != "dense" else 0.0,
        )
        fused, outcome, copies = shape(fused, k, query, view, weights)
        rows = view.chunks([f.chunk_id for f in fused])
        held = view.stored_terms([f.chunk_id for f in fused])
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
        match = None if weights is None else idf_match(weights, [p.terms for p in passages])
        timings["total"] = _ms_since(started)
        return SearchResult(query.text, passages, timings, match, vector, outcome, weights)

    def stats(self) -> IndexStats:
        return self.backend.stats()

    def article(self, article_id: str) -> Article | None:
        return self.backend.article(article_id)

    def article_chunks(self, article_id: str) -> list[Chunk]:
        return self.backend.article_chunks(article_id)

    def headlines(self, article_ids: list[str] | None = None, newest: int = 0) -> list[Headline]:
        return self.backend.headlines(article_ids, newest)

    def duplicate_groups(self) -> dict[str, list[str]]:
        return self.backend.duplicate_groups()

    def is_built(self) -> bool:
        return self.backend.is_built()

    def reindex(
        self, articles_dir: Path, embedder: Embedder, chunking: ChunkingConfig, *, full: bool = False,
        batch_size: int = 16, max_article_bytes: int = 20_000_000, progress: Progress | None = None,
    ) -> ReindexReport:
        """Bring the index in line with `articles_dir` (see the backend's), then serve the result."""
        return self.backend.reindex(articles_dir, embedder, chunking, full=full, batch_size=batch_size,
                                    max_article_bytes=max_article_bytes, progress=progress)

    def close(self) -> None:
        """Stop the BM25 worker threads, then let go of the index."""
        self._lexical_pool.shutdown(wait=True)
        self.backend.close()


# Weighted reciprocal rank fusion of the dense and lexical rankings:
#     score(d) = sum over retrievers r of  w_r / (k + rank_r(d)),  ranks starting at 1.
# Weights let a strong retriever lead without a weak one dragging it down; k (the constant)
# flattens the difference between neighbouring ranks. Both are calibrated on the dev set.


@dataclass(frozen=True, slots=True)
class Fused:
    chunk_id: int
    score: float
    dense_rank: int | None
    dense_score: float | None
    bm25_rank: int | None
    bm25_score: float | None


def reciprocal_rank_fusion(
    dense: list[tuple[int, float]],
    lexical: list[tuple[int, float]],
    *,
    k: int = 60,
    dense_weight: float = 1.0,
    bm25_weight: float = 1.0,
) -> list[Fused]:
    """Fuse two best-first (chunk_id, score) lists; ties keep the dense order, then lexical."""
    dense_at = {cid: (rank, score) for rank, (cid, score) in enumerate(dense, start=1)}
    lexical_at = {cid: (rank, score) for rank, (cid, score) in enumerate(lexical, start=1)}
    fused: list[Fused] = []
    for cid in dict.fromkeys([c for c, _ in dense] + [c for c, _ in lexical]):
        d_rank, d_score = dense_at.get(cid, (None, None))
        l_rank, l_score = lexical_at.get(cid, (None, None))
        score = 0.0
        if d_rank is not None:
            score += dense_weight / (k + d_rank)
        if l_rank is not None:
            score += bm25_weight / (k + l_rank)
        fused.append(Fused(cid, score, d_rank, d_score, l_rank, l_score))
    order = {cid: i for i, cid in enumerate(dict.fromkeys([c for c, _ in dense] + [c for c, _ in lexical]))}
    fused.sort(key=lambda f: (-f.score, order[f.chunk_id]))
    return fused


def idf_match(weights: dict[str, float], passages_terms: Sequence[AbstractSet[str]]) -> float:
    """The largest share of the question's IDF (`IndexView.term_idf`) whose terms one passage
    holds (0..1): how much of the question's rare vocabulary, the names and terms an article on
    its subject would contain, the best passage matches."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return max(
        (sum(w for term, w in weights.items() if term in held) / total for held in passages_terms), default=0.0
    )


def _timed_lexical(
    view: IndexView, terms: Sequence[str], pool: int
) -> tuple[list[tuple[int, float]], dict[str, float], float]:
    started = time.perf_counter()
    ranking = view.lexical_search(terms, pool)
    return ranking, view.term_idf(terms), _ms_since(started)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
