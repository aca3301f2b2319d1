"""qabot.metrics: what each event records, read back from the registry."""

from __future__ import annotations

import json
import re

import pytest

from answering.protocol import Answer
from qabot.metrics import Metrics, feed_label, stage_timings
from retrieval.errors import ReindexInProgress
from retrieval.sources.feeds import PollReport
from tests.conftest import ROOT


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_feed_labels_leave_credentials_and_query_out() -> None:
    assert feed_label("https://user:s3cret@news.example.org:8443/rss.xml?key=abc") == (
        "https://news.example.org:8443/rss.xml"
    )
    assert feed_label("http://news.example.org/feed") == "http://news.example.org/feed"


def test_a_feed_that_fails_is_counted_apart_from_the_items_that_fail() -> None:
    metrics = Metrics()
    ok, down = "https://a.example/feed", "https://b.example/feed"
    report = PollReport(2, 3, 0, 0, {down: "HTTP 500", "https://a.example/item-9": "too large"})
    metrics.feeds_polled([ok, down], report)
    assert value(metrics, "qabot_feed_polls_total", feed=ok, outcome="ok") == 1
    assert value(metrics, "qabot_feed_polls_total", feed=down, outcome="error") == 1
    assert value(metrics, "qabot_feed_item_errors_total") == 1


def test_the_answerer_stage_is_what_the_judge_left_of_generate() -> None:
    assert stage_timings({"retrieve": 5.0, "judge": 30.0, "generate": 42.0, "total": 50.0}) == {
        "retrieve": 5.0, "judge": 30.0, "answerer": 12.0, "total": 50.0,
    }
    assert stage_timings({"retrieve": 5.0, "generate": 7.0, "total": 12.0})["answerer"] == 7.0


def test_an_answer_counts_its_outcome_and_stages() -> None:
    metrics = Metrics()
    answer = Answer(question="q", text="t", citations=[], answered=False, language="fr", answerer="extractive",
                    timings_ms={"retrieve": 4.0, "generate": 6.0, "total": 10.0}, fallback="timeout")
    metrics.answered(answer)
    metrics.question_failed()
    assert value(metrics, "qabot_questions_total", outcome="declined", fallback="timeout") == 1
    assert value(metrics, "qabot_questions_total", outcome="error", fallback="none") == 1
    assert value(metrics, "qabot_answer_stage_seconds_sum", stage="total") == pytest.approx(0.010)
    assert value(metrics, "qabot_answer_stage_seconds_count", stage="judge") is None  # no judge ran


def test_reindex_runs_by_outcome_with_progress_while_running() -> None:
    metrics = Metrics()
    with metrics.reindexing(full=True) as progress:
        progress(3, 4, "embedding")
        assert value(metrics, "qabot_reindex_progress_ratio", stage="embedding") == 0.75
        assert value(metrics, "qabot_reindex_running") == 1
    assert value(metrics, "qabot_reindex_running") == 0
    assert value(metrics, "qabot_reindex_progress_ratio", stage="embedding") is None
    with pytest.raises(RuntimeError), metrics.reindexing(full=False):
        raise RuntimeError("disk full")
    with pytest.raises(ReindexInProgress), metrics.reindexing(full=False):
        raise ReindexInProgress()
    assert value(metrics, "qabot_reindex_runs_total", kind="full", outcome="ok") == 1
    assert value(metrics, "qabot_reindex_runs_total", kind="incremental", outcome="failed") == 1
    assert value(metrics, "qabot_reindex_runs_total", kind="incremental", outcome="busy") == 1
    # A refused one never ran: only the failed run is timed.
    assert value(metrics, "qabot_reindex_duration_seconds_count", kind="incremental") == 1


def test_each_metrics_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.rate_limited("message")
    assert value(first, "qabot_rate_limited_total", via="message") == 1
    assert value(second, "qabot_rate_limited_total", via="message") is None


def exposed_names(metrics: Metrics) -> set[str]:
    """Every sample name the registry can expose, labelled series included before they exist."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "info": ("_info",)}
    return {
        family.name + suffix
        for family in metrics.registry.collect()
        for suffix in suffixes.get(family.type, ("",))
    }


def test_the_committed_dashboard_queries_only_metrics_qabot_exposes() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana-dashboard.json").read_text(encoding="utf-8"))
    queries = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    used = {name for query in queries for name in re.findall(r"\bqabot_[a-z_]+", query)}
    assert len(used) >= 15
    assert used <= exposed_names(Metrics()), used - exposed_names(Metrics())
