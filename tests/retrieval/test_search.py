"""The one search pipeline (retrieval/search.py) over each backend's port: one view of the
index per search, and each mode asks only for what it ranks with."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qabot.services import Services, build_services
from qabot.settings import Settings
from retrieval.search import IndexView
from tests.fakes.embedder import HashingEmbedder

ALEPPO = (
    " date 2016-12 Alep : l'évacuation des civils\n\n"
    "Plus de 130 000 civils ont fui les quartiers est d'Alep depuis le début de l'offensive.\n\n"
    "Les convois de bus ont quitté la ville sous la protection du Croissant-Rouge."
)


@pytest.fixture(params=["local", "qdrant"])
def services(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings], articles_dir: Path
) -> Iterator[Services]:
    (articles_dir / "alep.txt").write_text(ALEPPO, encoding="utf-8")
    built = build_services(make_settings(index_backend=request.param), embedder=HashingEmbedder())
    built.reindex_now()
    yield built
    built.close_now()


def test_a_search_reads_the_index_through_one_view(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidates, rows and statistics all come from the one view taken at the start, so a
    re-index published mid-search cannot mix two versions in one result."""
    backend = services.retriever.backend
    taken: list[IndexView] = []
    real_view = backend.view

    def counted() -> IndexView:
        taken.append(real_view())
        return taken[-1]

    monkeypatch.setattr(backend, "view", counted)
    result = services.retriever.search("Combien de civils ont fui Alep ?", k=2)
    assert len(taken) == 1
    assert result.passages[0].article_id == "alep.txt" and "130 000" in result.passages[0].text
    assert result.passages[0].terms and result.idf_match is not None and result.query_vector is not None


def test_bm25_alone_never_encodes_the_question(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> object:
        raise AssertionError(f"BM25 alone encoded {text!r}")

    monkeypatch.setattr(services.retriever.embedder, "embed_query", refuse)
    result = services.retriever.search("civils Alep offensive", k=2, mode="bm25")
    assert result.passages and result.query_vector is None and "embed" not in result.timings_ms
    assert all(p.dense_rank is None and p.bm25_rank is not None for p in result.passages)


def test_dense_alone_weighs_no_terms(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    view = services.retriever.backend.view()

    def refuse(*args: object) -> object:
        raise AssertionError("dense alone read BM25 candidates or term statistics")

    for name in ("lexical_search", "term_idf"):
        monkeypatch.setattr(type(view), name, refuse)
    result = services.retriever.search("civils Alep offensive", k=2, mode="dense")
    assert result.passages and result.idf_match is None and "bm25" not in result.timings_ms


def test_an_unknown_mode_names_the_modes(make_settings: Callable[..., Settings]) -> None:
    services = build_services(make_settings(), embedder=HashingEmbedder())
    try:
        with pytest.raises(ValueError, match="hybrid, dense, bm25"):
            services.retriever.search("Alep", mode="sparse")
    finally:
        services.close_now()
