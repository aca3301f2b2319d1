"""When to decline: retrieval found nothing close enough to the question.

Two signals, both computed from what retrieval already returned:
- the best passage's dense (cosine) similarity to the question, against a bar that is lower
  for questions not in the articles' language (cross-language similarities run lower);
- the share of the question's key terms (the BM25 analysis: stemmed, accent-folded) that the
  passages contain. "Que dit Ban Ki-moon ?" finds all of them and may pass a lower bar;
  "Quel est le prix d'un ticket de métro à Tokyo ?" finds none of them in an article on Aleppo.

`declines` is a pure function of those numbers and the thresholds, so the evaluation set can
calibrate it (REFUSAL_MIN_DENSE, REFUSAL_MIN_DENSE_CROSSLINGUAL, REFUSAL_MIN_DENSE_SHARED_TERMS,
REFUSAL_MIN_TERM_COVERAGE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from answering.sentences import content_terms
from retrieval.models import Passage

ARTICLES_LANGUAGE = "fr"


def declines(
    best_dense: float | None,
    term_coverage: float,
    *,
    same_language: bool,
    min_dense: float,
    min_dense_crosslingual: float,
    min_dense_shared_terms: float | None,
    min_term_coverage: float,
) -> bool:
    """True when retrieval found nothing relevant enough to answer from.

    `best_dense`: the best passage's cosine similarity (None when no passage carries one, as
    with BM25-only retrieval: then the key terms alone decide). `term_coverage`: the share of
    the question's key terms found in the passages (0..1). A question covered at least
    `min_term_coverage` needs only `min_dense_shared_terms` (None: no such relief). A question
    in another language than the articles has every bar lowered by the same step
    (`min_dense - min_dense_crosslingual`).
    """
    covered = term_coverage >= min_term_coverage
    if best_dense is None:
        return not covered
    bar = min_dense
    if covered and min_dense_shared_terms is not None:
        bar = min(bar, min_dense_shared_terms)
    if not same_language:
        bar -= min_dense - min_dense_crosslingual
    return best_dense < bar - 1e-9


def best_dense(passages: Sequence[Passage]) -> float | None:
    scores = [p.dense_score for p in passages if p.dense_score is not None]
    return max(scores) if scores else None


def term_coverage(question: str, passages: Sequence[Passage]) -> float:
    """The share of the question's key terms found in at least one passage (0 without any)."""
    wanted = content_terms(question)
    if not wanted:
        return 0.0
    found: set[str] = set()
    for passage in passages:
        found |= wanted & content_terms(passage.text)
    return len(found) / len(wanted)


@dataclass(frozen=True, slots=True)
class RefusalPolicy:
    min_dense: float  # the best passage's similarity must reach this (question in French)...
    min_dense_crosslingual: float | None = None  # ...or this for a question in another language
    min_dense_shared_terms: float | None = None  # ...or only this when its key terms are found
    min_term_coverage: float = 0.75  # share of the key terms found that counts as "found"
    suggestion_margin: float = 0.03  # near misses within this of the bar are suggested
    max_suggestions: int = 3

    def bar(self, language: str) -> float:
        """The similarity asked of a question in `language` that shares too few key terms."""
        if language == ARTICLES_LANGUAGE or self.min_dense_crosslingual is None:
            return self.min_dense
        return self.min_dense_crosslingual

    def declines(self, passages: Sequence[Passage], language: str, question: str) -> bool:
        if not passages:
            return True
        return declines(
            best_dense(passages),
            term_coverage(question, passages),
            same_language=language == ARTICLES_LANGUAGE,
            min_dense=self.min_dense,
            min_dense_crosslingual=self.bar(language),
            min_dense_shared_terms=self.min_dense_shared_terms,
            min_term_coverage=self.min_term_coverage,
        )

    def suggestions(self, passages: Sequence[Passage], language: str, question: str) -> list[str]:
        """Titles of the articles that came close: within the margin of the bar and sharing a
        key term with the question; best first, each once."""
        wanted = content_terms(question)
        floor = self.bar(language) - self.suggestion_margin
        titles: list[str] = []
        for passage in passages:
            score = passage.dense_score
            if score is None or score < floor or passage.title in titles:
                continue
            if wanted & content_terms(passage.text):
                titles.append(passage.title)
        return titles[: self.max_suggestions]
