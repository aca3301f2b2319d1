"""Prometheus metrics: what an operator watches from outside (`qabot run`'s `/metrics`).

One `Metrics` per process, built by the composition root (`build_services`) on a registry of
its own (never prometheus_client's global one), and handed to whoever records: the front door
(questions, re-indexes, the index's size), the bot (Telegram, feeds, inline queries, its queue).
It always exists; METRICS_PORT only decides whether it is served. With several workers each
serves its own and Prometheus sums them (docs/DEPLOYMENT.md).

Names follow Prometheus' conventions: `qabot_` prefix, base units (`_seconds`), counters end in
`_total`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from answering.protocol import Answer
from qabot.frontdoor import Check
from retrieval.errors import ReindexInProgress
from retrieval.search import IndexStats
from retrieval.sources.feeds import PollReport

# Answer stages, as `Answer.timings_ms` names them; "answerer" is what follows retrieval and
# the judge (the answerer and the citation check), so the stages add up to "total".
STAGES = ("retrieve", "judge", "answerer", "total")
# A question takes from a few ms (extractive, small archive) to the LLM's timeout (30 s).
ANSWER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# A re-index takes under a second (one changed article) to hours (a first 100k-article build).
REINDEX_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 12 * 3600.0)

_TRAILING_NUMBER = re.compile(r"(\d+)$")


class Metrics:
    """The process's metrics, and one method per thing that happens."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self._questions = Counter(
            "qabot_questions_total",
            "Questions asked, by outcome (answered, declined, error) and by why the LLM's answer was "
            "replaced by the extractive one (none when it was not).",
            ["outcome", "fallback"], registry=r,
        )
        self._stage_seconds = Histogram(
            "qabot_answer_stage_seconds", "Time a question spent in each answer stage.", ["stage"],
            buckets=ANSWER_BUCKETS, registry=r,
        )
        self._reindex_runs = Counter(
            "qabot_reindex_runs_total",
            "Re-indexes asked of this worker, by kind (full, incremental) and outcome (ok, failed, busy: "
            "another one was running).",
            ["kind", "outcome"], registry=r,
        )
        self._reindex_seconds = Histogram(
            "qabot_reindex_duration_seconds", "How long re-indexes took, by kind.", ["kind"],
            buckets=REINDEX_BUCKETS, registry=r,
        )
        self._reindex_running = Gauge("qabot_reindex_running", "1 while this worker runs a re-index.", registry=r)
        self._reindex_done = Gauge(
            "qabot_reindex_progress_ratio", "Share done (0 to 1) of the running re-index's current stage.",
            ["stage"], registry=r,
        )
        self._index_articles = Gauge("qabot_index_articles", "Articles in the live index.", registry=r)
        self._index_chunks = Gauge("qabot_index_chunks", "Passages (chunks) in the live index.", registry=r)
        self._index_generation = Gauge("qabot_index_generation", "Number of the live index generation.", registry=r)
        self._index_info = Info("qabot_index", "The live index: its generation's name and embedding model.", registry=r)
        self._feed_polls = Counter(
            "qabot_feed_polls_total", "Feed polls, by feed (scheme, host and path) and outcome (ok, error).",
            ["feed", "outcome"], registry=r,
        )
        self._feed_item_errors = Counter(
            "qabot_feed_item_errors_total", "Feed items that could not be saved (too large, bad link, timeout...).",
            registry=r,
        )
        self._telegram_errors = Counter(
            "qabot_telegram_api_errors_total", "Bot API calls that failed, by method and error.",
            ["method", "error"], registry=r,
        )
        self._telegram_retries = Counter(
            "qabot_telegram_api_retries_total",
            "Bot API calls sent again, by method and reason (flood: Telegram asked to wait; network).",
            ["method", "reason"], registry=r,
        )
        self._rate_limited = Counter(
            "qabot_rate_limited_total", "Questions refused because the asker was over the rate limit, by way asked.",
            ["via"], registry=r,
        )
        self._inline_queries = Counter(
            "qabot_inline_queries_total",
            "Inline queries, by outcome (answered, cached, incomplete, rate_limited).", ["outcome"], registry=r,
        )
        self._updates_in_progress = Gauge(
            "qabot_bot_updates_in_progress",
            "Telegram updates being handled, those waiting behind an earlier one of their chat included.",
            registry=r,
        )
        self._update_queue = Gauge(
            "qabot_bot_update_queue_depth", "Telegram updates received and not yet dispatched to a handler.",
            registry=r,
        )
        self._ready = Gauge(
            "qabot_ready", "1 when the readiness check passed at the last scrape or probe, else 0 (/readyz).",
            ["check"], registry=r,
        )

    # --- questions --------------------------------------------------------------------------

    def answered(self, answer: Answer) -> None:
        """A question's outcome and the time each stage took (from `Answer.timings_ms`)."""
        outcome = "answered" if answer.answered else "declined"
        self._questions.labels(outcome, answer.fallback or "none").inc()
        for stage, ms in stage_timings(answer.timings_ms).items():
            self._stage_seconds.labels(stage).observe(ms / 1000)

    def question_failed(self) -> None:
        """A question that ended in an error (no index, a fault) instead of an answer."""
        self._questions.labels("error", "none").inc()

    # --- the index ----------------------------------------------------------------------------

    def index_size(self, stats: IndexStats) -> None:
        self._index_articles.set(stats.articles)
        self._index_chunks.set(stats.chunks)
        number = _TRAILING_NUMBER.search(stats.generation)
        if number:
            self._index_generation.set(int(number.group(1)))
        self._index_info.info({"generation": stats.generation, "embedding": stats.embedding})

    @contextmanager
    def reindexing(self, full: bool) -> Iterator[Callable[[int, int, str], None]]:
        """Around one re-index: counts it by outcome, times it, and yields the progress callback
        (`retrieval.search.Progress`) that keeps `qabot_reindex_progress_ratio` current."""
        kind = "full" if full else "incremental"
        self._reindex_running.inc()
        started = time.perf_counter()
        outcome = "failed"
        try:
            yield self._progress
            outcome = "ok"
        except ReindexInProgress:
            outcome = "busy"  # refused at once: not a run, so not timed
            raise
        finally:
            if outcome != "busy":
                self._reindex_seconds.labels(kind).observe(time.perf_counter() - started)
            self._reindex_runs.labels(kind, outcome).inc()
            self._reindex_running.dec()
            self._reindex_done.clear()

    def _progress(self, done: int, total: int, stage: str) -> None:
        self._reindex_done.labels(stage).set(done / total if total else 1.0)

    # --- feeds --------------------------------------------------------------------------------

    def feeds_polled(self, urls: Iterable[str], report: PollReport) -> None:
        """One pass over `urls`: each feed's poll, and the items that failed inside them."""
        failed_feeds = 0
        for url in urls:
            failed = url in report.errors
            failed_feeds += failed
            self._feed_polls.labels(feed_label(url), "error" if failed else "ok").inc()
        self._feed_item_errors.inc(max(0, len(report.errors) - failed_feeds))

    # --- Telegram -----------------------------------------------------------------------------

    def telegram_error(self, method: str, error: BaseException) -> None:
        self._telegram_errors.labels(method, type(error).__name__).inc()

    def telegram_retry(self, method: str, reason: str) -> None:
        self._telegram_retries.labels(method, reason).inc()

    def rate_limited(self, via: str) -> None:
        """`via`: message (a chat message or /ask) or inline."""
        self._rate_limited.labels(via).inc()

    def inline_query(self, outcome: str) -> None:
        self._inline_queries.labels(outcome).inc()

    def readiness(self, checks: Sequence[Check]) -> None:
        for check in checks:
            self._ready.labels(check.name).set(1 if check.ok else 0)

    @contextmanager
    def handling_update(self) -> Iterator[None]:
        self._updates_in_progress.inc()
        try:
            yield
        finally:
            self._updates_in_progress.dec()

    def watch_update_queue(self, depth: Callable[[], int]) -> None:
        """Read the bot's update queue's depth at each scrape."""
        self._update_queue.set_function(depth)


def stage_timings(timings_ms: dict[str, float]) -> dict[str, float]:
    """The answer stages' times from `Answer.timings_ms` ("generate" covers the judge and the
    answerer: the answerer's share is what the judge left of it)."""
    stages = {name: timings_ms[name] for name in ("retrieve", "judge", "total") if name in timings_ms}
    if "generate" in timings_ms:
        stages["answerer"] = max(0.0, timings_ms["generate"] - timings_ms.get("judge", 0.0))
    return stages


def feed_label(url: str) -> str:
    """A feed as a metric label: scheme, host and path. Credentials typed into the URL and its
    query (which may carry a key) never reach the metrics."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a number: the feed fails, its label leaves the port out
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
