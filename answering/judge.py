"""The sentence judge: does this sentence answer the question?

Every sentence of the retrieved passages is a candidate. A cheap first look (the question's
key terms it shares, weighted by rarity; numbers and dates when the question asks for them;
passage rank) shortlists a few; for those, spaCy finds the people, places, organisations and
values they hold, and the embedder their closeness in meaning to the question. A logistic
model, fitted on the evaluation set (`python -m evaluation.fit_judge`, folds by article) and
stored as plain JSON beside this module, turns these features into the probability that the
sentence holds the answer. The answerer declines when no sentence reaches the model's bar, and
leads with the short answer (the fact of the expected kind) of the best sentence.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from answering.facts import Analyzer, Fact, SentenceAnalyzer, SentenceFacts, holds, value_facts
from answering.measures import is_measure, states_measure
from answering.question_kind import Kind, QuestionKind, question_kind
from answering.sentences import candidates, content_terms, numbers_in
from retrieval.dates import DateFinder
from retrieval.models import Passage

_T = TypeVar("_T")
MODELS_DIR = Path(__file__).with_name("judge_models")
SHORTLIST = 8
_DIGIT = re.compile(r"\d")
CARRIED_TERM_WEIGHT = 0.5
# How close in probability a sentence holding the asked kind of fact and the focus must come to
# the best one, which holds neither, to lead instead (lead_with_the_fact).
FACT_LEAD_RATIO = 0.1
_LEADING_WORD = re.compile(r"^(?:(?:le|la|les|en|au|aux|the|in|on)\s+|l['’])(?=\S)", re.I)

# The model's inputs, in order (evaluation.fit_judge fits one weight each).
FEATURES = (
    "lexical",  # IDF-weighted share of the question's stems in the sentence (first look)
    "lemma_coverage",  # share of the question's lemmas in the sentence's ("lancée" = "lancer")
    "expects_fact",  # the question asks for a person, place, date, number...
    "holds_kind",  # ...and the sentence holds one the question does not name
    "misses_kind",  # ...and the sentence holds none
    "focus",  # the sentence holds the question's focus word ("population", "porte-parole")
    "semantic",  # cosine similarity of sentence and question (the embedder)
    "semantic_gap",  # that similarity less the best of the shortlist's
    "passage_rank",  # 1 / the passage's rank
    "passage_dense",  # the passage's dense similarity to the question
    "best_dense",  # the best passage's (how close retrieval came at all)
    "idf_match",  # the share of the question's rare vocabulary the best passage holds
    "first_look_rank",  # 1 / the sentence's rank in the first look
    "kind_and_focus",  # holds the kind asked for and the focus word ("porte-parole, Stepjane Dujarric")
    "has_focus",  # the question names what it asks about
)


class Encoder(Protocol):
    """What the judge needs of an embedder (retrieval.embedding.Embedder has it)."""

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


@dataclass(frozen=True, slots=True)
class Judged:
    passage_number: int
    text: str
    probability: float
    features: dict[str, float]
    facts: tuple[Fact, ...] = ()  # of the expected kind, not named by the question
    short_answer: str | None = None


# What the decision to answer at all reads: the best sentence, and how close retrieval came
# (a question about an article not in the corpus has no close passage; one whose answer is
# missing from its article has close passages but no sentence of the kind asked for).
QUESTION_FEATURES = (
    "top_probability", "best_dense", "idf_match", "max_semantic", "max_lexical", "max_lemma_coverage",
    "expects_fact", "any_holds_kind", "top_holds_kind", "any_focus",
)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True, slots=True)
class JudgeModel:
    """Two logistic models: one over FEATURES (does this sentence answer?), one over
    QUESTION_FEATURES (does any?); the bar the second must reach to answer; when to add a
    sentence."""

    weights: dict[str, float]
    intercept: float
    bar: float  # answer only when the question-level probability reaches this
    extra_ratio: float = 0.5  # a further sentence needs this share of the best one's probability
    question_weights: dict[str, float] = field(default_factory=dict)
    question_intercept: float = 0.0
    # Retrieval's evidence must also reach this: a question about an article not in the corpus
    # is told by how far retrieval came, better than by any sentence's probability
    # (docs/EVALUATION.md). The evidence is the best passage's dense similarity averaged with
    # the closest sentence's (weighted by evidence_semantic_weight: a passage can be close
    # through its topic while no sentence of it comes close to the question), plus the share of
    # the question's rare vocabulary the best passage holds (as answering.refusal reads it).
    evidence_bar: float = 0.0
    evidence_idf_weight: float = 0.05
    evidence_semantic_weight: float = 0.0
    # ...unless a sentence answers this surely ("l'offensive lancée le 15 novembre" for "Quand
    # l'offensive a-t-elle commencé ?": other words than the question's, weak evidence).
    override_bar: float = 1.01
    meta: dict[str, object] = field(default_factory=dict)

    def evidence(self, judged: Sequence[Judged]) -> float:
        features = judged[0].features
        closest = max(row.features["semantic"] for row in judged)
        weight = self.evidence_semantic_weight
        return (features["best_dense"] + weight * closest) / (1 + weight) + self.evidence_idf_weight * features["idf_match"]

    def probability(self, features: dict[str, float]) -> float:
        return _sigmoid(self.intercept + sum(self.weights.get(name, 0.0) * features[name] for name in FEATURES))

    def answer_probability(self, judged: Sequence[Judged]) -> float:
        """The probability that some sentence answers (0 without any); without question
        weights, the best sentence's probability."""
        if not judged:
            return 0.0
        if not self.question_weights:
            return max(row.probability for row in judged)
        features = question_features(judged)
        return _sigmoid(
            self.question_intercept + sum(self.question_weights.get(n, 0.0) * features[n] for n in QUESTION_FEATURES)
        )

    def to_json(self) -> str:
        return json.dumps(
            {"weights": self.weights, "intercept": self.intercept, "bar": self.bar,
             "extra_ratio": self.extra_ratio, "question_weights": self.question_weights,
             "question_intercept": self.question_intercept, "evidence_bar": self.evidence_bar,
             "evidence_idf_weight": self.evidence_idf_weight,
             "evidence_semantic_weight": self.evidence_semantic_weight, "override_bar": self.override_bar, "meta": self.meta},
            indent=2, ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> JudgeModel:
        data = json.loads(text)
        return cls(
            weights={str(k): float(v) for k, v in data["weights"].items()},
            intercept=float(data["intercept"]), bar=float(data["bar"]),
            extra_ratio=float(data.get("extra_ratio", 0.5)),
            question_weights={str(k): float(v) for k, v in data.get("question_weights", {}).items()},
            question_intercept=float(data.get("question_intercept", 0.0)),
            evidence_bar=float(data.get("evidence_bar", 0.0)),
            evidence_idf_weight=float(data.get("evidence_idf_weight", 0.05)),
            evidence_semantic_weight=float(data.get("evidence_semantic_weight", 0.0)),
            override_bar=float(data.get("override_bar", 1.01)), meta=dict(data.get("meta", {})),
        )


def question_features(judged: Sequence[Judged]) -> dict[str, float]:
    """The decision's inputs, from the judged shortlist (any order)."""
    top = max(judged, key=lambda row: row.probability)
    rows = [row.features for row in judged]
    return {
        "top_probability": top.probability,
        "best_dense": rows[0]["best_dense"],
        "idf_match": rows[0]["idf_match"],
        "max_semantic": max(r["semantic"] for r in rows),
        "max_lexical": max(r["lexical"] for r in rows),
        "max_lemma_coverage": max(r["lemma_coverage"] for r in rows),
        "expects_fact": rows[0]["expects_fact"],
        "any_holds_kind": max(r["holds_kind"] for r in rows),
        "top_holds_kind": top.features["holds_kind"],
        "any_focus": max(r["focus"] for r in rows),
    }


def model_path(embedding: str) -> Path:
    """Where the judge fitted for an embedding model (its identity, any runtime) is stored."""
    name = re.sub(r"[^\w.-]+", "_", embedding.split("+", 1)[0])
    return MODELS_DIR / f"{name}.json"


def load_model(embedding: str) -> JudgeModel | None:
    """The judge fitted for this embedding model, or None when none was fitted for it."""
    path = model_path(embedding)
    return JudgeModel.from_json(path.read_text(encoding="utf-8")) if path.exists() else None


@lru_cache(maxsize=1)
def shared_date_finder() -> DateFinder:
    """One date finder per process (it warms dateparser's language data when built)."""
    return DateFinder()


@lru_cache(maxsize=2)
def shared_analyzer(model: str) -> SentenceAnalyzer:
    """One spaCy pipeline per process: it takes seconds to load and is read-only once loaded."""
    return SentenceAnalyzer(model, shared_date_finder())


def lexical_scores(question: str, kind: QuestionKind, sentences: Sequence[str], context: str = "") -> list[float]:
    """Share of the question's key terms in each sentence, rarer terms weighing more (terms
    carried over from the conversation count half), with a bonus for figures when the question
    asks for one and for the numbers it names."""
    own = content_terms(question)
    wanted = own | content_terms(context)
    terms = [content_terms(s) for s in sentences]
    n = len(sentences)
    weight = {
        t: math.log(1 + n / (1 + sum(t in s for s in terms))) * (1.0 if t in own else CARRIED_TERM_WEIGHT)
        for t in wanted
    }
    total = sum(weight.values()) or 1.0
    asks_figure = kind.expects_fact and kind.kind.value in {"date", "number", "percentage", "money", "duration"}
    question_numbers = numbers_in(question)
    scores = []
    for sentence, sentence_terms in zip(sentences, terms, strict=True):
        score = sum(weight[t] for t in wanted & sentence_terms) / total
        if asks_figure and _DIGIT.search(sentence):
            score += 0.2
        if question_numbers and question_numbers & numbers_in(sentence):
            score += 0.2
        scores.append(score)
    return scores


def asked_measure(kind: QuestionKind) -> str | None:
    """The measure the question asks for ("la population", "la superficie"), which a sentence
    must state in its units to answer; None when it asks for none of the known ones."""
    return kind.focus if kind.expects_fact and is_measure(kind.focus) else None


def misses_measure(sentence: str, measure: str | None) -> float:
    """1.0 when a measure is asked for and the sentence does not state it."""
    return float(measure is not None and not states_measure(sentence, measure))


def lead_with_the_fact(rows: list[Judged], ratio: float = FACT_LEAD_RATIO) -> list[Judged]:
    """`rows` (most probable first) with the sentence that holds a fact of the kind asked for
    *and* the question's focus moved to the front, when the most probable one holds no such
    fact and that sentence reaches `ratio` of its probability: "Qui est le porte-parole de
    Ban Ki-moon ?" opens with "…son porte-parole, Stepjane Dujarric" rather than with "Ban
    Ki-moon tire la sonnette d'alarme", which is close in words and meaning but names no one
    else. Out of fold on dev it leaves accuracy and fact-first where they were (within 0.2
    points) and shows the short answer more often (docs/EVALUATION.md)."""
    if not rows:
        return rows
    if rows[0].features.get("misses_measure") == 1.0:
        # The measure asked for, in its units, before any other figure.
        return sorted(rows, key=lambda row: row.features.get("misses_measure", 0.0))
    if rows[0].features["misses_kind"] != 1.0:
        return rows
    for k, row in enumerate(rows[1:], start=1):
        if row.features["kind_and_focus"] == 1.0 and row.probability >= ratio * rows[0].probability:
            return [row, *rows[:k], *rows[k + 1 :]]
    return rows


def short_answer(facts: Sequence[Fact], sentence: str, question: str) -> str | None:
    """The fact to lead with: of the expected kind, and the one nearest the question's words
    in the sentence ("415 civils à Alep-Est, et 130 à Alep-Ouest": the figure beside "Est")."""
    if not facts:
        return None
    wanted = content_terms(question)
    anchors = [m.start() for m in re.finditer(r"\w+", sentence) if content_terms(m.group(0)) & wanted]
    nearest = facts[0] if len(facts) == 1 or not anchors else min(
        facts, key=lambda f: min(abs(f.start - a) for a in anchors)
    )
    # "le 15 novembre", "en 2016": the date alone leads ("depuis 2012" keeps its relation).
    text = nearest.text.rstrip(" .,;:")  # "lundi 12 décembre." ends its sentence, not the fact
    if nearest.kind is not Kind.DATE:
        return text or nearest.text
    return _LEADING_WORD.sub("", text) or nearest.text


class Judge:
    """Scores the sentences of the retrieved passages (blocking: spaCy and the embedder)."""

    every_language = False  # fitted on French questions only (the evaluation set has no other)

    def __init__(
        self, model: JudgeModel, analyzer: Analyzer | None, embedder: Encoder | None, shortlist: int = SHORTLIST
    ) -> None:
        self.model = model
        self._analyzer = analyzer
        self._embedder = embedder
        self._shortlist = shortlist

    def judge(
        self,
        question: str,
        passages: Sequence[Passage],
        idf_match: float | None,
        context: str = "",
        focus_terms: frozenset[str] = frozenset(),
        question_vector: np.ndarray | None = None,
    ) -> list[Judged]:
        """The shortlisted sentences, most probable answer first. `context`: key words carried
        over from the conversation; `focus_terms`: stems a sentence should hold when some does
        (what a follow-up adds to the earlier question)."""
        kind = question_kind(question)
        measure = asked_measure(kind)
        found = candidates(passages)
        if not found:
            return []
        lexical = lexical_scores(question, kind, [c.text for c in found], context)
        if focus_terms and any(focus_terms & content_terms(c.text) for c in found):
            lexical = [s if focus_terms & content_terms(c.text) else s - 1.0 for s, c in zip(lexical, found, strict=True)]
        order = sorted(range(len(found)), key=lambda i: -(lexical[i] + 0.15 / found[i].passage_number))
        shortlist = order[: self._shortlist]
        texts = [found[i].text for i in shortlist]
        analysed = self._analyse(texts)
        question_lemmas = self._analyzer.lemmas(question) if self._analyzer else frozenset()
        semantic = self._similarities(f"{question} {context}".strip(), texts, question_vector)
        dense = [p.dense_score or 0.0 for p in passages]
        rows = []
        for rank, (i, facts, similarity) in enumerate(zip(shortlist, analysed, semantic, strict=True), start=1):
            candidate = found[i]
            features = sentence_features(
                question, kind, facts, question_lemmas, lexical=lexical[i], semantic=similarity,
                best_semantic=max(semantic), passage_number=candidate.passage_number,
                passage_dense=dense[candidate.passage_number - 1], best_dense=max(dense),
                idf_match=idf_match or 0.0, first_look_rank=rank,
            )
            features["misses_measure"] = misses_measure(candidate.text, measure)
            expected = holds(facts.facts, kind.kind, question) if kind.expects_fact else []
            rows.append(Judged(
                candidate.passage_number, candidate.text, self.model.probability(features), features,
                tuple(expected), short_answer(expected, candidate.text, question),
            ))
        rows.sort(key=lambda r: -r.probability)
        return lead_with_the_fact(rows)

    def misses_asked_measure(self, question: str, passages: Sequence[Passage]) -> bool:
        """The question asks for a measure that no sentence of the passages states: the check
        that holds for follow-ups too, which the fitted judge does not decide ("Quelle est la
        population d'Alep ?" asked right after another question on the story)."""
        measure = asked_measure(question_kind(question))
        return measure is not None and not any(states_measure(c.text, measure) for c in candidates(passages))

    def choose(self, judged: Sequence[Judged], max_sentences: int, bar: float | None = None) -> list[Judged]:
        """The sentences to quote (`judged` best first): none when retrieval's evidence is under
        its bar or the probability that some sentence answers is under the model's bar (a
        `bar` given replaces both); else the best, and further ones that come close to it and
        add a different fact."""
        if judged and all(row.features.get("misses_measure") == 1.0 for row in judged):
            return []  # "la population d'Alep": figures, but none of inhabitants
        if bar is None:
            if not judged:
                return []
            probability = self.model.answer_probability(judged)
            weak = self.model.evidence_bar > 0 and self.model.evidence(judged) < self.model.evidence_bar
            if probability < self.model.bar or (weak and probability < self.model.override_bar):
                return []
        elif not judged or self.model.answer_probability(judged) < bar:
            return []
        best = judged[0]
        chosen = [best]
        for row in judged[1:]:
            if len(chosen) >= max_sentences:
                break
            if row.probability < self.model.extra_ratio * best.probability:
                continue
            if best.short_answer and row.short_answer == best.short_answer:
                continue  # the same fact again
            chosen.append(row)
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


def sentence_features(
    question: str,
    kind: QuestionKind,
    facts: SentenceFacts,
    question_lemmas: frozenset[str],
    *,
    lexical: float,
    semantic: float,
    best_semantic: float,
    passage_number: int,
    passage_dense: float,
    best_dense: float,
    idf_match: float,
    first_look_rank: int,
) -> dict[str, float]:
    """The judge's inputs for one sentence (the same function serves fitting and answering)."""
    expected = holds(facts.facts, kind.kind, question) if kind.expects_fact else []
    focus = kind.focus
    has_focus = bool(focus) and bool(content_terms(focus or "") & content_terms(facts.text))
    lemma_coverage = len(question_lemmas & facts.lemmas) / len(question_lemmas) if question_lemmas else 0.0
    return {
        "lexical": lexical,
        "lemma_coverage": lemma_coverage,
        "expects_fact": float(kind.expects_fact),
        "holds_kind": float(kind.expects_fact and bool(expected)),
        "misses_kind": float(kind.expects_fact and not expected),
        "focus": float(has_focus),
        "semantic": semantic,
        "semantic_gap": semantic - best_semantic,
        "passage_rank": 1.0 / passage_number,
        "passage_dense": passage_dense,
        "best_dense": best_dense,
        "idf_match": idf_match,
        "first_look_rank": 1.0 / first_look_rank,
        "kind_and_focus": float(kind.expects_fact and bool(expected) and has_focus),
        "has_focus": float(bool(focus)),
    }

