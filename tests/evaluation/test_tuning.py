"""Tuning replays fusion on cached candidate lists: its rankings must be the retriever's."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation import runner, tuning
from qabot.services import Services
from qabot.settings import Settings
from tests.fakes.embedder import HashingEmbedder

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def tuned(tmp_path: Path) -> tuple[Settings, Services, tuning.CandidateSet]:
    settings = Settings(_env_file=None, data_dir=tmp_path / "var", chunk_tokens=48, chunk_overlap_tokens=8)  # type: ignore[call-arg]
    services = runner.prepare(settings, DATA / "corpus", embedder=HashingEmbedder(), with_answers=False)
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
    assert knee["at_max_wrong"]["t"] == 0.84  # type: ignore[index]
    assert knee["max_difference"]["t"] == 0.84  # type: ignore[index]
