"""The composition root: build every service from the settings, once, at the edge.

The CLI and the bot both call `build_services(settings)`; tests call it too, with fakes for
what they cannot run (e.g. a deterministic embedder).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qabot.settings import Settings
from retrieval.chunking import ChunkingConfig
from retrieval.embedding import Embedder, build_embedder, identity
from retrieval.fusion import calibrated_dense_weight
from retrieval.index import IndexStore
from retrieval.indexer import Progress, ReindexReport, reindex
from retrieval.priority import QuestionsFirst, YieldingEmbedder
from retrieval.retriever import RetrievalConfig, Retriever

if TYPE_CHECKING:
    from answering.local_llm import LocalModel
    from answering.protocol import Answer, AnswerService, PartialCallback, Turn

logger = logging.getLogger(__name__)


def retrieval_config(settings: Settings, embedding: str) -> RetrievalConfig:
    """`embedding`: the embedder's identity, whose calibrated dense weight applies unless
    FUSION_DENSE_WEIGHT is set."""
    dense_weight = settings.fusion_dense_weight
    return RetrievalConfig(
        k=settings.retrieval_k,
        candidates=settings.retrieval_candidates,
        mode=settings.retrieval_mode,
        rrf_k=settings.fusion_rrf_k,
        dense_weight=calibrated_dense_weight(embedding) if dense_weight is None else dense_weight,
        bm25_weight=settings.fusion_bm25_weight,
    )


def chunking_config(settings: Settings) -> ChunkingConfig:
    return ChunkingConfig(settings.chunk_tokens, settings.chunk_overlap_tokens)


class QuestionsFirstAnswers:
    """The answer service, holding the QuestionsFirst gate for the whole of each question so
    that a running re-index pauses between its slices (see retrieval/priority.py)."""

    def __init__(self, inner: AnswerService, gate: QuestionsFirst) -> None:
        self.inner = inner
        self.gate = gate

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_partial: PartialCallback | None = None
    ) -> Answer:
        with self.gate.question():
            return await self.inner.ask(question, history, on_partial)


@dataclass
class Services:
    """`embedder` answers questions; re-indexing uses its own instance (`indexing_embedder`,
    made on first use) so that no question waits behind an indexing batch."""

    settings: Settings
    embedder: Embedder
    store: IndexStore
    retriever: Retriever
    answers: AnswerService | None = None
    last_reindex: ReindexReport | None = None
    questions_first: QuestionsFirst = field(default_factory=QuestionsFirst)
    make_indexing_embedder: Callable[[], Embedder] | None = None
    local_model: LocalModel | None = None  # LLM_PROVIDER=local, when these services loaded it
    _indexing_embedder: Embedder | None = field(default=None, init=False, repr=False)
    _indexing_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def indexing_embedder(self) -> Embedder:
        """The indexing encoder, yielding to questions between slices; built on first use."""
        with self._indexing_lock:
            if self._indexing_embedder is None:
                inner = self.make_indexing_embedder() if self.make_indexing_embedder else self.embedder
                self._indexing_embedder = YieldingEmbedder(inner, self.questions_first)
            return self._indexing_embedder

    def close(self) -> None:
        """Release what the services loaded (the local model's memory); blocking."""
        if self.local_model is not None:
            self.local_model.close()
            self.local_model = None

    def reindex(
        self,
        full: bool = False,
        progress: Callable[[str], None] | None = None,
        progress_counts: Progress | None = None,
    ) -> ReindexReport:
        """Re-index ARTICLES_DIR (blocking: call it off the event loop), then serve the result."""

        def notify(done: int, total: int, what: str) -> None:
            if progress_counts:
                progress_counts(done, total, what)
            if progress:
                progress(f"{what}: {done}/{total} chunks" if total else what)

        report = reindex(
            self.store,
            self.settings.articles_dir,
            self.indexing_embedder,
            chunking_config(self.settings),
            full=full,
            batch_size=self.settings.embedding_batch_size,
            max_article_bytes=self.settings.max_article_bytes,
            progress=notify,
        )
        self.retriever.reload()
        self.last_reindex = report
        return report


def build_embedder_from(settings: Settings) -> Embedder:
    return build_embedder(
        settings.embedding_backend,
        settings.embedding_model,
        settings.embedding_runtime,
        settings.embedding_threads,
        cache_dir=settings.data_dir / "models",
    )


def build_services(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    indexing_embedder: Embedder | None = None,
    with_answers: bool = True,
    local_model: LocalModel | None = None,
) -> Services:
    """Everything the front ends need; the index itself is opened on the first question.

    A given `embedder` (a test's fake) also indexes unless `indexing_embedder` is given; the
    configured backend gets a second instance for indexing. With LLM_PROVIDER=local the model
    is loaded here, once (`local_model` lends an already loaded one, which `Services.close`
    leaves to its owner)."""
    if embedder is not None:
        make_indexing: Callable[[], Embedder] = lambda: indexing_embedder or embedder  # noqa: E731
    else:
        embedder = build_embedder_from(settings)
        make_indexing = lambda: indexing_embedder or build_embedder_from(settings)  # noqa: E731
    store = IndexStore(settings.index_dir)
    retriever = Retriever(store, embedder, retrieval_config(settings, identity(embedder)))
    services = Services(
        settings=settings, embedder=embedder, store=store, retriever=retriever,
        make_indexing_embedder=make_indexing,
    )
    if with_answers:
        from answering.service import build_answer_service, load_local_model

        if settings.llm_provider == "local" and local_model is None:
            local_model = services.local_model = load_local_model(settings)
        services.answers = QuestionsFirstAnswers(
            build_answer_service(settings, retriever, embedder, local_model), services.questions_first
        )
    return services
