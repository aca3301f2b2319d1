"""Where the judge's sentence analysis should run, measured side by side (never a timed test).

    DATA_DIR=var .venv/bin/python benchmarks/bench_judge.py [--corpus seeds] [--questions FILE]
        [--chunks 40] [--limit 40] [--out benchmarks/reports/judge.json]

Index time: for each of `--chunks` indexed chunks, the time to embed it (what indexing does
now) against the time spaCy takes over all its sentences (what storing the analysis beside
each chunk would add). Question time: for `--limit` questions, retrieval, then the judge over
the retrieved passages (spaCy and the embedder on its shortlist only), against the previous
extractive selection. Ratios measured in one process survive a busy machine; absolute times
do not (the report records the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from answering.extractive import ExtractiveAnswerer  # noqa: E402
from answering.judge import Judge, JudgeModel, shared_analyzer  # noqa: E402
from answering.query import plain_query  # noqa: E402
from answering.sentence_features import FEATURES  # noqa: E402
from answering.sentences import split_sentences  # noqa: E402
from evaluation.runner import load_questions, prepare  # noqa: E402
from qabot.settings import Settings  # noqa: E402

SEED_QUESTIONS = [
    "Combien de civils ont fui Alep depuis le début de l'offensive ?",
    "Quand l'offensive a-t-elle commencé ?",
    "Qui est le porte-parole de Ban Ki-moon ?",
    "Quelle est la population d'Alep ?",
    "Qui dirige l'OSDH ?",
    "Combien de civils sont morts à Alep-Est ?",
    "Que contrôlent les forces pro-Assad ?",
    "Pourquoi les pourparlers ont-ils échoué ?",
]


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "mean": round(statistics.fmean(ordered), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT / "seeds")
    parser.add_argument("--questions", type=Path, help="JSON lines (qabot eval's format); default: the seed questions below")
    parser.add_argument("--chunks", type=int, default=40)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/reports/judge.json")
    args = parser.parse_args()
    settings = Settings()
    services = prepare(settings, args.corpus)
    analyzer = shared_analyzer(settings.answer_judge_spacy_model)
    embedder = services.embedder
    found = [p.text for p in services.retriever.search("histoire de la ville", k=args.chunks).passages]
    texts = (found * (args.chunks // max(1, len(found)) + 1))[: args.chunks]  # a small corpus is measured again
    embed_ms, spacy_ms, sentences = [], [], 0
    for text in texts:
        started = time.perf_counter()
        embedder.embed_passages([text])
        embed_ms.append((time.perf_counter() - started) * 1000)
        spans = [s.text for s in split_sentences(text)]
        sentences += len(spans)
        started = time.perf_counter()
        analyzer.analyse(spans)
        spacy_ms.append((time.perf_counter() - started) * 1000)
    judge = Judge(JudgeModel(dict.fromkeys(FEATURES, 0.0), 0.0, 0.0), analyzer, embedder)
    extractive = ExtractiveAnswerer(embedder)
    judge_ms, select_ms = [], []
    questions = [q.question for q in load_questions(args.questions) if q.answerable] if args.questions else SEED_QUESTIONS
    for question in (questions * (args.limit // len(questions) + 1))[: args.limit]:
        search = services.retriever.search(question, k=settings.retrieval_k)
        query = plain_query(question, "fr")
        started = time.perf_counter()
        judge.score(query, search.passages, search.idf_match)
        judge_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        extractive.select(query, search.passages)
        select_ms.append((time.perf_counter() - started) * 1000)
    report = {
        "load_average": os.getloadavg(),
        "index_time": {
            "chunks": len(texts), "sentences": sentences,
            "embed_chunk_ms": summary(embed_ms), "spacy_chunk_ms": summary(spacy_ms),
            "indexing_slowdown_if_stored": round(sum(spacy_ms) / sum(embed_ms), 3),
        },
        "question_time": {
            "questions": len(judge_ms), "judge_ms": summary(judge_ms), "previous_selection_ms": summary(select_ms),
            "judge_over_previous": round(sum(judge_ms) / sum(select_ms), 3),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
