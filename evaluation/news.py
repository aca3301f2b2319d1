"""Dates, duplicates and news questions on the dated news test set, written to a JSON report.

    python -m evaluation.news [--set dates|intents] [--backend local|qdrant] [--json docs/eval/news.json]

The questions are asked with the clock fixed to the day the set was written for (its `today`),
on the index backend asked for (INDEX_BACKEND by default; qdrant in its embedded mode unless
QDRANT_URL is set).

`--set dates` (questions.jsonl) figures:
- right article in the top 5 (any syndicated copy of the expected story counts), with date
  handling and without it, on the same index in the same run;
- answers drawn from outside the asked period: an answered date question one of whose cited
  passages comes from an article neither published in the period nor speaking of it (aim 0);
- questions whose period has no article: the answer must say so (not answered, no citation);
  said of a question whose article is there, it is a false claim (aim 0);
- near-duplicate groups found at index time against the syndicated copies the set was built
  with (`groups.json`): pairwise precision and recall, and how many questions were handed two
  copies of one story among their 5 passages (aim 0).

`--set intents` (intents.jsonl, issue 24) reads the Answers the front door returns (`ask`):
- open news questions answered with the right story first: the first citation is from one of
  the expected stories (any copy; they are all in the period when one is asked) (aim >= 0.90);
- open news answers citing only stories of the asked period: every citation's article is
  published in the period (aim 1.00);
- timelines in date order, one line per story, no duplicate copies: answered, each body line
  cites one story, the citations' stories all differ, are about the subject (expected), in the
  period when one is asked, with dates that never go back (aim 1.00);
- "no article in the period" said only when there is none: claims on questions whose period has
  articles about the subject, or whose subject no article is about, are false (aim 0); it is
  also counted on the questions where it is due, and the plain refusal on subjects never covered;
- fact accuracy: answered with a gold answer in the reply, as whole words on normalised text
  (evaluation.metrics, as `qabot eval` counts it) (aim >= 0.85).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from answering import wording
from answering.protocol import Answer
from evaluation import metrics
from evaluation.runner import cache_dir, progress_bar, publish, settings_summary
from qabot.services import INDEX_BACKENDS, Services, build_embedder_from, build_services
from qabot.settings import Settings, load_settings
from retrieval.dates import Period
from retrieval.encoders.embedding import Embedder
from retrieval.local.retriever import Retriever
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


def services_for(settings: Settings, data: Path, today: date, embedder: Embedder | None = None) -> Services:
    """The news corpus indexed into the evaluation cache (on settings.index_backend: Qdrant's
    embedded storage lives in the same cache folder), questions read on `today`; `embedder`
    (tests): another encoder than the configured one."""
    corpus = data / "corpus"
    embedder = embedder or build_embedder_from(settings)
    cached = settings.model_copy(update={"articles_dir": corpus, "index_dir": cache_dir(settings, corpus, embedder)})
    services = build_services(cached, embedder=embedder, clock=lambda: today)
    if not services.retriever.is_built():
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
    """Answers to the date questions: cited passages outside the period (read from the local
    index's dates: not counted on Qdrant), and "no article" said."""
    backend = services.retriever.backend
    generation = backend.generation if isinstance(backend, Retriever) else None
    outside: list[str] = []
    answered = 0
    period_questions = 0
    none_said: list[bool] = []
    false_claims: list[str] = []  # said of a period that has the article the question names

    async def ask_all() -> None:
        nonlocal answered, period_questions
        for q in progress_bar(questions, desc="answers", unit="q"):
            dates = services.search_query(q.question).dates
            answer = await services.answers.ask(q.question)
            period = dates.period if dates is not None else None
            if not q.articles:
                none_said.append(claims_no_article_in_period(answer))
                continue
            if claims_no_article_in_period(answer):
                false_claims.append(q.id)
            if period is None:
                continue
            period_questions += 1
            if not answer.answered:
                continue
            answered += 1
            if generation is None:
                continue
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
        "answers_citing_outside_the_period": len(outside) if generation is not None else None,
        "outside": outside,
        "no_article_questions": len(none_said),
        "no_article_said": sum(none_said),
        "false_no_article_claims": len(false_claims),
        "false_claims": false_claims,
    }


# --- the intent questions of issue 24 -------------------------------------------------------

GOALS = {
    "open_right_story_first": ">= 0.90", "open_only_in_period": "1.00", "timelines_ok": "1.00",
    "false_no_article_claims": "0", "fact_accuracy": ">= 0.85",
}


@dataclass(frozen=True, slots=True)
class IntentQuestion:
    """A row of intents.jsonl (evaluation/data/news/intents.py says what each field means)."""

    id: str
    question: str
    today: date
    intent: str  # fact | open | timeline
    articles: frozenset[str]  # any copy of any expected story
    period: Period | None
    answers: tuple[str, ...]
    expect: str  # story | none_in_period | nothing_about

    @classmethod
    def from_json(cls, row: Mapping[str, object]) -> IntentQuestion:
        period = row.get("period")
        articles, answers = row.get("articles") or [], row.get("answers") or []
        assert isinstance(articles, list) and isinstance(answers, list)
        return cls(
            str(row["id"]), str(row["question"]), date.fromisoformat(str(row["today"])), str(row["intent"]),
            frozenset(str(a) for a in articles),
            Period(date.fromisoformat(period["start"]), date.fromisoformat(period["end"]))
            if isinstance(period, dict) else None,
            tuple(str(a) for a in answers), str(row.get("expect", "story")),
        )


def load_intents(data: Path) -> list[IntentQuestion]:
    lines = (data / "intents.jsonl").read_text(encoding="utf-8").splitlines()
    return [IntentQuestion.from_json(json.loads(line)) for line in lines if line.strip()]


def stories_of(data: Path) -> dict[str, str]:
    """Each article's story (its syndicated copies share one), from groups.json."""
    groups: dict[str, list[str]] = json.loads((data / "groups.json").read_text(encoding="utf-8"))
    return {article: story for story, articles in groups.items() for article in articles}


def claims_no_article_in_period(answer: Answer) -> bool:
    """The reply says no article exists for the period asked. Read from its text, the only place
    the Answer says it (prompts/period_none.*.md, whatever the language of the question)."""
    if answer.answered:
        return False
    return any(answer.text.startswith(wording.load("period_none", language).split("{period}")[0])
               for language in wording.LANGUAGES)


def published_in(day: str | None, period: Period) -> bool:
    published = Period.from_publication(day)
    return published is not None and period.first <= published.first and published.last <= period.last


def timeline_checks(q: IntentQuestion, answer: Answer, story_of: Mapping[str, str]) -> dict[str, bool]:
    """What a timeline reply must be, read from its citations (in their order) and body lines."""
    cited = sorted(answer.citations, key=lambda c: c.n)
    stories = [story_of.get(c.passage.article_id, c.passage.article_id) for c in cited]
    days = [(c.passage.date or "")[:10] for c in cited]
    numbered = {c.n: story for c, story in zip(cited, stories, strict=True)}
    lines = [line for line in answer.text.splitlines() if metrics.citation_markers(line)]
    return {
        "answered": answer.answered and len(cited) >= 2,
        "in_date_order": all(a <= b for a, b in itertools.pairwise(days)) and all(days),
        "no_duplicate_copies": len(set(stories)) == len(stories),
        "one_line_per_story": len(lines) == len(set(stories))
        and all(len({numbered.get(n) for n in metrics.citation_markers(line)}) == 1 for line in lines),
        "on_subject": all(c.passage.article_id in q.articles for c in cited),
        "in_period": q.period is None or all(published_in(c.passage.date, q.period) for c in cited),
    }


def judge(q: IntentQuestion, answer: Answer, story_of: Mapping[str, str]) -> dict[str, object]:
    """One question's reply against what the set expects of it."""
    row: dict[str, object] = {
        "id": q.id, "intent": q.intent, "expect": q.expect, "answered": answer.answered,
        "claims_no_article": claims_no_article_in_period(answer),
        "cited": [c.passage.article_id for c in sorted(answer.citations, key=lambda c: c.n)],
    }
    if q.expect != "story":
        return row
    first = min(answer.citations, key=lambda c: c.n, default=None)
    if q.intent == "open":
        row["right_story_first"] = answer.answered and first is not None and first.passage.article_id in q.articles
        if q.period is not None and answer.answered:
            period = q.period
            row["only_in_period"] = all(published_in(c.passage.date, period) for c in answer.citations)
    elif q.intent == "timeline":
        checks = timeline_checks(q, answer, story_of)
        row.update(checks)
        row["timeline_ok"] = all(checks.values())
    else:
        # as qabot eval counts answer accuracy: a gold answer as whole words, text normalised
        row["right"] = answer.answered and metrics.answer_accuracy(answer.composed(), q.answers)
    return row


def fraction(flags: Sequence[bool]) -> float | None:
    """The share of true flags; None when there is none to count (not 0, not 1)."""
    return round(sum(flags) / len(flags), 4) if flags else None


def share(rows: Sequence[Mapping[str, object]], key: str) -> float | None:
    """The share of `rows` where `key` is true, among the rows that have it."""
    return fraction([bool(r[key]) for r in rows if key in r])


def intent_figures(rows: Sequence[Mapping[str, object]]) -> dict[str, object]:
    """The goal figures of issue 24 from the judged rows, with the ids behind each miss."""
    def of(intent: str, expect: str = "story") -> list[Mapping[str, object]]:
        return [r for r in rows if r["intent"] == intent and r["expect"] == expect]

    opens, timelines, facts = of("open"), of("timeline"), of("fact")
    due = [r for r in rows if r["expect"] == "none_in_period"]
    never = [r for r in rows if r["expect"] == "nothing_about"]
    false_claims = [r for r in rows if r["claims_no_article"] and r["expect"] != "none_in_period"]
    timeline_parts = ("answered", "in_date_order", "no_duplicate_copies", "one_line_per_story", "on_subject", "in_period")
    return {
        "questions": len(rows),
        "open_questions": len(opens),
        "open_right_story_first": share(opens, "right_story_first"),
        "open_answered_with_a_period": sum("only_in_period" in r for r in opens),
        "open_only_in_period": share(opens, "only_in_period"),
        "timelines": len(timelines),
        "timelines_ok": share(timelines, "timeline_ok"),
        "timeline_checks": {part: share(timelines, part) for part in timeline_parts},
        "false_no_article_claims": len(false_claims),
        "no_article_questions": len(due),
        "no_article_said": fraction([bool(r["claims_no_article"]) for r in due]),
        "never_covered_questions": len(never),
        "never_covered_plain_refusal": fraction([not r["answered"] and not r["claims_no_article"] for r in never]),
        "fact_questions": len(facts),
        "fact_accuracy": share(facts, "right"),
        "missed": {
            "open_right_story_first": [r["id"] for r in opens if not r.get("right_story_first")],
            "open_only_in_period": [r["id"] for r in opens if r.get("only_in_period") is False],
            "timelines": [r["id"] for r in timelines if not r.get("timeline_ok")],
            "false_no_article_claims": [r["id"] for r in false_claims],
            "no_article_not_said": [r["id"] for r in due if not r["claims_no_article"]],
            "never_covered_not_plain": [r["id"] for r in never if r["answered"] or r["claims_no_article"]],
            "facts": [r["id"] for r in facts if not r.get("right")],
        },
    }


class Asker(Protocol):
    """The front door's `ask` (qabot.frontdoor.FrontDoor), all the intent questions need."""

    async def ask(self, question: str) -> Answer: ...


async def ask_intents(
    door: Asker, questions: Sequence[IntentQuestion], story_of: Mapping[str, str]
) -> list[dict[str, object]]:
    """Each question asked through the front door, as a person would, and judged."""
    rows = []
    for q in progress_bar(questions, desc="intents", unit="q"):
        answer = await door.ask(q.question)
        rows.append(judge(q, answer, story_of) | {"question": q.question, "reply": answer.composed()})
    return rows


def intents_report(settings: Settings, data: Path, embedder: Embedder | None = None) -> dict[str, object]:
    """The intent questions on `settings.index_backend`, the clock on each question's day."""
    questions = load_intents(data)
    story_of = stories_of(data)
    rows: list[dict[str, object]] = []
    summary: dict[str, object] = {}
    index: dict[str, object] = {}
    for today in sorted({q.today for q in questions}):
        services = services_for(settings, data, today, embedder)
        try:
            rows += asyncio.run(ask_intents(services, [q for q in questions if q.today == today], story_of))
            summary, index = settings_summary(services.settings, services), services.retriever.stats().to_dict()
        finally:
            services.close_now()
    return {
        "set": "intents", "data": str(data), "backend": settings.index_backend,
        "today": sorted({q.today.isoformat() for q in questions}), "index": index, "settings": summary,
        "goals": GOALS, "figures": intent_figures(rows), "questions": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--set", choices=("dates", "intents"), default="dates", dest="question_set",
                        help="dates: questions.jsonl (retrieval, periods, duplicates); intents: intents.jsonl (issue 24)")
    parser.add_argument("--backend", choices=INDEX_BACKENDS, default=None, help="the index backend (default: INDEX_BACKEND)")
    parser.add_argument("--json", type=Path, default=None, help="write the report there")
    args = parser.parse_args(argv)
    settings = load_settings(**({"index_backend": args.backend} if args.backend else {}))
    if args.question_set == "intents":
        publish(intents_report(settings, args.data), args.json)
        return 0
    questions = load(args.data)
    today = questions[0].today
    services = services_for(settings, args.data, today)
    report = {
        "data": str(args.data),
        "backend": settings.index_backend,
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
