"""Calibrates the dense margins of "about the subject" (answering.stories.Margins) on the news
set's timelines, whose rows name every story about their subject (in their period, if any).

    python -m evaluation.tune_subject [--backend local|qdrant] [--json docs/eval/news-subject-margins.json]

Each timeline question is searched once as the answer service searches it (NEWS_CANDIDATES
passages, its period); for each pair of margins on the grid, the stories kept
(answering.timeline.timeline_stories: the dated stories about the subject, those published in
the period when some are) are compared with the expected ones: a story kept that is not
expected is wrong, an expected story retrieval found but not kept is missed. The questions are split in two halves (odd and even rows): the
margins with the fewest errors on one half are scored on the other, both ways, so the figures
reported for a choice are out of sample; the report also gives the best on the whole set.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from answering.query import Query, detect_language, plain_query
from answering.service import NEWS_CANDIDATES
from answering.stories import Margins
from answering.timeline import timeline_stories
from evaluation.news import DATA, IntentQuestion, load_intents, services_for, stories_of
from evaluation.runner import publish
from qabot.services import INDEX_BACKENDS
from qabot.settings import Settings, load_settings
from retrieval.encoders.embedding import Embedder
from retrieval.models import SearchResult

SAME_LANGUAGE: tuple[float | None, ...] = (0.02, 0.03, 0.04, 0.05, 0.06, 0.08, None)  # None: words alone
CROSS_LANGUAGE: tuple[float | None, ...] = (0.0, 0.03, 0.05, 0.07, 0.09, 0.11, 0.13, None)  # None: names alone


@dataclass(frozen=True, slots=True)
class Searched:
    question: IntentQuestion
    query: Query
    result: SearchResult


def errors(
    rows: Sequence[Searched], margins: Margins, story_of: Mapping[str, str], embedder: Embedder | None = None
) -> tuple[int, int]:
    """(stories kept wrongly, expected stories retrieved but not kept) over `rows`; `embedder`:
    the index's, which reads a headline and lede's meaning (answering.stories)."""
    wrong = missed = 0
    for row in rows:
        q, result = row.question, row.result
        # The stories the answer service's timeline would show (answering.timeline, dated ones).
        period = result.dates.period_found if result.dates is not None else None
        kept = timeline_stories(row.query, result.passages, period, result.term_weights, margins, embedder)
        kept_stories = {story_of.get(s.first.article_id, s.first.article_id) for s in kept}
        expected = {story_of.get(a, a) for a in q.articles}
        found = {story_of.get(p.article_id, p.article_id) for p in result.passages} & expected
        wrong += len(kept_stories - expected)
        missed += len(found - kept_stories)
    return wrong, missed


def _wide(margin: float | None) -> float:
    return 1.0 if margin is None else margin


def search_timelines(settings: Settings, questions: Sequence[IntentQuestion]) -> tuple[list[Searched], Embedder | None]:
    """Each question searched as the answer service searches it, on the index built for its
    day (its vector on the Query, as the service sets it); and the index's embedder."""
    searched: list[Searched] = []
    embedder = None
    for today in sorted({q.today for q in questions}):
        services = services_for(settings, DATA, today, embedder)
        embedder = services.embedder
        try:
            for q in (q for q in questions if q.today == today):
                query = plain_query(q.question, detect_language(q.question), services.search_query)
                result = services.retriever.search(query.search, NEWS_CANDIDATES)
                searched.append(Searched(q, query.with_vector(result.query_vector), result))
        finally:
            services.close_now()
    return searched, embedder


def best(
    rows: Sequence[Searched], grid: Sequence[Margins], story_of: Mapping[str, str], embedder: Embedder | None = None
) -> Margins:
    """The margins with the fewest errors on `rows`; on a tie, the fewest wrong stories (a wrong
    line misleads, a missing one is only less complete), then the narrower margins."""

    def cost(margins: Margins) -> tuple[int, int, float, float]:
        wrong, missed = errors(rows, margins, story_of, embedder)
        return wrong + missed, wrong, _wide(margins.same_language), _wide(margins.cross_language)

    return min(grid, key=cost)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=INDEX_BACKENDS, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = load_settings(**({"index_backend": args.backend} if args.backend else {}))
    questions = [q for q in load_intents(DATA) if q.intent == "timeline" and q.expect == "story"]
    story_of = stories_of(DATA)
    searched, embedder = search_timelines(settings, questions)
    grid = [Margins(a, b) for a, b in itertools.product(SAME_LANGUAGE, CROSS_LANGUAGE)]
    halves = (searched[0::2], searched[1::2])
    held_out = []
    for chosen_on, scored_on in ((0, 1), (1, 0)):
        chosen = best(halves[chosen_on], grid, story_of, embedder)
        wrong, missed = errors(halves[scored_on], chosen, story_of, embedder)
        held_out.append({"chosen_on_half": chosen_on, "margins": [chosen.same_language, chosen.cross_language],
                         "held_out_wrong": wrong, "held_out_missed": missed, "held_out_questions": len(halves[scored_on])})
    overall = best(searched, grid, story_of, embedder)
    report = {
        "questions": len(searched), "backend": settings.index_backend,
        "chosen": [overall.same_language, overall.cross_language],
        "held_out": held_out,
        "grid": [{"margins": [m.same_language, m.cross_language],
                  "wrong_missed": list(errors(searched, m, story_of, embedder))}
                 for m in grid],
    }
    publish(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
