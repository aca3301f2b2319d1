"""What training and running the reader (answering/reader/) costs on this machine, fp32, CPU
(never a timed test).

    .venv/bin/python benchmarks/bench_reader.py [--pairs 200] [--layers 6 12] [--threads 1 2]
        [--out benchmarks/reports/reader.json]

For `--pairs` pairs of dev (`evaluation.reader_data`, drawn with a fixed seed), per number of
e5 layers kept and per torch thread count: inference over all of them (batches of 32, the
heads' outputs included); one training epoch in batches of 16 recomputing every layer; the
same epoch with the frozen lower layers' outputs cached (the first epoch, which fills the
cache, and a later one, which only runs the adapted layers). The report records the load
average: absolute times on a shared machine are upper bounds.
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

from answering.reader.model import ReaderShape  # noqa: E402
from evaluation.reader_data import Pair, load  # noqa: E402
from evaluation.train_reader import Training, encode_all, predict, train  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "eval" / "corpus")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--layers", type=int, nargs="+", default=[6, 12])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "reader.json")
    args = parser.parse_args()
    everything = load(args.questions, args.corpus, folds=5)
    pairs = random.Random(7).sample(everything, args.pairs)
    rows = [measure(pairs, layers, threads) for threads in args.threads for layers in args.layers]
    report = {"load_average_before": os.getloadavg(), "cpus": os.cpu_count(), "all_pairs": len(everything), "rows": rows,
              "load_average_after": os.getloadavg()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
