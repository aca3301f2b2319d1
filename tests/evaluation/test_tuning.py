"""Tuning replays fusion on cached candidate lists: its rankings must be the retriever's."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering.query import plain_query
from answering.refusal import RefusalPolicy
from evaluation import runner, tuning
from qabot.services import Services
from qabot.settings import Settings
from tests.fakes.embedder import HashingEmbedder

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def tuned(tmp_path: Path) -> tuple[Settings, Services, tuning.CandidateSet]:
    settings = Settings(_env_file=None, data_dir=tmp_path / "var", chunk_tokens=48, chunk_overlap_tokens=8)
    services = runner.prepare(settings, DATA / "corpus", embedder=HashingEmbedder())
    questions = runner.load_questions(DATA / "questions.jsonl")
    return settings, services, tuning.collect(services, questions, depth=50)


def test_replayed_fusion_equals_the_retriever(tuned: tuple[Settings, Services, tuning.CandidateSet]) -> None:
    settings, services, cset = tuned
    used = services.retriever.config
    config = tuning.FusionConfig(used.rrf_k, used.dense_weight, used.bm25_weight, used.candidates)
    for c in cset.items:
        for mode in ("hybrid", "dense", "bm25"):
            live = [p.chunk_id for p in services.retriever.search(c.question.question, k=10, mode=mode).passages]
            assert [f.chunk_id for f in config.fuse(c, mode)[:10]] == live


def test_candidates_are_cached_beside_the_index(tuned: tuple[Settings, Services, tuning.CandidateSet]) -> None:
    _, services, cset = tuned
    assert list(services.store.root.glob("candidates-*.json"))
    again = tuning.collect(services, [c.question for c in cset.items], depth=50)
    assert [c.relevant for c in again.items] == [c.relevant for c in cset.items]
    assert any(c.relevant for c in cset.answerable)


def test_knee_takes_the_most_declined_within_the_allowance() -> None:
    curve = [
        {"t": 0.80, "unanswerable_declined": 0.2, "answerable_wrongly_declined": 0.01},
        {"t": 0.84, "unanswerable_declined": 0.7, "answerable_wrongly_declined": 0.09},
        {"t": 0.86, "unanswerable_declined": 0.95, "answerable_wrongly_declined": 0.40},
    ]
    knee = tuning.knee(curve, max_wrong=0.10)
    at_max_wrong = knee["at_max_wrong"]
    assert at_max_wrong is not None and at_max_wrong["t"] == 0.84
    assert knee["max_difference"]["t"] == 0.84


def _signals(answerable: bool, best_dense: float, dense_gap: float) -> tuning.Signals:
    return tuning.Signals(answerable, best_dense, False, 0.5, 0.1, 0.2, dense_gap=dense_gap, dense_z=1.0)


def test_upper_bound_finds_a_signal_that_separates_and_not_one_that_does_not() -> None:
    import random

    rng = random.Random(1)
    # best_dense is noise; the dense gap alone tells unanswerable questions apart.
    rows = [_signals(True, rng.uniform(0.8, 0.9), rng.uniform(0.05, 0.10)) for _ in range(200)]
    rows += [_signals(False, rng.uniform(0.8, 0.9), rng.uniform(0.0, 0.04)) for _ in range(50)]
    separable = tuning.combined_upper_bound(rows)
    assert separable["unanswerable_declined"] == 1.0
    assert separable["answerable_wrongly_declined"] <= 0.10
    assert separable["standardised_weights"]["dense_gap"] < 0
    noise = [_signals(s.answerable, s.best_dense, rng.uniform(0.0, 0.10)) for s in rows]
    assert tuning.combined_upper_bound(noise)["unanswerable_declined"] < 0.5


def test_replayed_refusal_equals_the_shipped_policy(tuned: tuple[Settings, Services, tuning.CandidateSet]) -> None:
    """The tuning replay's signals and rule decide as answering.refusal does on live retrieval,
    at bars that split these questions both ways."""
    settings, services, cset = tuned
    used = services.retriever.config
    config = tuning.FusionConfig(used.rrf_k, used.dense_weight, used.bm25_weight, used.candidates)
    rows = tuning.signals(cset, config, settings.retrieval_k)
    for bar in (0.0, sorted(s.best_dense for s in rows)[len(rows) // 2], 2.0):
        policy = RefusalPolicy(min_score=bar, idf_match_weight=0.3)
        rule = tuning._idf_match_rule(policy.idf_match_weight, bar, policy.min_term_coverage)
        decisions = []
        for c, s in zip(cset.items, rows, strict=True):
            query = plain_query(c.question.question, "fr")
            live = services.retriever.search(query.search)
            assert s.idf_match == pytest.approx(live.idf_match or 0.0)
            decisions.append(policy.declines(query, live.passages, live.idf_match))
            assert rule(s) == decisions[-1], (c.question.question, bar)
        if 0.0 < bar < 2.0:
            assert any(decisions) and not all(decisions)
