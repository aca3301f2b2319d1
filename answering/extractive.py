"""The offline answerer: quote the retrieved sentences that best answer the question.

A sentence scores by the question's key terms it shares (stems weighted by how rare they are
among the retrieved sentences, with a bonus for numbers, dates and names the question asks
about), by its passage's rank, and, for the few best lexical candidates, by its embedding
similarity to the question. The best sentences are quoted verbatim, each followed by `[n]`.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from answering.protocol import Answer, PartialCallback, Turn
from answering.sentences import (
    MarkedSentence,
    content_terms,
    numbers_in,
    render_marked,
    split_sentences,
)
from retrieval.embedding import Embedder
from retrieval.models import Passage

_ASKS_NUMBER = re.compile(r"\b(combien|how (many|much)|quel(le)? (nombre|montant|pourcentage|âge|age)|nombre de)\b", re.I)
_ASKS_DATE = re.compile(r"\b(quand|en quelle ann[ée]e|quelle (date|ann[ée]e|époque)|when|what year|depuis quand)\b", re.I)
_YEAR_OR_NUMBER = re.compile(r"\d")
_MIN_SENTENCE_CHARS = 25
_SEMANTIC_CANDIDATES = 8


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    passage_number: int  # 1-based, in the order the passages were given
    text: str
    lexical: float
    semantic: float
    score: float


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embedder | None, max_sentences: int = 3, semantic_weight: float = 1.0) -> None:
        self._embedder = embedder
        self._max_sentences = max_sentences
        self._semantic_weight = semantic_weight

    async def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        language: str,
        on_partial: PartialCallback | None = None,
    ) -> Answer:
        started = time.perf_counter()
        chosen = await asyncio.to_thread(self.select, question, passages)
        body = render_marked([MarkedSentence(s.text, (s.passage_number,)) for s in chosen])
        return Answer(
            question=question, text=body, citations=[], answered=bool(chosen), language=language,
            answerer="extractive", timings_ms={"generate": (time.perf_counter() - started) * 1000},
        )

    def select(self, question: str, passages: Sequence[Passage]) -> list[ScoredSentence]:
        """The best sentences, best first (blocking: embeds a few candidates)."""
        candidates = [
            (number, span.text)
            for number, passage in enumerate(passages, start=1)
            for span in split_sentences(passage.text)
            if len(span.text) >= _MIN_SENTENCE_CHARS
        ]
        if not candidates:
            return []
        lexical = _lexical_scores(question, [text for _, text in candidates])
        prior = [0.15 / number for number, _ in candidates]
        order = sorted(range(len(candidates)), key=lambda i: -(lexical[i] + prior[i]))
        semantic = [0.0] * len(candidates)
        shortlist = order[:_SEMANTIC_CANDIDATES]
        if self._embedder is not None and shortlist:
            query = self._embedder.embed_query(question)
            vectors = self._embedder.embed_passages([candidates[i][1] for i in shortlist])
            for i, similarity in zip(shortlist, np.asarray(vectors) @ query, strict=True):
                semantic[i] = float(similarity)
        scored = [
            ScoredSentence(
                candidates[i][0], candidates[i][1], lexical[i], semantic[i],
                lexical[i] + prior[i] + self._semantic_weight * semantic[i],
            )
            for i in shortlist
        ]
        scored.sort(key=lambda s: -s.score)
        if not scored or scored[0].lexical <= 0:
            return []
        best = scored[0].score
        # Keep further sentences only when they are nearly as good: short beats padded.
        chosen = [s for s in scored[: self._max_sentences] if s.score >= best - 0.25 * abs(best)]
        return _dedupe(chosen)


def _lexical_scores(question: str, sentences: list[str]) -> list[float]:
    """Share of the question's key terms in each sentence, rarer terms weighing more."""
    wanted = content_terms(question)
    if not wanted:
        return [0.0] * len(sentences)
    terms = [content_terms(s) for s in sentences]
    df = {t: sum(t in s for s in terms) for t in wanted}
    n = len(sentences)
    weight = {t: math.log(1 + n / (1 + df[t])) for t in wanted}
    total = sum(weight.values()) or 1.0
    asks_number = bool(_ASKS_NUMBER.search(question))
    asks_date = bool(_ASKS_DATE.search(question))
    question_numbers = numbers_in(question)
    scores = []
    for sentence, sentence_terms in zip(sentences, terms, strict=True):
        score = sum(weight[t] for t in wanted & sentence_terms) / total
        has_digits = bool(_YEAR_OR_NUMBER.search(sentence))
        if (asks_number or asks_date) and has_digits:
            score += 0.2
        if question_numbers and question_numbers & numbers_in(sentence):
            score += 0.2
        scores.append(score)
    return scores


def _dedupe(chosen: list[ScoredSentence]) -> list[ScoredSentence]:
    """Overlapping chunks repeat sentences: keep each sentence once."""
    seen: set[str] = set()
    unique = []
    for sentence in chosen:
        if sentence.text not in seen:
            seen.add(sentence.text)
            unique.append(sentence)
    return unique
