"""Dates and duplicates on the dated news test set, written to a JSON report.

    python -m evaluation.news [--data evaluation/data/news] [--json docs/eval/news.json]

The questions are asked with the clock fixed to the day the set was written for (its `today`).
Figures:
- right article in the top 5 (any syndicated copy of the expected story counts), with date
  handling and without it, on the same index in the same run;
- answers drawn from outside the asked period: an answered date question one of whose cited
  passages comes from an article neither published in the period nor speaking of it (aim 0);
- questions whose period has no article: the answer must say so (not answered, no citation);
- near-duplicate groups found at index time against the syndicated copies the set was built
  with (`groups.json`): pairwise precision and recall, and how many questions were handed two
  copies of one story among their 5 passages (aim 0).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from evaluation.runner import cache_dir, progress_bar, publish
from qabot.services import Services, build_embedder_from, build_services
from qabot.settings import Settings, load_settings
from retrieval.dates import Period
from retrieval.retriever import Retriever
from retrieval.text import search_query

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "evaluation" / "data" / "news"


@dataclass(frozen=True, slots=True)
class NewsQuestion:
    id: str
    question: str
    articles: frozenset[str]  # any of these is the right article; empty: no article in the period
    today: date

    @classmethod
    def from_json(cls, row: dict[str, object]) -> NewsQuestion:
        articles = row.get("articles") or []
        assert isinstance(articles, list)
        return cls(str(row["id"]), str(row["question"]), frozenset(str(a) for a in articles),
                   date.fromisoformat(str(row["today"])))


def load(data: Path) -> list[NewsQuestion]:
    lines = (data / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [NewsQuestion.from_json(json.loads(line)) for line in lines if line.strip()]


def services_for(settings: Settings, data: Path, today: date) -> Services:
    """The news corpus indexed into the evaluation cache, questions read on `today`."""
    corpus = data / "corpus"
    embedder = build_embedder_from(settings)
    cached = settings.model_copy(update={"articles_dir": corpus, "index_dir": cache_dir(settings, corpus, embedder)})
    services = build_services(cached, embedder=embedder, clock=lambda: today)
    if services.store.current_name() is None:
        services.reindex_now()
    return services


def duplicates(services: Services, data: Path, questions: list[NewsQuestion]) -> dict[str, object]:
    """Groups found against the true ones, and copies handed to the answerer."""
    truth: dict[str, list[str]] = json.loads((data / "groups.json").read_text(encoding="utf-8"))
    story_of = {article: story for story, articles in truth.items() for article in articles}
    true_pairs = {tuple(sorted(p)) for group in truth.values() for p in itertools.combinations(group, 2)}
    found_groups = {tuple(g) for g in services.retriever.duplicate_groups().values()}
    found_pairs = {tuple(sorted(p)) for group in found_groups for p in itertools.combinations(group, 2)}
    hits = len(found_pairs & true_pairs)
    doubled = []
    for q in questions:
        articles = {p.article_id for p in services.retriever.search(services.search_query(q.question), k=5).passages}
        if len({story_of[a] for a in articles}) < len(articles):
            doubled.append(q.id)
    return {
        "true_groups": sum(1 for g in truth.values() if len(g) > 1),
        "found_groups": len(found_groups),
        "pair_precision": round(hits / len(found_pairs), 4) if found_pairs else 0.0,
        "pair_recall": round(hits / len(true_pairs), 4) if true_pairs else 0.0,
        "questions_given_two_copies_of_a_story": len(doubled),
    }


def top5(services: Services, questions: list[NewsQuestion]) -> dict[str, object]:
    """Right article in the top 5, with and without date handling, per question."""
    rows = []
    for q in progress_bar([q for q in questions if q.articles], desc="top 5", unit="q"):
        with_dates = services.retriever.search(services.search_query(q.question), k=5)
        without = services.retriever.search(search_query(q.question), k=5)
        rows.append({
            "id": q.id,
            "with_dates": bool(q.articles & {p.article_id for p in with_dates.passages}),
            "without_dates": bool(q.articles & {p.article_id for p in without.passages}),
        })
    count = len(rows)
    return {
        "questions": count,
        "right_article_top5_with_dates": round(sum(r["with_dates"] for r in rows) / count, 4),
        "right_article_top5_without_dates": round(sum(r["without_dates"] for r in rows) / count, 4),
        "missed_with_dates": [r["id"] for r in rows if not r["with_dates"]],
    }


def answers(services: Services, questions: list[NewsQuestion]) -> dict[str, object]:
    """Answers to the date questions: cited passages outside the period, and "no article" said."""
    assert services.answers is not None
    backend = services.retriever.backend
    assert isinstance(backend, Retriever), "the check reads the local index's dates"
    generation = backend.generation
    outside: list[str] = []
    answered = 0
    period_questions = 0
    none_said: list[bool] = []

    async def ask_all() -> None:
        nonlocal answered, period_questions
        for q in progress_bar(questions, desc="answers", unit="q"):
            dates = services.search_query(q.question).dates
            answer = await services.answers.ask(q.question)
            period = dates.period if dates is not None else None
            if not q.articles:
                none_said.append(not answer.answered and any(w in answer.text for w in ("période", "period")))
                continue
            if period is None:
                continue
            period_questions += 1
            if not answer.answered:
                continue
            answered += 1
            dating = generation.dating([c.passage.chunk_id for c in answer.citations], period)
            for citation in answer.citations:
                info = dating[citation.passage.chunk_id]
                published = Period.from_publication(info.published)
                if not ((published and published.overlaps(period)) or info.passage_mentions or info.article_mentions):
                    outside.append(q.id)
                    break

    asyncio.run(ask_all())
    return {
        "date_questions": period_questions,
        "answered": answered,
        "answers_citing_outside_the_period": len(outside),
        "outside": outside,
        "no_article_questions": len(none_said),
        "no_article_said": sum(none_said),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, default=None, help="write the report there")
    args = parser.parse_args(argv)
    questions = load(args.data)
    today = questions[0].today
    services = services_for(load_settings(), args.data, today)
    report = {
        "data": str(args.data),
        "today": today.isoformat(),
        "index": services.retriever.stats().to_dict(),
        "retrieval": top5(services, questions),
        "answers": answers(services, questions),
        "duplicates": duplicates(services, args.data, questions),
    }
    publish(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
