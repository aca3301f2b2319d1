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

from answering.followups import answered
from answering.judge import Judged
from answering.protocol import Answer, AnswererName, PartialCallback, Turn
from answering.query import Query
from answering.sentences import (
    MarkedSentence,
    content_terms,
    numbers_in,
    render_marked,
)
from answering.sentences import candidates as sentence_candidates
from retrieval.embedding import Embedder
from retrieval.models import Passage

_ASKS_NUMBER = re.compile(r"\b(combien|how (many|much)|quel(le)? (nombre|montant|pourcentage|âge|age)|nombre de)\b", re.I)
_ASKS_DATE = re.compile(r"\b(quand|en quelle ann[ée]e|quelle (date|ann[ée]e|époque)|when|what year|depuis quand)\b", re.I)
_YEAR_OR_NUMBER = re.compile(r"\d")
# Sentences embedded per question (one batched call): ~0.1 s each on a busy 2-core machine.
SEMANTIC_CANDIDATES = 6
CARRIED_TERM_WEIGHT = 0.5
FOCUS_PENALTY = 1.0
# multilingual-e5: a sentence answering the question scores ~0.85 and more; unrelated ~0.7-0.8.
MIN_SEMANTIC_WITHOUT_TERMS = 0.84


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    passage_number: int  # 1-based, in the order the passages were given
    text: str
    lexical: float
    semantic: float
    score: float


def from_judged(query: Query, chosen: Sequence[Judged]) -> Answer:
    """The answer quoting the sentences the judge chose, leading with its short answer."""
    body = render_marked([MarkedSentence(s.text, (s.passage_number,)) for s in chosen])
    return Answer(
        question=query.text, text=body, citations=[], answered=bool(chosen), language=query.language,
        answerer="extractive", short_answer=chosen[0].short_answer if chosen else None,
    )


class ExtractiveAnswerer:
    name: AnswererName = "extractive"

    def __init__(
        self,
        embedder: Embedder | None,
        max_sentences: int = 3,
        semantic_weight: float = 1.0,
        semantic_candidates: int = SEMANTIC_CANDIDATES,
    ) -> None:
        self._embedder = embedder
        self._max_sentences = max_sentences
        self._semantic_weight = semantic_weight
        self._semantic_candidates = semantic_candidates

    async def answer(
        self,
        query: Query,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        on_partial: PartialCallback | None = None,
    ) -> Answer:
        started = time.perf_counter()
        # A follow-up asks for something the last answer did not say: what it quoted comes last.
        said = answered(history)[-1].answer if query.followup and answered(history) else ""
        chosen = await asyncio.to_thread(self.select, query, passages, said)
        body = render_marked([MarkedSentence(s.text, (s.passage_number,)) for s in chosen])
        return Answer(
            question=query.text, text=body, citations=[], answered=bool(chosen), language=query.language,
            answerer="extractive", timings_ms={"generate": (time.perf_counter() - started) * 1000},
        )

    def select(self, query: Query, passages: Sequence[Passage], said: str = "") -> list[ScoredSentence]:
        """The best sentences, best first (blocking: embeds a few candidates). A follow-up
        ("Et à Alep-Ouest ?") borrows the earlier question's key terms at a lower weight than
        its own words, a chosen sentence should hold what it adds ("ouest", its focus) when
        some candidate does, and of the sentences chosen, those the last answer already quoted
        (`said`) come last."""
        candidates = [(c.passage_number, c.text) for c in sentence_candidates(passages)]
        if not candidates:
            return []
        terms = [content_terms(text) for _, text in candidates]
        lexical = _lexical_scores(query, [text for _, text in candidates], terms)
        focused = [bool(query.focus & held) for held in terms]
        if any(focused):
            lexical = [score if hit else score - FOCUS_PENALTY for score, hit in zip(lexical, focused, strict=True)]
        prior = [0.15 / number for number, _ in candidates]
        order = sorted(range(len(candidates)), key=lambda i: -(lexical[i] + prior[i]))
        semantic = [0.0] * len(candidates)
        shortlist = order[: max(self._semantic_candidates, self._max_sentences)]
        if self._embedder is not None and shortlist:
            # Retrieval encoded the question already (its standalone form, for a follow-up).
            vector = query.vector if query.vector is not None else self._embedder.embed_query(query.standalone)
            vectors = self._embedder.embed_passages([candidates[i][1] for i in shortlist])
            for i, similarity in zip(shortlist, np.asarray(vectors) @ vector, strict=True):
                semantic[i] = float(similarity)
        scored = [
            ScoredSentence(
                candidates[i][0], candidates[i][1], lexical[i], semantic[i],
                lexical[i] + prior[i] + self._semantic_weight * semantic[i],
            )
            for i in shortlist
        ]
        scored.sort(key=lambda s: -s.score)
        # Something must tie the best sentence to the question: a shared key term, or (an
        # English question over French articles shares none) a close meaning.
        if not scored or (scored[0].lexical <= 0 and scored[0].semantic < MIN_SEMANTIC_WITHOUT_TERMS):
            return []
        best = scored[0].score
        # Keep further sentences only when they are nearly as good: short beats padded.
        chosen = [s for s in scored[: self._max_sentences] if s.score >= best - 0.25 * abs(best)]
        # What the last answer said already comes after what it did not, unless only it holds
        # the figure or date asked for ("Et en quelle année ?": "Fondé en 1956, ...").
        if not said:
            return chosen
        asks_figure = bool(_ASKS_NUMBER.search(query.text) or _ASKS_DATE.search(query.text))
        return sorted(chosen, key=lambda s: (asks_figure and not _YEAR_OR_NUMBER.search(s.text), s.text in said))


def _lexical_scores(query: Query, sentences: list[str], terms: list[set[str]]) -> list[float]:
    """Share of the question's key terms in each sentence (`terms`: theirs), rarer terms
    weighing more (terms carried over from the conversation count half)."""
    own = query.terms
    wanted = own | query.carried_terms
    if not wanted:
        return [0.0] * len(sentences)
    df = {t: sum(t in s for s in terms) for t in wanted}
    n = len(sentences)
    weight = {t: math.log(1 + n / (1 + df[t])) * (1.0 if t in own else CARRIED_TERM_WEIGHT) for t in wanted}
    total = sum(weight.values()) or 1.0
    asks_number = bool(_ASKS_NUMBER.search(query.text))
    asks_date = bool(_ASKS_DATE.search(query.text))
    question_numbers = numbers_in(query.text)
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
