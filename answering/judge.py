"""The logistic sentence judge: one implementation of the sentence scorer (answering.scoring).

Every sentence of the retrieved passages is a candidate. A cheap first look
(answering.sentence_features) shortlists a few; for those, spaCy finds the people, places,
organisations and values they hold, and the embedder their closeness in meaning to the question.
A logistic model (answering.judge_model), fitted on the evaluation set, turns these features into
the probability that the sentence holds the answer. The answerer declines when no sentence
reaches the model's bar, and leads with the short answer (the fact of the expected kind) of the
best sentence (answering.lead).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Protocol, TypeVar

import numpy as np

from answering.facts import Analyzer, SentenceAnalyzer, SentenceFacts, holds, value_facts
from answering.judge_model import JudgeModel
from answering.lead import LeadModel, lead_with_the_fact, read_lead, shipped_lead_model
from answering.measures import asked_measure, misses_measure
from answering.query import Query
from answering.scoring import SentenceScore
from answering.sentence_features import sentence_features, shortlist
from answering.sentences import candidates
from retrieval.dates import DateFinder
from retrieval.models import Passage

_T = TypeVar("_T")
SHORTLIST = 8


class Encoder(Protocol):
    """What the judge needs of an embedder (retrieval.encoders.embedding.Embedder has it)."""

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class Remembered:
    """The judge's work on each sentence (spaCy's analysis, its embedding) kept for the last
    `size` distinct sentences: the passages of the day's stories come back question after
    question, and this work is most of an answer's CPU (benchmarks/reports/load.json). Safe to
    share between the threads that answer at once."""

    def __init__(self, analyzer: Analyzer, embedder: Encoder, size: int = 20_000) -> None:
        self._analyzer = analyzer
        self._embedder = embedder
        self._size = size
        self._facts: OrderedDict[str, SentenceFacts] = OrderedDict()
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def analyse(self, sentences: Sequence[str]) -> list[SentenceFacts]:
        return self._remembered(self._facts, list(sentences), self._analyzer.analyse)

    def lemmas(self, text: str) -> frozenset[str]:
        return self._analyzer.lemmas(text)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embedder.embed_query(text)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        def embed(missing: list[str]) -> list[np.ndarray]:
            return list(self._embedder.embed_passages(missing))

        vectors: list[np.ndarray] = self._remembered(self._vectors, texts, embed)
        return np.stack(vectors)

    def _remembered(self, memo: OrderedDict[str, _T], texts: list[str], compute: Callable[[list[str]], Sequence[_T]]) -> list[_T]:
        with self._lock:
            known = {t: memo[t] for t in dict.fromkeys(texts) if t in memo}
            for text in known:
                memo.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            # Computed outside the lock: two threads may both compute a sentence, none waits.
            computed = dict(zip(missing, compute(missing), strict=True))
            with self._lock:
                memo.update(computed)
                while len(memo) > self._size:
                    memo.popitem(last=False)
            known.update(computed)
        return [known[t] for t in texts]


@lru_cache(maxsize=1)
def shared_date_finder() -> DateFinder:
    """One date finder per process (it warms dateparser's language data when built)."""
    return DateFinder()


@lru_cache(maxsize=2)
def shared_analyzer(model: str) -> SentenceAnalyzer:
    """One spaCy pipeline per process: it takes seconds to load and is read-only once loaded."""
    return SentenceAnalyzer(model, shared_date_finder())


class Judge:
    """Scores the sentences of the retrieved passages (blocking: spaCy and the embedder)."""

    every_language = False  # fitted on French questions only (the evaluation set has no other)

    def __init__(
        self, model: JudgeModel, analyzer: Analyzer | None, embedder: Encoder | None, shortlist: int = SHORTLIST,
        lead: LeadModel | None = None,
    ) -> None:
        self.model = model
        self.lead = lead or shipped_lead_model()
        self._analyzer = analyzer
        self._embedder = embedder
        self._shortlist = shortlist

    def with_model(self, model: JudgeModel) -> Judge:
        """The same judge deciding with `model` (across languages: answering.french_reading)."""
        return Judge(model, self._analyzer, self._embedder, self._shortlist, self.lead)

    def score(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> list[SentenceScore]:
        """The shortlisted sentences, most probable answer first (the one holding the fact
        asked for moved to the front: answering.lead). A follow-up's carried terms count
        half, and a sentence should hold what it adds when some does; the question's
        embedding is `query.vector` when retrieval computed it."""
        found = candidates(passages)
        if not found:
            return []
        chosen, lexical = shortlist(query, found, self._shortlist)
        texts = [found[i].text for i in chosen]
        analysed = self._analyse(texts)
        question_lemmas = self._analyzer.lemmas(query.text) if self._analyzer else frozenset()
        measure = asked_measure(query.kind)
        semantic = self._similarities(query.text, texts, query.vector)
        dense = [p.dense_score or 0.0 for p in passages]
        rows = []
        for rank, (i, facts, similarity) in enumerate(zip(chosen, analysed, semantic, strict=True), start=1):
            candidate = found[i]
            expected = holds(facts.facts, query.kind.kind, query.text) if query.expects_fact else []
            features = sentence_features(
                query, candidate, facts, expected, question_lemmas, lexical=lexical[i], semantic=similarity,
                best_semantic=max(semantic), passage_dense=dense[candidate.passage_number - 1], best_dense=max(dense),
                idf_match=idf_match or 0.0, first_look_rank=rank,
            )
            features["misses_measure"] = misses_measure(candidate.text, measure)
            row = SentenceScore(candidate.passage_number, candidate.text, self.model.probability(features), features, tuple(expected))
            rows.append(self._with_lead(query, row))
        rows.sort(key=lambda r: -r.probability)
        return lead_with_the_fact(rows)

    def _with_lead(self, query: Query, row: SentenceScore) -> SentenceScore:
        """`row` with the fact it would lead with and the lead model's confidence in it (kept
        with the features: `choose` shows the lead only when it reaches the model's bar)."""
        lead = read_lead(query, row, row.facts)
        if lead is None:
            return row
        confidence = self.lead.confidence(lead.features)
        return replace(row, features={**row.features, "lead_confidence": confidence}, short_answer=lead.text)

    def choose(self, scored: Sequence[SentenceScore], max_sentences: int, bar: float | None = None) -> list[SentenceScore]:
        """The sentences to quote (`scored` best first): none when retrieval's evidence is under
        its bar or the probability that some sentence answers is under the model's bar (a
        `bar` given replaces both); else the best, and further ones that come close to it and
        add a different fact."""
        if scored and all(row.features.get("misses_measure") == 1.0 for row in scored):
            return []  # "la population d'Alep": figures, but none of inhabitants
        if bar is None:
            if not scored:
                return []
            probability = self.model.answer_probability(scored)
            weak = self.model.evidence_bar > 0 and self.model.evidence(scored) < self.model.evidence_bar
            if probability < self.model.bar or (weak and probability < self.model.override_bar):
                return []
        elif not scored or self.model.answer_probability(scored) < bar:
            return []
        best = scored[0]
        chosen = [best]
        for row in scored[1:]:
            if len(chosen) >= max_sentences:
                break
            if row.probability < self.model.extra_ratio * best.probability:
                continue
            if best.short_answer and row.short_answer == best.short_answer:
                continue  # the same fact again
            chosen.append(row)
        if best.features.get("lead_confidence", 1.0) < self.lead.bar:
            # The bold fact is the first thing read: right, or absent (answering.lead).
            chosen[0] = replace(best, short_answer=None)
        return chosen

    def _analyse(self, texts: list[str]) -> list[SentenceFacts]:
        if self._analyzer is None:
            dates = shared_date_finder()
            return [SentenceFacts(t, tuple(value_facts(t, dates)), frozenset()) for t in texts]
        return self._analyzer.analyse(texts)

    def _similarities(self, question: str, texts: list[str], vector: np.ndarray | None) -> list[float]:
        """Cosine of each sentence with the question (`vector`: its embedding when retrieval
        already computed it for exactly this text)."""
        if self._embedder is None or not texts:
            return [0.0] * len(texts)
        query = vector if vector is not None else self._embedder.embed_query(question)
        vectors = self._embedder.embed_passages(texts)
        return [float(s) for s in np.asarray(vectors) @ query]

