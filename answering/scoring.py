"""The sentence scorer seam: which sentences of the retrieved passages answer the question.

The extractive answer, the decision to decline and the fact the reply leads with (the LLM's lead
too) all come from one `SentenceScorer`: given the `Query` and the retrieved passages, it scores
their sentences (the probability that each answers, and the short answer it holds, if any), then
chooses the ones to quote, or none. The logistic judge (answering.judge) is one implementation;
a learned reader can take its place behind a setting (qabot.services builds the one in use).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from answering.query import Query
from answering.sentence_features import Fact
from retrieval.models import Passage


@dataclass(frozen=True, slots=True)
class SentenceScore:
    passage_number: int  # 1-based, in the order the passages were given
    text: str
    probability: float  # that the sentence answers the question
    features: dict[str, float]  # what the scorer read of it (the logistic judge's inputs)
    facts: tuple[Fact, ...] = ()  # of the expected kind, not named by the question
    short_answer: str | None = None  # the words that answer, to lead the reply with


class SentenceScorer(Protocol):
    """Scores and chooses the sentences that answer a question (blocking: run off the loop)."""

    # False: fitted on French questions only, so across languages the retrieval bars decide
    # whether to answer and the scorer only ranks.
    every_language: bool

    def score(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> list[SentenceScore]:
        """The sentences worth a close look, the one to lead with first. `idf_match`: the
        share of the question's rare vocabulary the best passage holds (retrieval's)."""
        ...

    def choose(
        self, scored: Sequence[SentenceScore], max_sentences: int, bar: float | None = None
    ) -> list[SentenceScore]:
        """The sentences to quote, from `score`'s answer: none when no sentence answers surely
        enough (the question is declined); `bar`, when given, replaces the scorer's own."""
        ...
