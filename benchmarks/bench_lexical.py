"""The BM25 engine at archive sizes: SQLite FTS5, qabot's postings, bm25s and tantivy, same analysis.

    .venv/bin/pip install 'bm25s==0.3.16' 'tantivy==0.27.0'     # the bench extra: pip install -e '.[bench]'
    .venv/bin/python benchmarks/bench_lexical.py [--sizes 10000,100000] [--out benchmarks/reports/lexical.json]

Both engines get the same terms: qabot's French analysis (`retrieval.text.analyze`: elisions,
accents folded, stop words, Snowball stems) of every chunk of the evaluation corpus, cut by the
shipped chunking, and of every dev question. `postings` is what a sealed full generation
searches: `term_postings` written from the FTS5 index, added up with numpy
(`lexical.search_postings`). tantivy indexes the same terms (whitespace tokenizer, one segment
after its merges) and answers a should-match boolean query of them with its own BM25 (Lucene's
IDF, so its order differs slightly from FTS5's); its hits are mapped to chunk numbers through a
stored field, which it reads per hit. Padding to size: synthetic chunks of as many terms
as a real chunk has on average, each term drawn from the corpus vocabulary with its corpus
frequency (so document frequencies keep their Zipf shape: a uniform draw would make every term
common and every posting list as long as the longest). Both engines score with k1 = 1.2,
b = 0.75 (FTS5's fixed values).

For each size: build time, then for every dev question the top 50 (RETRIEVAL_CANDIDATES) by each
engine, one question at a time as the bot asks: latency p50/p95; the gold article in the top 5
(the real chunks are all there at every size); and the share of FTS5's top 10 the other engine
also returns (ties in BM25 score may order differently). Ratios between engines in one run hold on
a busy machine; the report has the CPU and the load average.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_encoder import article_chunks, cpu_report  # noqa: E402
from benchmarks.bench_index import percentile  # noqa: E402
from evaluation.runner import load_questions  # noqa: E402
from qabot.services import build_embedder_from  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from retrieval.local import lexical  # noqa: E402
from retrieval.text import analyze  # noqa: E402

CANDIDATES = 50
Search = Callable[[list[str]], list[int]]


def padded(real: list[list[str]], size: int, seed: int = 7) -> list[list[str]]:
    """`real` and synthetic chunks up to `size`, terms drawn with their corpus frequency."""
    counts = Counter(t for terms in real for t in terms)
    vocabulary, weights = list(counts), list(counts.values())
    length = round(statistics.fmean(len(t) for t in real))
    rng = random.Random(seed)
    return real + [rng.choices(vocabulary, weights, k=length) for _ in range(size - len(real))]


def fts5(docs: list[list[str]]) -> Search:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    lexical.create_schema(db)
    db.executemany("INSERT INTO chunk_terms(rowid, terms) VALUES (?, ?)", ((i + 1, " ".join(t)) for i, t in enumerate(docs)))
    db.commit()
    return lambda terms: [chunk_id - 1 for chunk_id, _ in lexical.search(db, terms, CANDIDATES)]


def bm25s_engine(docs: list[list[str]]) -> Search:
    import bm25s

    retriever = bm25s.BM25(k1=1.2, b=0.75, method="robertson")  # FTS5's BM25 (Robertson IDF)
    retriever.index(docs, show_progress=False)
    known = set(retriever.vocab_dict)

    def search(terms: list[str]) -> list[int]:
        terms = [t for t in dict.fromkeys(terms) if t in known]
        if not terms:
            return []
        found, _ = retriever.retrieve([terms], k=min(CANDIDATES, len(docs)), show_progress=False, n_threads=1)
        return [int(i) for i in found[0]]

    return search


def postings(docs: list[list[str]]) -> Search:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    lexical.create_schema(db)
    db.executemany("INSERT INTO chunk_terms(rowid, terms) VALUES (?, ?)", ((i + 1, " ".join(t)) for i, t in enumerate(docs)))
    lexical.write_postings(db)
    db.commit()
    return lambda terms: [chunk_id - 1 for chunk_id, _ in lexical.search_postings(db, terms, CANDIDATES, "main", len(docs))]


def tantivy_engine(docs: list[list[str]]) -> Search:
    import tempfile

    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=False, fast=True)
    builder.add_text_field("terms", stored=False, tokenizer_name="whitespace")
    schema = builder.build()
    index = tantivy.Index(schema, path=tempfile.mkdtemp(prefix="bench-tantivy-"))
    writer = index.writer(heap_size=500_000_000, num_threads=1)
    for i, terms in enumerate(docs):
        writer.add_document(tantivy.Document(id=i, terms=" ".join(terms)))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def search(terms: list[str]) -> list[int]:
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "terms", t)) for t in dict.fromkeys(terms)]
        if not should:
            return []
        hits = searcher.search(tantivy.Query.boolean_query(should), CANDIDATES).hits
        return [int(searcher.doc(address)["id"][0]) for _, address in hits]

    return search


ENGINES: dict[str, Callable[[list[list[str]]], Search]] = {
    "fts5": fts5, "postings": postings, "bm25s": bm25s_engine, "tantivy": tantivy_engine,
}


def measure(size: int, docs: list[list[str]], questions: list[tuple[list[str], str | None]], articles: list[str]) -> dict[str, object]:
    results: dict[str, object] = {"chunks": size}
    tops: dict[str, list[list[int]]] = {}
    for name, build in ENGINES.items():
        started = time.perf_counter()
        search = build(docs)
        built = time.perf_counter() - started
        times, found, hits, asked = [], [], 0, 0
        for terms, gold in questions:
            t = time.perf_counter()
            top = search(terms)
            times.append((time.perf_counter() - t) * 1000)
            found.append(top)
            if gold:
                asked += 1
                hits += gold in {articles[i] for i in top[:5] if i < len(articles)}
        tops[name] = found
        results[name] = {"build_s": round(built, 2), "query_p50_ms": round(statistics.median(times), 3),
                         "query_p95_ms": round(percentile(times, 95), 3), "gold_article_in_top5": round(hits / asked, 4)}
    fts = results["fts5"]
    assert isinstance(fts, dict)
    for name in ENGINES:
        if name == "fts5":
            continue
        overlap = [len(set(a[:10]) & set(b[:10])) / max(1, min(10, len(a))) for a, b in zip(tops["fts5"], tops[name], strict=True)]
        results[f"{name}_share_of_fts5_top10"] = round(statistics.fmean(overlap), 4)
        other = results[name]
        assert isinstance(other, dict)
        results[f"ratio_p50_{name}_to_fts5"] = round(other["query_p50_ms"] / fts["query_p50_ms"], 3)
    print(json.dumps(results), flush=True)  # noqa: T201
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "eval" / "corpus")
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "lexical.json")
    args = parser.parse_args()
    settings = Settings()  # pydantic-settings fills the fields from the environment
    counter = build_embedder_from(settings)  # the shipped chunking counts the encoder's tokens
    chunks = article_chunks(args.corpus, counter)
    real = [analyze(text) for _, text in chunks]
    articles = [article for article, _ in chunks]
    questions = [(analyze(q.question), q.article if q.answerable else None) for q in load_questions(args.questions, None)]
    report: dict[str, object] = {
        "cpu": cpu_report(), "real_chunks": len(real), "questions": len(questions),
        "padding": "synthetic chunks of the real mean length, terms drawn with their corpus frequency",
        "sizes": [measure(size, padded(real, size), questions, articles) for size in map(int, args.sizes.split(","))],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["sizes"], indent=1))  # noqa: T201


if __name__ == "__main__":
    main()
