"""Answers under load: N people asking at once, each asking M questions in a row (never a timed test).

    .venv/bin/python benchmarks/bench_load.py [--users 50] [--each 10] [--corpus ../shared/eval/corpus]
        [--questions ../shared/eval/dev.jsonl] [--out benchmarks/reports/load.json (load-shuffled.json with --shuffle)]

Each person waits for an answer before asking the next question, as a person in a chat would;
all start together. Person u asks dev questions u·M … u·M+M−1 in the file's order, where the
questions on one article follow each other (a reader asking about one story), or, with
`--shuffle`, questions drawn at random (every answer on different passages: the worst case for
the judge's memory of sentences). Questions go through the front door (`Services.ask`: retrieval, the judge,
the extractive answer and its citation check) with the configured encoder, then the same run
with the hashing embedder of the tests (no encoder cost, and so no judge: it is fitted per
encoder), in one process, one after the other. Telegram is left out on purpose: the loopback Bot
API adds the same few milliseconds to both runs, and the load test of the suite
(tests/reliability/test_load.py) covers the bot under this load.

Reported for each run: answers/s, reply latency p50/p95/max (from the moment the question is
asked), the mean of each stage the answers time themselves (retrieve, generate), the CPU and its
flags, and the load average, which says whether something else shared the two cores; and what
micro-batching the questions that arrive together would gain: the encoder's time per question
one at a time against batches of 4 and 16.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_encoder import cpu_report  # noqa: E402
from benchmarks.bench_index import percentile  # noqa: E402
from evaluation.runner import load_questions, prepare  # noqa: E402
from qabot.frontdoor import FrontDoor  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from retrieval.embedding import Embedder  # noqa: E402
from tests.fakes.embedder import HashingEmbedder  # noqa: E402


async def crowd(services: FrontDoor, questions: list[str], users: int, each: int) -> dict[str, object]:
    """`users` people at once, each asking `each` questions in a row."""
    latencies: list[float] = []
    stages: dict[str, list[float]] = {}
    answered = 0

    async def person(user: int) -> None:
        nonlocal answered
        for i in range(each):
            question = questions[(user * each + i) % len(questions)]
            started = time.perf_counter()
            answer = await services.ask(question)
            latencies.append(time.perf_counter() - started)
            answered += answer.answered
            for stage, ms in answer.timings_ms.items():
                stages.setdefault(stage, []).append(ms)

    started = time.perf_counter()
    await asyncio.gather(*(person(u) for u in range(users)))
    wall = time.perf_counter() - started
    return {
        "answers": len(latencies), "answered": answered, "seconds": round(wall, 2),
        "answers_per_s": round(len(latencies) / wall, 2),
        "latency_s": {"p50": round(statistics.median(latencies), 3), "p95": round(percentile(latencies, 95), 3),
                      "max": round(max(latencies), 3)},
        # Inside one answer (ms): time in each stage, queueing for the threads included.
        "stage_mean_ms": {stage: round(statistics.fmean(ms), 1) for stage, ms in stages.items()},
        "load_average_1m_after": round(os.getloadavg()[0], 2),
    }


def batching_gain(embedder: Embedder, questions: list[str], rounds: int = 3) -> dict[str, float]:
    """Query encoding per question, one at a time against batches of 4 and 16 (what batching
    questions that arrive together would give), interleaved, the best round of each."""
    sample = questions[: 64]
    embedder.embed_passages(sample[:4])  # warm
    best = {"one_at_a_time": float("inf"), "batches_of_4": float("inf"), "batches_of_16": float("inf")}
    for _ in range(rounds):
        for name, size in (("one_at_a_time", 1), ("batches_of_4", 4), ("batches_of_16", 16)):
            started = time.perf_counter()
            if size == 1:
                for q in sample:
                    embedder.embed_query(q)
            else:
                for i in range(0, len(sample), size):
                    embedder.embed_passages(sample[i : i + size])  # same length profile as queries
            best[name] = min(best[name], (time.perf_counter() - started) * 1000 / len(sample))
    return {name: round(ms, 2) for name, ms in best.items()}


def run(settings: Settings, corpus: Path, questions: list[str], users: int, each: int, embedder: Embedder | None) -> dict[str, object]:
    with prepare(settings, corpus, embedder=embedder) as services:
        asyncio.run(services.ask(questions[0]))  # warm: models loaded, index opened
        report = asyncio.run(crowd(services, questions, users, each))
        report["embedding"] = services.embedder.name
        report["query_encoding_ms_per_question"] = batching_gain(services.embedder, questions)
        return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--each", type=int, default=10)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "eval" / "corpus")
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--out", type=Path, help="default: benchmarks/reports/load.json, load-shuffled.json with --shuffle")
    parser.add_argument("--shuffle", action="store_true", help="questions in random order (seed 7): every "
                        "person on other articles than the others, so little of the judge's work is reused")
    args = parser.parse_args()
    args.out = args.out or ROOT / "benchmarks" / "reports" / ("load-shuffled.json" if args.shuffle else "load.json")
    settings = Settings()  # pydantic-settings fills the fields from the environment
    questions = [q.question for q in load_questions(args.questions, None)]
    if args.shuffle:
        random.Random(7).shuffle(questions)
    report: dict[str, object] = {
        "users": args.users, "questions_each": args.each, "order": "shuffled" if args.shuffle else "file", "corpus": str(args.corpus), "cpu": cpu_report(),
        "configured_encoder": run(settings, args.corpus, questions, args.users, args.each, None),
        # The refusal bars are calibrated for real encoders: without them the fake would decline
        # nearly everything and the run would measure refusals, not answers.
        "hashing_embedder": run(
            settings.model_copy(update={"refusal_min_score": 0.0, "refusal_min_score_crosslingual": 0.0}),
            args.corpus, questions, args.users, args.each, HashingEmbedder(),
        ),
    }
    real, fake = report["configured_encoder"], report["hashing_embedder"]
    assert isinstance(real, dict) and isinstance(fake, dict)
    report["ratio_answers_per_s_configured_to_hashing"] = round(real["answers_per_s"] / fake["answers_per_s"], 3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("configured_encoder", "hashing_embedder")}, indent=1))  # noqa: T201


if __name__ == "__main__":
    main()
