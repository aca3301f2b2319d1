"""When to decline: retrieval found nothing close enough to the question.

Unanswerable questions are mostly about things the articles never cover, so the signal is
"nothing retrieved is about this", read from what retrieval already returned:
- `best_dense`: the best passage's cosine similarity to the question (close in meaning);
- `idf_match`: the share of the question's summed term IDF that the best passage holds (how much
  of the question's rare vocabulary, the names and terms an article on the subject would
  contain, it matches; see retrieval.search.idf_match).

A question is declined when `best_dense + weight × idf_match` is under a bar; questions not in
the articles' language get a lower bar (cross-language similarities run lower). With BM25 alone
(no dense score), the share of the question's key terms found in the passages decides.

`declines` is a pure function of those numbers, so the evaluation set calibrates it
(`python -m evaluation.tuning`; REFUSAL_MIN_SCORE, REFUSAL_MIN_SCORE_CROSSLINGUAL,
REFUSAL_IDF_MATCH_WEIGHT, REFUSAL_MIN_TERM_COVERAGE).
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from answering.query import Query
from retrieval.models import Passage

ARTICLES_LANGUAGE = "fr"


def evidence(best_dense: float, idf_match: float | None, idf_match_weight: float) -> float:
    """The score the bar is set on: meaning first, the rare-vocabulary match as a nudge."""
    return best_dense + idf_match_weight * (idf_match or 0.0)


def declines(
    best_dense: float | None,
    idf_match: float | None,
    term_coverage: float,
    *,
    bar: float,
    idf_match_weight: float,
    min_term_coverage: float,
) -> bool:
    """True when retrieval found nothing relevant enough to answer from.

    `best_dense` is None when no passage carries a dense score (BM25-only retrieval): then the
    share of the question's key terms found (`term_coverage`, 0..1) decides alone.
    """
    if best_dense is None:
        return term_coverage < min_term_coverage
    return evidence(best_dense, idf_match, idf_match_weight) < bar - 1e-9


def best_dense(passages: Sequence[Passage]) -> float | None:
    scores = [p.dense_score for p in passages if p.dense_score is not None]
    return max(scores) if scores else None


def term_coverage(wanted: AbstractSet[str], passages_terms: Sequence[AbstractSet[str]]) -> float:
    """The share of the question's key terms (`wanted`) found in at least one passage's terms
    (0 without any)."""
    if not wanted:
        return 0.0
    found: set[str] = set()
    for held in passages_terms:
        found |= wanted & held
    return len(found) / len(wanted)


@dataclass(frozen=True, slots=True)
class RefusalPolicy:
    min_score: float  # best_dense + weight × idf_match must reach this (question in French)...
    min_score_crosslingual: float | None = None  # ...or this for a question in another language
    idf_match_weight: float = 0.0
    min_term_coverage: float = 0.75  # BM25-only retrieval: share of the key terms to find
    suggestion_margin: float = 0.03  # near misses within this of the bar are suggested
    max_suggestions: int = 3

    @property
    def related_floor(self) -> float:
        """How close in meaning a question must come to a passage it shares no words with to be
        about it: the cross-language bar, set on exactly that case."""
        return self.min_score if self.min_score_crosslingual is None else self.min_score_crosslingual

    def bar(self, language: str) -> float:
        if language == ARTICLES_LANGUAGE or self.min_score_crosslingual is None:
            return self.min_score
        return self.min_score_crosslingual

    def declines(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> bool:
        """Whether nothing retrieved for `query` (its standalone form) is about it."""
        if not passages:
            return True
        return declines(
            best_dense(passages),
            idf_match,
            term_coverage(frozenset(query.search.terms), [p.terms for p in passages]),
            bar=self.bar(query.language),
            idf_match_weight=self.idf_match_weight,
            min_term_coverage=self.min_term_coverage,
        )

    def suggestions(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> list[str]:
        """Titles of the articles that came close: within the margin of the bar and sharing a
        key term with the question; best first, each once."""
        wanted = frozenset(query.search.terms)
        floor = self.bar(query.language) - self.suggestion_margin
        titles: list[str] = []
        for passage in passages:
            score = passage.dense_score
            if score is None or passage.title in titles:
                continue
            if evidence(score, idf_match, self.idf_match_weight) < floor:
                continue
            if wanted & passage.terms:
                titles.append(passage.title)
        return titles[: self.max_suggestions]
