"""The `local` index backend (INDEX_BACKEND=local): FAISS + FTS5 generations in INDEX_DIR
(retrieval/local/index.py), served to the search pipeline (retrieval/search.py) one generation at a time.

The backend holds one generation at a time; `reload()` swaps in the newest one after a
re-index. A search takes its own view (the generation) first, so a swap mid-query never mixes
generations.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from retrieval.chunking import ChunkingConfig
from retrieval.dates import DateFinder
from retrieval.encoders.embedding import Embedder, identity
from retrieval.errors import QabotError
from retrieval.local.dense import DensePolicy, single_query_threads
from retrieval.local.index import Generation, IndexStore
from retrieval.local.indexer import reindex
from retrieval.models import Article, Chunk, Headline
from retrieval.search import IndexStats, Progress, ReindexReport, RetrievalConfig

logger = logging.getLogger(__name__)


class Retriever:
    """The local backend (retrieval.search.SearchBackend): the live generation of INDEX_DIR,
    re-indexed by retrieval.local.indexer."""

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

    def view(self) -> Generation:
        """The live generation: it answers the search pipeline's questions (IndexView)."""
        return self.generation

    def close(self) -> None:
        """Let go of the generation."""
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
        """retrieval.local.indexer.reindex into this retriever's INDEX_DIR with `embedder` (the same
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

