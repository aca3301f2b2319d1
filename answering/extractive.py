"""The offline answerer: quote the retrieved sentences that best answer the question.

A sentence scores by the question's key terms it shares (stems weighted by how rare they are
among the retrieved sentences, with a bonus for numbers, dates and names the question asks
about), by its passage's rank, and, for the few best lexical candidates, by its embedding
similarity to the question. The best sentences are quoted verbatim, each followed by `[n]`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from answering.followups import answered
from answering.protocol import Answer, AnswererName, PartialCallback, SentenceScore, Turn
from answering.query import Query
from answering.sentence_features import (
    PASSAGE_PRIOR,
    first_look,
    held_back_without_added_terms,
    lexical_scores,
)
from answering.sentences import MarkedSentence, without_markers
from answering.sentences import candidates as sentence_candidates
from retrieval.encoders.embedding import Embedder
from retrieval.models import Passage

_YEAR_OR_NUMBER = re.compile(r"\d")
# A quoted sentence that ends as a sentence ends ("fin.", "etc.)", "« Partons ! »", "…»") keeps
# its end; any other (a heading) gets a full stop, the one render_marked writes after its markers.
_ENDED = re.compile(r"(?:[.!?…][ \u00a0\u202f]*[»”\"')\]]*|[»”\"])$")
# Sentences embedded per question (one batched call): ~0.1 s each on a busy 2-core machine.
SEMANTIC_CANDIDATES = 6
# multilingual-e5: a sentence answering the question scores ~0.85 and more; unrelated ~0.7-0.8.
MIN_SEMANTIC_WITHOUT_TERMS = 0.84


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    passage_number: int  # 1-based, in the order the passages were given
    text: str
    lexical: float
    semantic: float
    score: float
    shares_terms: bool = True  # holds a key term of the question (or one carried over)
    terms: frozenset[str] | None = None  # its content terms, as the candidates read them


def quoted(chosen: Sequence[SentenceScore | ScoredSentence]) -> tuple[MarkedSentence, ...]:
    """The chosen sentences as the answer quotes them, each citing its passage and ending as a
    sentence ends (a heading gets a full stop): the citation check verifies these as they are,
    then writes the body from them, once (answering.citations.apply)."""
    return tuple(_quoted(s.text, s.passage_number, s.terms) for s in chosen)


def _quoted(text: str, passage_number: int, terms: frozenset[str] | None) -> MarkedSentence:
    """One sentence as quoted. Its terms travel with it when the quote holds the same words as
    the sentence read (a full stop added is no word; a footnote marker taken out may be one)."""
    shown = without_markers(text)
    kept = terms if shown == text else None
    return MarkedSentence(shown if _ENDED.search(shown) else f"{shown}.", (passage_number,), kept)


def from_scored(query: Query, chosen: Sequence[SentenceScore]) -> Answer:
    """The answer quoting the sentences the sentence scorer chose, leading with its short answer
    (its sentences on `marked`, its body left for the citation check to write)."""
    return Answer(
        question=query.text, text="", citations=[], answered=bool(chosen), language=query.language,
        answerer="extractive", short_answer=chosen[0].short_answer if chosen else None, marked=quoted(chosen),
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
        return Answer(
            question=query.text, text="", citations=[], answered=bool(chosen), language=query.language,
            answerer="extractive", marked=quoted(chosen), timings_ms={"generate": (time.perf_counter() - started) * 1000},
        )

    def select(self, query: Query, passages: Sequence[Passage], said: str = "") -> list[ScoredSentence]:
        """The best sentences, best first (blocking: embeds a few candidates). A follow-up
        ("Et à Alep-Ouest ?") borrows the earlier question's key terms at a lower weight than
        its own words, a chosen sentence should hold what it adds ("ouest", its focus) when
        some candidate does, and of the sentences chosen, those the last answer already quoted
        (`said`) come last."""
        found = sentence_candidates(passages)
        candidates = [(c.passage_number, c.text) for c in found]
        if not candidates:
            return []
        texts = [text for _, text in candidates]
        terms = [c.terms for c in found]
        lexical = lexical_scores(query, texts, terms) if query.terms | query.carried_terms else [0.0] * len(texts)
        lexical = held_back_without_added_terms(query, lexical, terms)
        prior = [PASSAGE_PRIOR / number for number, _ in candidates]
        order = first_look(lexical, [number for number, _ in candidates])
        semantic = [0.0] * len(candidates)
        shortlist = order[: max(self._semantic_candidates, self._max_sentences)]
        if self._embedder is not None and shortlist:
            # Retrieval encoded the question already (its standalone form, for a follow-up).
            vector = query.vector if query.vector is not None else self._embedder.embed_query(query.standalone)
            vectors = self._embedder.embed_passages([candidates[i][1] for i in shortlist])
            for i, similarity in zip(shortlist, np.asarray(vectors) @ vector, strict=True):
                semantic[i] = float(similarity)
        wanted = query.terms | query.carried_terms
        scored = [
            ScoredSentence(
                candidates[i][0], candidates[i][1], lexical[i], semantic[i],
                lexical[i] + prior[i] + self._semantic_weight * semantic[i], bool(wanted & terms[i]), terms[i],
            )
            for i in shortlist
        ]
        scored.sort(key=lambda s: -s.score)
        # Something must tie the best sentence to the question: a shared key term, or (an
        # English question over French articles shares none) a close meaning. A figure alone
        # ("What is the population of Aleppo?" and "130 000 civils ont fui") is no tie.
        best_sentence = scored[0] if scored else None
        if best_sentence is None or (
            (best_sentence.lexical <= 0 or not best_sentence.shares_terms)
            and best_sentence.semantic < MIN_SEMANTIC_WITHOUT_TERMS
        ):
            return []
        best = scored[0].score
        # Keep further sentences only when they are nearly as good: short beats padded.
        chosen = [s for s in scored[: self._max_sentences] if s.score >= best - 0.25 * abs(best)]
        # What the last answer said already comes after what it did not, unless only it holds
        # the figure or date asked for ("Et en quelle année ?": "Fondé en 1956, ...").
        if not said:
            return chosen
        return sorted(chosen, key=lambda s: (query.asks_figure and not _YEAR_OR_NUMBER.search(s.text), s.text in said))

