"""The dense index's layouts: exact and IVF, switched by size, incremental, filtered by id."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from qabot.services import build_services
from qabot.settings import Settings
from retrieval.local.dense import DenseIndex, DensePolicy, build, cells_for
from retrieval.local.index import DENSE_FILE
from tests.conftest import local_retriever
from tests.fakes.embedder import HashingEmbedder
from tests.retrieval.local.test_index import ALEPPO, write_articles


def clustered(n: int, dimension: int = 48, seed: int = 1) -> np.ndarray:
    """Unit vectors around 40 centres: neighbours exist, as with real embeddings."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, dimension))
    vectors = centres[rng.integers(0, 40, n)] + 0.6 * rng.standard_normal((n, dimension))
    vectors = vectors.astype(np.float32)
    unit: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


@pytest.mark.parametrize("kind", ["ivf", "ivf-sq8"])
def test_ivf_finds_what_exact_search_finds_and_adds_removes_in_place(kind: str, tmp_path: Path) -> None:
    vectors = clustered(6000)
    ids = np.arange(10, 6010)
    exact = build("flat", ids, vectors)
    ann = build(kind, ids, vectors, nprobe=32)
    assert ann.kind == kind and len(ann) == 6000
    queries = clustered(50, seed=2)

    def recall() -> float:
        return float(np.mean([
            len({i for i, _ in ann.search(q, 10)} & {i for i, _ in exact.search(q, 10)}) / 10 for q in queries
        ]))

    assert recall() >= 0.95
    ann.nprobe = 1  # approximate: one cell of ~150 misses neighbours
    assert recall() < 0.9
    ann.nprobe = 32
    cells = ann._index.nlist
    ann.remove(list(range(10, 1010)))
    ann.add(list(range(9000, 9100)), clustered(100, seed=3))
    assert len(ann) == 5100 and ann._index.nlist == cells  # no rebuild, same cells
    ann.save(tmp_path / DENSE_FILE)
    loaded = DenseIndex.load(tmp_path / DENSE_FILE)
    assert loaded.kind == kind and len(loaded) == 5100
    hits = {i for q in queries for i, _ in loaded.search(q, 20)}
    assert not hits & set(range(10, 1010))
    stored_ids, stored = loaded.vectors()
    assert sorted(stored_ids.tolist()) == list(range(1010, 6010)) + list(range(9000, 9100))


def test_a_planned_ivf_fills_its_cells_as_vectors_come() -> None:
    """A build from nothing takes the IVF layout for the size it expects before the first
    vector: the first 64 a cell train it, the rest go straight in; no flat copy on the way."""
    count = 80_000
    vectors, ids = clustered(count), np.arange(1, count + 1)
    planned = DenseIndex.empty(48)
    planned.expect(count, DensePolicy(ann_above=1000, nprobe=64))
    cells = cells_for(count)
    assert 64 * cells < count
    for start in range(0, count, 10_000):
        planned.add(ids[start : start + 10_000].tolist(), vectors[start : start + 10_000])
        assert planned._index.is_trained == (start + 10_000 >= 64 * cells)  # trained once it had enough
    assert planned.kind == "ivf" and planned._index.nlist == cells and len(planned) == count
    exact = build("flat", ids, vectors)
    queries = clustered(50, seed=2)
    recall = np.mean([len({i for i, _ in planned.search(q, 10)} & {i for i, _ in exact.search(q, 10)}) / 10 for q in queries])
    assert recall >= 0.95
    small = DenseIndex.empty(48)
    small.expect(500, DensePolicy(ann_above=1000))
    assert small.kind == "flat"
    with pytest.raises(ValueError, match="empty"):
        planned.expect(10, DensePolicy())


@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_a_search_can_be_restricted_to_chunk_ids(kind: str) -> None:
    vectors = clustered(3000)
    index = build(kind, np.arange(1, 3001), vectors, nprobe=1)
    allowed = [5, 1700, 2999, 123456]  # the last one is in no index
    results = index.search(vectors[1699], 10, among=allowed)
    assert [i for i, _ in results][0] == 1700 and {i for i, _ in results} == {5, 1700, 2999}
    assert index.search(vectors[0], 10, among=[]) == []


def test_the_layout_follows_the_size_with_hysteresis() -> None:
    policy = DensePolicy("auto", ann_above=1000)
    assert policy.wanted(999, "flat") == "flat" and policy.wanted(1000, "flat") == "ivf"
    assert policy.wanted(700, "ivf") == "ivf" and policy.wanted(499, "ivf") == "flat"
    assert DensePolicy("ivf-sq8").wanted(10, "flat") == "ivf-sq8"
    small = build("flat", np.arange(1, 801), clustered(800))
    assert small.fitted(policy) is small
    grown = build("flat", np.arange(1, 1201), clustered(1200))
    switched = grown.fitted(policy)
    assert switched.kind == "ivf" and len(switched) == 1200
    assert switched.fitted(policy) is switched  # same size: kept as it is
    assert cells_for(1200) == 30 and cells_for(10**6) == 4096 and cells_for(10**5) == 1024 and cells_for(10) == 1


def test_reindex_switches_to_ivf_above_the_threshold_and_stays_incremental(
    make_settings: Callable[..., Settings], articles_dir: Path
) -> None:
    settings = make_settings(dense_ann_above=30, dense_nprobe=64)
    write_articles(articles_dir, 1)
    services = build_services(settings, embedder=HashingEmbedder())
    first = services.reindex_now()
    assert first.chunks < 30 and local_retriever(services).generation.dense.kind == "flat"
    write_articles(articles_dir, 6, start=1)
    second = services.reindex_now()
    generation = local_retriever(services).generation
    assert second.chunks >= 30 and generation.dense.kind == "ivf"
    assert len(generation.dense) == second.chunks
    cells = generation.dense._index.nlist
    # One article removed, one added: a delta on the IVF generation, whose vectors (the very
    # object the reader holds) serve on, the removed chunks left out while scanning.
    (articles_dir / "extra_002.txt").unlink()
    write_articles(articles_dir, 1, start=50)
    third = services.reindex_now()
    ivf = generation.dense
    generation = local_retriever(services).generation
    assert (third.added, third.removed) == (1, 1) and third.chunks_embedded < third.chunks / 3
    assert generation.base == second.generation and generation.dense is ivf and ivf._index.nlist == cells
    found = [chunk_id for chunk_id, _ in generation.dense_search(HashingEmbedder().embed_query(ALEPPO), 1000)]
    assert len(found) == third.chunks and set(found) == set(generation.chunks(found))  # every vector has its chunk
    articles = {row.article_id for row in generation.chunks(found).values()}
    assert "extra_002.txt" not in articles and "extra_050.txt" in articles
    assert services.retriever.search(ALEPPO, k=3).passages[0].article_id.startswith("000_")
