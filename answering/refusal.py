"""When to decline: retrieval found nothing close enough to the question.

The rule and its parameters are calibrated on the evaluation set (docs/EVALUATION.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.models import Passage


@dataclass(frozen=True, slots=True)
class RefusalPolicy:
    min_dense: float  # the best passage's cosine similarity must reach this
    suggestion_margin: float = 0.03  # near misses within this of the bar are suggested
    max_suggestions: int = 3

    def best_dense(self, passages: Sequence[Passage]) -> float:
        scores = [p.dense_score for p in passages if p.dense_score is not None]
        return max(scores, default=float("-inf"))

    def declines(self, passages: Sequence[Passage]) -> bool:
        if not passages:
            return True
        best = self.best_dense(passages)
        # BM25-only retrieval carries no similarity: nothing to judge by, so answer.
        if best == float("-inf"):
            return False
        return best < self.min_dense

    def suggestions(self, passages: Sequence[Passage]) -> list[str]:
        """Titles of the articles that came close, best first, each once."""
        titles: list[str] = []
        for passage in passages:
            score = passage.dense_score
            if score is not None and score >= self.min_dense - self.suggestion_margin and passage.title not in titles:
                titles.append(passage.title)
        return titles[: self.max_suggestions]
