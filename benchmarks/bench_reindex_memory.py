"""Memory of a full re-index of a 1M-chunk archive, beside the memory of the bot idle on it.

    .venv/bin/python benchmarks/bench_reindex_memory.py [--chunks 1000000] [--out benchmarks/reports/reindex_memory.json]

The bot runs a re-index in its own process (/reindex), so the figure that matters is the
process's peak while it serves the live generation and builds the next one. Each case runs in a
fresh process:

1. idle: the default encoder and the live generation's vectors loaded (IVF, as
   DENSE_INDEX=auto picks at this size), as the bot holds them between questions;
2. then a full re-index's vectors: `--chunks` vectors embedded in batches of 16 and filed
   into the new generation's index, written to disk, the live one still held:
   - `planned`: the index takes its final layout before the first vector (DenseIndex.expect:
     IVF cells trained on the first 64 a cell, then every vector filed straight in): today's path;
   - `flat-then-fitted`: all vectors in a flat index, converted to IVF at the end: the path
     before it.

The vectors are perturbed copies of real e5 vectors of the evaluation corpus (bench_scale's
padding); the encoder is not run for them (a million chunks take hours to embed), only loaded:
its memory counts, its time does not. SQLite's side of a re-index writes to disk through a
bounded page cache and is left out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_encoder import cpu_report  # noqa: E402
from benchmarks.bench_index import write_report  # noqa: E402
from benchmarks.bench_scale import _rss_mb, padded, real_vectors  # noqa: E402
from qabot.services import build_embedder_from  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from retrieval.encoders.embedding import identity  # noqa: E402
from retrieval.local.dense import DenseIndex, DensePolicy, build  # noqa: E402


def child(case: str, live: Path, real: Path, chunks: int, data_dir: Path) -> dict[str, object]:
    embedder = build_embedder_from(Settings(_env_file=None, data_dir=data_dir))
    embedder.embed_query("Combien de civils ont fui Alep ?")
    held = DenseIndex.load(live)
    idle = _rss_mb()
    source = np.load(real)["chunks"]
    policy = DensePolicy()
    started = time.perf_counter()
    dense = DenseIndex.empty(held.dimension)
    if case == "planned":
        dense.expect(chunks, policy)
    rng = np.random.default_rng(11)
    for start in range(0, chunks, 16):
        n = min(16, chunks - start)
        noise = rng.standard_normal((n, source.shape[1])).astype(np.float32)
        block = source[rng.integers(0, len(source), n)] + 0.6 * noise / np.linalg.norm(noise, axis=1, keepdims=True)
        dense.add(list(range(start + 1, start + n + 1)), block / np.linalg.norm(block, axis=1, keepdims=True))
    dense.flush()
    dense = dense.fitted(policy)
    with tempfile.TemporaryDirectory() as tmp:
        dense.save(Path(tmp) / "dense.faiss")
    return {
        "case": case, "dense_kind": dense.kind, "vectors": len(dense), "held_live_vectors": len(held),
        "rss_mb_idle": idle, "peak_rss_mb": _rss_mb("VmHWM"),
        "peak_to_idle": round(_rss_mb("VmHWM") / idle, 2), "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "reindex_memory.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--live", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--real", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.live, args.real, args.chunks, Path(os.environ["DATA_DIR"]))))
        return 0
    report: dict[str, object] = {"cpu": cpu_report(), "chunks": args.chunks}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = Settings(_env_file=None, data_dir=work / "var")
        embedder = build_embedder_from(settings)
        report["encoder"] = identity(embedder)
        chunks, _, _ = real_vectors(embedder)
        np.savez(work / "real.npz", chunks=chunks)
        vectors = padded(chunks, args.chunks)
        policy = DensePolicy()
        live = build(policy.wanted(args.chunks, "flat"), np.arange(1, args.chunks + 1), vectors, policy.nprobe)
        live.save(work / "live.faiss")
        del live, vectors
        env = {**os.environ, "DATA_DIR": str(work / "var"), "PYTHONPATH": str(ROOT)}
        cases = []
        for case in ("planned", "flat-then-fitted"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", case, "--live", str(work / "live.faiss"),
                 "--real", str(work / "real.npz"), "--chunks", str(args.chunks)],
                capture_output=True, text=True, env=env, check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"{case} failed ({done.returncode}):\n{done.stderr[-3000:]}")
            cases.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(cases[-1]), flush=True)
        report["cases"] = cases
        report["load_average_1m"] = round(os.getloadavg()[0], 2)
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
