"""When to decline: retrieval found nothing close enough to the question.

Two signals, both cheap and computed from what retrieval already returned:
- the best passage's dense (cosine) similarity to the question;
- how many of the question's key terms (the BM25 analysis: stemmed, accent-folded) the
  passages share. Off-topic questions share none ("prix", "ticket", "métro", "Tokyo" against an
  article on Aleppo), and then a higher similarity is asked for.

`declines` is a pure function of those numbers and the thresholds, so the evaluation set can
calibrate it (REFUSAL_MIN_DENSE, REFUSAL_MIN_DENSE_NO_SHARED_TERMS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from answering.sentences import content_terms
from retrieval.models import Passage


def declines(
    best_dense: float | None,
    shared_terms: int,
    *,
    min_dense: float,
    min_dense_no_shared_terms: float,
) -> bool:
    """True when retrieval found nothing relevant enough to answer from.

    `best_dense` is None when no passage carries a similarity (BM25-only retrieval): then only
    shared key terms can vouch for the passages.
    """
    if best_dense is None:
        return shared_terms == 0
    if best_dense < min_dense:
        return True
    return shared_terms == 0 and best_dense < min_dense_no_shared_terms


def best_dense(passages: Sequence[Passage]) -> float | None:
    scores = [p.dense_score for p in passages if p.dense_score is not None]
    return max(scores) if scores else None


def shared_terms(question: str, passages: Sequence[Passage]) -> int:
    """How many of the question's key terms occur in at least one passage."""
    wanted = content_terms(question)
    if not wanted:
        return 0
    seen: set[str] = set()
    for passage in passages:
        seen |= wanted & content_terms(passage.text)
    return len(seen)


@dataclass(frozen=True, slots=True)
class RefusalPolicy:
    min_dense: float  # the best passage's cosine similarity must reach this
    # ...and this when the passages share none of the question's key terms.
    min_dense_no_shared_terms: float = 0.84
    # A declined question suggests the articles whose passages came at least this close.
    suggest_min_dense: float = 0.8
    max_suggestions: int = 3

    def declines(self, question: str, passages: Sequence[Passage]) -> bool:
        if not passages:
            return True
        return declines(
            best_dense(passages),
            shared_terms(question, passages),
            min_dense=self.min_dense,
            min_dense_no_shared_terms=self.min_dense_no_shared_terms,
        )

    def suggestions(self, question: str, passages: Sequence[Passage]) -> list[str]:
        """Titles of the articles that came close, best first: similar enough and sharing a key
        term with the question (or similar enough to answer without one)."""
        wanted = content_terms(question)
        titles: list[str] = []
        for passage in passages:
            score = passage.dense_score
            if score is None or score < self.suggest_min_dense or passage.title in titles:
                continue
            if score >= self.min_dense_no_shared_terms or wanted & content_terms(passage.text):
                titles.append(passage.title)
        return titles[: self.max_suggestions]
