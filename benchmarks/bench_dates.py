"""Date parsing speed on real questions, written to a JSON report (never a timed test).

    .venv/bin/python benchmarks/bench_dates.py [--questions ../shared/eval/dev.jsonl]
        [--out benchmarks/reports/dates.json]

`DateFinder.question` runs on every question: this measures its cost per question (p50, p95,
max) on the evaluation questions, the finder built once as the services build it, and how many
questions hold a date at all.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.dates import DateFinder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared/eval/dev.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/reports/dates.json")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    finder = DateFinder()
    build_ms = (time.perf_counter() - started) * 1000
    today = date(2026, 11, 30)
    timings: list[float] = []
    dated = 0
    for question in questions:
        started = time.perf_counter()
        found = finder.question(question, today)
        timings.append((time.perf_counter() - started) * 1000)
        dated += bool(found.mentions)
    timings.sort()
    report = {
        "questions": len(questions),
        "questions_with_a_date": dated,
        "finder_build_ms": round(build_ms, 1),
        "per_question_ms": {
            "mean": round(statistics.fmean(timings), 3),
            "p50": round(timings[len(timings) // 2], 3),
            "p95": round(timings[int(len(timings) * 0.95)], 3),
            "max": round(timings[-1], 3),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
