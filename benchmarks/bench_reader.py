"""What training and running the reader (answering/reader/) costs on this machine, on the CPU
(never a timed test).

    .venv/bin/python benchmarks/bench_reader.py [--pairs 200] [--layers 6 12] [--threads 1 2]
        [--out benchmarks/reports/reader.json]
    .venv/bin/python benchmarks/bench_reader.py --reader answering/reader_models/all-a6 --pairs 200 \
        --threads 1 2 --runtimes torch onnx onnx-int8 [--shortlist 8 4] [--per-run 16 1] --out benchmarks/reports/reader-per-question.json

For `--pairs` pairs of dev (`evaluation.reader_data`, drawn with a fixed seed), per number of
e5 layers kept and per torch thread count: inference over all of them (batches of 32, the
heads' outputs included); one training epoch in batches of 16 recomputing every layer; the
same epoch with the frozen lower layers' outputs cached (the first epoch, which fills the
cache, and a later one, which only runs the adapted layers). With `--reader`, instead: a
trained reader reading each of `--pairs` questions' shortlists (`--shortlist` sentences, 8 as the
judge reads them, several counts side by side; a question's own pairs filled up with other
questions') as answering does, wall time per question, per runtime (PyTorch as trained, ONNX
Runtime fp32 and int8: their files derived once into MODEL_CACHE_DIR) and thread count, one
runtime after the other over the same questions. The report records the load average: absolute times on a shared machine are
upper bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from answering.reader.export import READER_RUNTIMES  # noqa: E402
from answering.reader.model import ReaderShape  # noqa: E402
from evaluation.reader_data import Pair, load  # noqa: E402
from evaluation.train_reader import Training, encode_all, predict, train  # noqa: E402
from qabot.settings import Settings  # noqa: E402


def measure(pairs: list[Pair], layers: int, threads: int) -> dict[str, object]:
    import torch

    torch.set_num_threads(threads)
    shape = ReaderShape(layers=layers, adapted=2)
    steps = -(-len(pairs) // 16)
    row: dict[str, object] = {"layers": layers, "threads": threads, "pairs": len(pairs), "steps": steps}
    trained = train(pairs, shape, Training(epochs=1, batch=16, seed=1, cache_lower=False))
    row["train_epoch_uncached_s"] = round(trained.seconds, 2)
    row["train_step_uncached_s"] = round(trained.seconds / steps, 3)
    cached = train(pairs, shape, Training(epochs=2, batch=16, seed=1, cache_lower=True))
    row["train_two_epochs_cached_s"] = round(cached.seconds, 2)
    encoded = encode_all(trained.encoder, pairs)
    predict(trained.model, encoded[:32])  # warm-up
    started = time.perf_counter()
    predict(trained.model, encoded)
    elapsed = time.perf_counter() - started
    row["inference_s"] = round(elapsed, 2)
    row["inference_ms_per_pair"] = round(1000 * elapsed / len(pairs), 2)
    row["mean_tokens"] = round(sum(len(e.ids) for e in encoded) / len(encoded), 1)
    print(json.dumps(row), flush=True)  # noqa: T201
    return row


def per_question(
    folder: Path, pairs: list[Pair], runtimes: list[str], threads: int, cache: Path, shortlist: int = 8,
    per_run: int = 16,
) -> list[dict[str, object]]:
    """The reader as answering runs it on each runtime: one question's shortlist read in runs
    of `per_run` pairs (one run for a shortlist, as answering does, by default), wall time per
    question (p50, p95) over the questions of `pairs`."""
    from answering.reader.runtime import Candidate, load_reader
    from retrieval.encoders.model_cache import ModelCache

    readers = {runtime: load_reader(folder, runtime, threads, ModelCache(cache), per_run) for runtime in runtimes}
    by_question: dict[str, list[Pair]] = {}
    for pair in pairs:
        by_question.setdefault(pair.question_id, []).append(pair)
    # A question's own pairs are 6 on average; the judge's shortlist is full (8 sentences of the
    # retrieved passages) for nearly every question, so the rest is filled with other questions'.
    others = random.Random(11)
    groups = [[Candidate(p.sentence, p.before) for p in (group + others.sample(pairs, shortlist))[:shortlist]]
              for group in by_question.values()]
    questions = [group[0].question for group in by_question.values()]
    times: dict[str, list[float]] = {runtime: [] for runtime in runtimes}
    cpu: dict[str, list[float]] = {runtime: [] for runtime in runtimes}  # the process's CPU, all threads
    # One runtime after the other, not interleaved: after a run, PyTorch's OpenMP threads and
    # ONNX Runtime's pool spin for a while, taking the cores from whichever runs next.
    for runtime, reader in readers.items():
        reader.read(questions[0], groups[0])  # warm-up
        for question, group in zip(questions, groups, strict=True):
            started, used = time.perf_counter(), time.process_time()
            reader.read(question, group)
            times[runtime].append(1000 * (time.perf_counter() - started))
            cpu[runtime].append(1000 * (time.process_time() - used))
    rows: list[dict[str, object]] = []
    for runtime, measured in times.items():
        rows.append({"reader": str(folder), "runtime": runtime, "threads": threads, "questions": len(groups),
                     "shortlist": shortlist, "pairs_per_run": min(per_run, shortlist), "mean_sentences": round(sum(map(len, groups)) / len(groups), 2),
                     "p50_ms": percentile(measured, 0.5), "p95_ms": percentile(measured, 0.95),
                     "cpu_p50_ms": percentile(cpu[runtime], 0.5), "cpu_p95_ms": percentile(cpu[runtime], 0.95)})
        print(json.dumps(rows[-1]), flush=True)  # noqa: T201
    return rows


def percentile(values: list[float], share: float) -> float:
    """As the earlier reports took them: p50 the middle value, p95 the one at 95 % of the way."""
    ordered = sorted(values)
    return round(ordered[len(ordered) // 2] if share == 0.5 else ordered[int(share * (len(ordered) - 1))], 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "eval" / "corpus")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--layers", type=int, nargs="+", default=[6, 12])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--reader", type=Path, help="time this trained reader per question instead of training")
    parser.add_argument("--runtimes", nargs="+", choices=READER_RUNTIMES, default=list(READER_RUNTIMES),
                        help="with --reader: the runtimes timed side by side")
    parser.add_argument("--shortlist", type=int, nargs="+", default=[8],
                        help="with --reader: sentences read per question (the judge reads 8), each count timed")
    parser.add_argument("--per-run", type=int, nargs="+", default=[16],
                        help="with --reader: pairs read in one run (1: each pair alone); whether batching pays")
    parser.add_argument("--model-cache", type=Path, default=Settings.model_fields["model_cache_dir"].default,
                        help="with --reader: where the ONNX files are derived (MODEL_CACHE_DIR)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "reader.json")
    args = parser.parse_args()
    before = os.getloadavg()  # taken now: the report's dict is built after the runs
    everything = load(args.questions, args.corpus, folds=5)
    if args.reader:
        kept = set(random.Random(7).sample(sorted({p.question_id for p in everything}), args.pairs))
        chosen = [p for p in everything if p.question_id in kept]
        rows = [row for threads in args.threads for shortlist in args.shortlist for per_run in args.per_run
                for row in per_question(args.reader, chosen, args.runtimes, threads, args.model_cache, shortlist, per_run)]
    else:
        pairs = random.Random(7).sample(everything, args.pairs)
        rows = [measure(pairs, layers, threads) for threads in args.threads for layers in args.layers]
    report = {"load_average_before": before, "cpus": os.cpu_count(), "all_pairs": len(everything), "rows": rows,
              "load_average_after": os.getloadavg()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
