"""One changed article re-indexed in an archive of 100k articles: a delta generation beside the
full copy every change used to cost, in one run.

    .venv/bin/python benchmarks/bench_one_changed.py [--articles 100000] [--changes 5]
        [--out benchmarks/reports/one_changed.json]

1. An archive of --articles article files (three paragraphs of words drawn from the PIAF
   corpus, ~3 chunks each), older than any scan, and its full generation written directly
   (the same tables `qabot index` writes, with each file's real size, mtime, hash and MinHash
   signature; random unit vectors in the layout DENSE_INDEX=auto picks): bulk, no encoder.
2. --changes times: one article's file is edited and `reindex()` runs with the real default
   encoder, as `qabot index` and /reindex do: the time of the whole re-index (scan of every
   file, comparison, embedding, writing the delta, publishing), and the time a reader that held
   the previous generation takes to switch to the new one and answer a question, then the
   p50/p95 of 100 dev questions searched on the new generation.
3. The same edit once more with the delta folded into a full copy (FOLD_MIN_CHUNKS=0), which is
   what every change cost before deltas (a copy of the whole SQLite file and vectors).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_encoder import cpu_report  # noqa: E402
from benchmarks.bench_index import CHUNKING, EVAL, corpus_dir, percentile, write_report  # noqa: E402
from qabot.services import build_embedder_from, retrieval_config  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from retrieval.encoders.embedding import Embedder, identity  # noqa: E402
from retrieval.local import indexer, lexical  # noqa: E402
from retrieval.local.dense import DensePolicy, build  # noqa: E402
from retrieval.local.index import DB_FILE, DENSE_FILE, SCHEMA_VERSION, IndexStore, connect_rw  # noqa: E402
from retrieval.local.retriever import Retriever  # noqa: E402
from retrieval.news import duplicates  # noqa: E402
from retrieval.search import Search  # noqa: E402

QUESTION = "Combien de civils ont fui Alep depuis le début de l'offensive ?"
# Searches timed on each new generation after the first (dev questions, the same each time).
QUESTIONS = [json.loads(line)["question"] for line in (EVAL / "dev.jsonl").open(encoding="utf-8")][:100]


def write_archive(folder: Path, articles: int, vocabulary: list[str]) -> None:
    rng = random.Random(articles)
    folder.mkdir(parents=True)
    an_hour_ago = time.time() - 3600
    for i in range(articles):
        paragraphs = [f"Article {i} du fil."] + [" ".join(rng.choices(vocabulary, k=80)) + "." for _ in range(3)]
        path = folder / f"a{i:06d}.txt"
        path.write_text("\n\n".join(paragraphs), encoding="utf-8")
        os.utime(path, (an_hour_ago, an_hour_ago))


def write_generation(store: IndexStore, folder: Path, embedder: Embedder) -> dict[str, float | str]:
    """The archive's full generation, written directly: one chunk per paragraph."""
    started = time.perf_counter()
    name = store.next_name()
    scratch = store.scratch_dir(name)
    db = connect_rw(scratch / DB_FILE)
    db.execute("BEGIN")
    chunk_id = 0
    ids: list[int] = []
    for path in sorted(folder.iterdir()):
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        stat = path.stat()
        db.execute(
            "INSERT INTO articles(id, title, date, content_hash, text, size, mtime_ns, minhash) VALUES (?,?,?,?,?,?,?,?)",
            (path.name, text.split("\n\n")[0], "2024-01-01", hashlib.sha256(raw).hexdigest(), text,
             stat.st_size, stat.st_mtime_ns, duplicates.signature(text)),
        )
        rows, offset = [], 0
        for ordinal, paragraph in enumerate(text.split("\n\n")[1:]):
            chunk_id += 1
            start = text.index(paragraph, offset)
            offset = start + len(paragraph)
            rows.append((chunk_id, path.name, ordinal, start, offset, paragraph))
        db.executemany('INSERT INTO chunks(id, article_id, ordinal, start, "end", text) VALUES (?,?,?,?,?,?)', rows)
        lexical.add(db, [(r[0], r[5]) for r in rows])
        ids.extend(r[0] for r in rows)
    lexical.write_postings(db)  # as a sealed full generation has them
    meta = {"schema": SCHEMA_VERSION, "embedding": identity(embedder), "dimension": str(embedder.dimension),
            "chunking": CHUNKING.fitted(embedder.max_tokens).describe(), "built_at": "synthetic", "generation": name,
            "scan_started_ns": str(time.time_ns())}
    db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", meta.items())
    db.execute("COMMIT")
    db.close()
    written = time.perf_counter()
    vectors = np.random.default_rng(3).standard_normal((len(ids), embedder.dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    policy = DensePolicy()
    dense = build(policy.wanted(len(ids), "flat"), np.asarray(ids, dtype=np.int64), vectors, policy.nprobe)
    dense.save(scratch / DENSE_FILE)
    store.publish(scratch, name, layout=dense.kind)
    return {"chunks": len(ids), "sqlite_seconds": round(written - started, 1),
            "vectors_seconds": round(time.perf_counter() - written, 1), "dense_kind": dense.kind}


def edit(folder: Path, i: int) -> None:
    path = folder / f"a{i:06d}.txt"
    path.write_text(path.read_text(encoding="utf-8") + f"\n\nUne phrase nouvelle sur Alep, numéro {i}.", encoding="utf-8")


def one_change(store: IndexStore, folder: Path, embedder: Embedder, reader: Search, i: int) -> dict[str, Any]:
    reader.search(QUESTION)  # the reader holds the live generation
    edit(folder, i)
    report = indexer.reindex(store, folder, embedder, CHUNKING, batch_size=16)
    switched = time.perf_counter()
    result = reader.search(QUESTION)
    reader_seconds = time.perf_counter() - switched
    steady = []
    for question in QUESTIONS:
        started = time.perf_counter()
        reader.search(question)
        steady.append((time.perf_counter() - started) * 1000)
    manifest = json.loads((store.root / report.generation / "manifest.json").read_text(encoding="utf-8"))
    return {
        "article": i, "changed": report.changed, "chunks_embedded": report.chunks_embedded,
        "reindex_seconds": round(report.seconds, 3), "base": manifest.get("base"),
        "delta_mb": round(sum(f.stat().st_size for f in (store.root / report.generation).iterdir()) / 1e6, 2),
        "reader_switch_and_first_search_seconds": round(reader_seconds, 3),
        "first_search_ms_inside": result.timings_ms,
        "then_search_p50_ms": round(percentile(steady, 50), 2), "then_search_p95_ms": round(percentile(steady, 95), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "one_changed.json")
    parser.add_argument("--work", type=Path, help="a folder to build in and keep (default: a temporary one)")
    args = parser.parse_args()
    report: dict[str, object] = {"cpu": cpu_report(), "articles": args.articles}
    with tempfile.TemporaryDirectory(dir=ROOT / "var") as tmp:
        work = args.work or Path(tmp)
        settings = Settings(_env_file=None, data_dir=work / "var", index_dir=work / "index")
        embedder = build_embedder_from(settings)
        report["encoder"] = identity(embedder)
        vocabulary = sorted({w for p in sorted(corpus_dir().glob("*.txt"))[:40] for w in p.read_text(encoding="utf-8").split()})
        folder = work / "articles"
        started = time.perf_counter()
        write_archive(folder, args.articles, vocabulary)
        report["archive_seconds"] = round(time.perf_counter() - started, 1)
        store = IndexStore(settings.index_dir)
        report["base"] = write_generation(store, folder, embedder)
        report["disk_mb_base"] = round(sum(f.stat().st_size for f in store.root.rglob("*") if f.is_file()) / 1e6, 1)
        print(json.dumps(report), flush=True)
        config = retrieval_config(settings, identity(embedder))
        reader = Search(Retriever(IndexStore(settings.index_dir), embedder, config), embedder, config)
        rng = random.Random(5)
        deltas = []
        for i in rng.sample(range(args.articles), args.changes):
            deltas.append(one_change(store, folder, embedder, reader, i))
            print(json.dumps(deltas[-1]), flush=True)
        report["delta"] = deltas
        seconds = [float(d["reindex_seconds"]) for d in deltas]
        switch = [float(d["reader_switch_and_first_search_seconds"]) for d in deltas]
        report["delta_reindex_seconds_p50"] = p50 = round(percentile(seconds, 50), 3)
        report["delta_reindex_seconds_max"] = round(max(seconds), 3)
        report["reader_switch_seconds_p50"] = round(percentile(switch, 50), 3)
        indexer.FOLD_MIN_CHUNKS, indexer.FOLD_SHARE = 0, 0.0  # every change folded: the full copy of before
        folded = one_change(store, folder, embedder, reader, args.articles - 1)
        report["full_copy"] = folded
        report["ratio_full_copy_to_delta"] = round(float(folded["reindex_seconds"]) / p50, 1)
        report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        report["load_average_1m"] = round(os.getloadavg()[0], 2)
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
