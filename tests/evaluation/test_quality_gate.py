"""The quality gate (evaluation.quality_gate): the committed slice of the evaluation set, answered
offline by the real models, holds its committed baseline; and the comparison itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import quality_gate
from qabot.settings import Settings

EVAL_SET = Path(__file__).resolve().parents[3] / "shared" / "eval"


def test_the_slice_holds_its_baseline(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "var", llm_provider="none")
    baseline = json.loads(quality_gate.BASELINE.read_text(encoding="utf-8"))
    assert set(baseline) == set(quality_gate.GATED)  # every gated figure has its baseline
    measured = quality_gate.measure(settings)
    failed = quality_gate.regressions(baseline, measured)
    assert not failed, (
        "a figure of the quality slice fell below its baseline (evaluation/data/quality/baseline.json); "
        "if the change means it, refresh the baseline with `python -m evaluation.quality_gate --update` "
        "and say why in the commit:\n" + "\n".join(failed)
    )


def test_a_fall_beyond_the_tolerance_fails_and_a_smaller_one_does_not() -> None:
    baseline = {"accuracy": 0.80, "declined_by_group.answerable": 0.10, "declined_by_group.off-corpus": 0.90}
    within = {"accuracy": 0.795, "declined_by_group.answerable": 0.105, "declined_by_group.off-corpus": 0.91}
    assert quality_gate.regressions(baseline, within) == []
    worse = {"accuracy": 0.78, "declined_by_group.answerable": 0.12, "declined_by_group.off-corpus": 0.88}
    assert [line.split(":")[0] for line in quality_gate.regressions(baseline, worse)] == list(baseline)


def test_fewer_wrong_declines_is_no_regression_and_a_missing_figure_is() -> None:
    baseline = {"answerable_wrongly_declined": 0.12, "fact_first": 0.79}
    assert quality_gate.regressions(baseline, {"answerable_wrongly_declined": 0.05, "fact_first": 0.85}) == []
    assert quality_gate.regressions(baseline, {"answerable_wrongly_declined": 0.12}) == [
        "fact_first: in the baseline (0.7900), not measured"
    ]


def test_the_gated_figures_are_read_from_an_eval_report() -> None:
    report = {
        "answers": {"accuracy": 0.5, "questions": 82, "declined_by_group": {"on-topic": 0.25}, "fallbacks": {}},
        "retrieval": {"hybrid": {"recall@1": 0.8, "mrr@10": 0.9, "latency_ms": {"p50": 1.0}}},
    }
    assert quality_gate.figures(report) == {
        "accuracy": 0.5, "declined_by_group.on-topic": 0.25, "retrieval.recall@1": 0.8, "retrieval.mrr@10": 0.9,
    }


@pytest.mark.skipif(not (EVAL_SET / "dev.jsonl").exists(), reason="the evaluation set (../shared/eval) is not here")
def test_the_committed_slice_is_cut_again_from_the_evaluation_set() -> None:
    corpus, questions = quality_gate.build_slice(EVAL_SET)
    committed = [json.loads(line) for line in quality_gate.QUESTIONS.read_text(encoding="utf-8").splitlines()]
    assert questions == committed
    assert corpus == {p.name: p.read_text(encoding="utf-8") for p in sorted(quality_gate.CORPUS.iterdir())}
    groups = {str(q["group"]) for q in questions}
    assert groups == {"answerable", "same-article", "on-topic", "off-corpus"}
