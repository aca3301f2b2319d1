"""The sentence judge: one implementation of the sentence scorer (answering.protocol).

Every sentence of the retrieved passages is a candidate. A cheap first look
(answering.sentence_features) shortlists a few; for those, spaCy finds the people, places,
organisations and values they hold, and the embedder their closeness in meaning to the question.
A fitted model (`JudgeModel`, below) turns these features into the probability that the
sentence holds the answer. The answerer declines when no sentence reaches the model's bar, and
leads with the short answer (the fact of the expected kind) of the best sentence
(answering.lead).

The judge's model, fitted on the evaluation set (`python -m evaluation.fit_judge`, folds by
article) and stored as plain JSON beside this module (answering/judge_models/): a logistic model
over the sentence features (answering.sentence_features: does this sentence answer?) — with
`--model boosted`, averaged with boosted trees that scikit-learn fits and numpy reads here
(measured, not shipped: docs/EVALUATION.md, "Boosted trees") — optionally a logistic model over
QUESTION_FEATURES read from the whole shortlist (does any?), with the bars that decide to answer
at all. A model fitted with the learned reader's probability as one more column (`READER`,
`fit_judge --readings`: stacking, the readings out of fold) is stored under the reader's name
and needs that reader beside it (ANSWER_READER_ROLE=feature)."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from answering.lead import LeadModel, lead_with_the_fact, read_lead, shipped_lead_model, sigmoid
from answering.protocol import SentenceScore
from answering.query import Query
from answering.reader.runtime import Candidate as ReaderInput
from answering.reader.runtime import SentenceReader
from answering.sentence_features import (
    FEATURES,
    Analyzer,
    SentenceAnalyzer,
    SentenceFacts,
    asked_measure,
    holds,
    misses_measure,
    sentence_features,
    shortlist,
    value_facts,
)
from answering.sentences import Candidate, candidates
from retrieval.dates import DateFinder
from retrieval.models import Passage

_T = TypeVar("_T")
SHORTLIST = 8
# The learned reader's probability that the sentence answers, as one more feature of a stacked
# model (its weight last, after FEATURES').
READER = "reader"


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
        lead: LeadModel | None = None, reader: SentenceReader | None = None,
    ) -> None:
        if model.reads_reader and reader is None:
            raise ValueError("this judge's model weighs the learned reader's probability: give it the reader")
        self.model = model
        self.lead = lead or shipped_lead_model()
        self._analyzer = analyzer
        self._embedder = embedder
        self._shortlist = shortlist
        self._reader = reader if model.reads_reader else None

    def with_model(self, model: JudgeModel) -> Judge:
        """The same judge deciding with `model` (across languages: answering.french_reading)."""
        return Judge(model, self._analyzer, self._embedder, self._shortlist, self.lead, self._reader)

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
        read = self._read(query.text, [found[i] for i in chosen])
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
            if read:
                features[READER] = read[rank - 1]
            row = SentenceScore(
                candidate.passage_number, candidate.text, self.model.probability(features), features, tuple(expected),
                article=passages[candidate.passage_number - 1].article_id, terms=candidate.terms,
            )
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
            if from_another_article(row, best) and row.probability < self.model.other_article_ratio * best.probability:
                continue  # another story's unlikely sentence would be padding
            if best.short_answer and row.short_answer == best.short_answer:
                continue  # the same fact again
            chosen.append(row)
        if best.features.get("lead_confidence", 1.0) < self.lead.bar:
            # The bold fact is the first thing read: right, or absent (answering.lead).
            chosen[0] = replace(best, short_answer=None)
        return chosen

    def _read(self, question: str, chosen: Sequence[Candidate]) -> list[float]:
        """The learned reader's probability for each shortlisted sentence (read with the sentence
        before it), when the model weighs it; else nothing."""
        if self._reader is None:
            return []
        readings = self._reader.read(question, [ReaderInput(c.text, c.before) for c in chosen])
        return [r.probability for r in readings]

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


def from_another_article(row: SentenceScore, first: SentenceScore) -> bool:
    """Whether `row` comes from another article than `first` (not when either is not known)."""
    return bool(row.article and first.article) and row.article != first.article


# --- The judge's model ----------------------------------------------------------------------

MODELS_DIR = Path(__file__).with_name("judge_models")


# What the decision to answer at all reads: the best sentence, and how close retrieval came
# (a question about an article not in the corpus has no close passage; one whose answer is
# missing from its article has close passages but no sentence of the kind asked for).
QUESTION_FEATURES = (
    "top_probability", "best_dense", "idf_match", "max_semantic", "max_lexical", "max_lemma_coverage",
    "expects_fact", "any_holds_kind", "top_holds_kind", "any_focus",
)


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compared by identity, not element-wise
class BoostedTrees:
    """Gradient-boosted regression trees over FEATURES, read with numpy alone (fitted by
    `evaluation.fit_judge --model boosted` with scikit-learn's HistGradientBoostingClassifier,
    which the bot does not need at run time). Each tree is padded to the largest one's nodes;
    a row goes left at a node when its feature is at most the threshold (a missing value goes
    where the fit sent missing values), and its log-odds are the baseline plus its leaves'."""

    baseline: float
    feature: np.ndarray  # [trees, nodes]: the feature a node splits on
    threshold: np.ndarray  # [trees, nodes]
    left: np.ndarray  # [trees, nodes]: child node numbers
    right: np.ndarray
    value: np.ndarray  # [trees, nodes]: a leaf's contribution to the log-odds
    leaf: np.ndarray  # [trees, nodes]: bool
    missing_left: np.ndarray  # [trees, nodes]: bool

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """One value per row of `x` (rows x FEATURES), every tree at once, level by level."""
        trees = np.arange(self.feature.shape[0])[None, :]
        rows = np.arange(x.shape[0])[:, None]
        node = np.zeros((x.shape[0], self.feature.shape[0]), dtype=np.int64)
        for _ in range(self.feature.shape[1]):  # a tree is never deeper than its node count
            at_leaf = self.leaf[trees, node]
            if at_leaf.all():
                break
            value = x[rows, self.feature[trees, node]]
            go_left = np.where(np.isnan(value), self.missing_left[trees, node], value <= self.threshold[trees, node])
            node = np.where(at_leaf, node, np.where(go_left, self.left[trees, node], self.right[trees, node]))
        return np.asarray(self.baseline + self.value[trees, node].sum(axis=1), dtype=np.float64)

    def scaled(self, factor: float) -> BoostedTrees:
        """The same trees, their log-odds multiplied by `factor`."""
        return replace(self, baseline=self.baseline * factor, value=self.value * factor)

    def to_dict(self) -> dict[str, object]:
        return {
            "baseline": self.baseline, "feature": self.feature.tolist(), "threshold": self.threshold.tolist(),
            "left": self.left.tolist(), "right": self.right.tolist(), "value": self.value.tolist(),
            "leaf": self.leaf.astype(int).tolist(), "missing_left": self.missing_left.astype(int).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BoostedTrees:
        def array(name: str, dtype: type) -> np.ndarray:
            return np.asarray(data[name], dtype=dtype)

        return cls(
            float(data["baseline"]), array("feature", np.int64), array("threshold", np.float64),
            array("left", np.int64), array("right", np.int64), array("value", np.float64),
            array("leaf", np.bool_), array("missing_left", np.bool_),
        )


@dataclass(frozen=True, slots=True)
class JudgeModel:
    """The sentence model over FEATURES (does this sentence answer?): logistic weights, plus
    boosted trees when `trees` is set; an optional logistic model over QUESTION_FEATURES (does
    any?); the bar the answer probability must reach; when to add a sentence."""

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
    # A further sentence from another article than the first's needs this share of the first
    # one's probability (0: as any further sentence): an answer about one story is not padded
    # with another story's sentences (docs/EVALUATION.md, "Padding").
    other_article_ratio: float = 0.0
    meta: dict[str, object] = field(default_factory=dict)
    # Boosted trees beside the logistic weights, their log-odds added (the trees read how
    # features combine; the linear part keeps the probability smooth where dev has few
    # sentences: docs/EVALUATION.md, "Boosted trees").
    trees: BoostedTrees | None = None

    def evidence(self, judged: Sequence[SentenceScore]) -> float:
        features = judged[0].features
        closest = max(row.features["semantic"] for row in judged)
        weight = self.evidence_semantic_weight
        return (features["best_dense"] + weight * closest) / (1 + weight) + self.evidence_idf_weight * features["idf_match"]

    @property
    def reads_reader(self) -> bool:
        """Whether the model weighs the learned reader's probability (a stacked model)."""
        return READER in self.weights

    def probability(self, features: dict[str, float]) -> float:
        """The sentence's log-odds are the linear part's, plus the trees' when there are."""
        log_odds = self.intercept + sum(self.weights.get(name, 0.0) * features[name] for name in FEATURES)
        if self.reads_reader:
            log_odds += self.weights[READER] * features[READER]
        if self.trees is not None:
            log_odds += float(self.trees.log_odds(np.array([[features[name] for name in FEATURES]]))[0])
        return sigmoid(log_odds)

    def answer_probability(self, judged: Sequence[SentenceScore]) -> float:
        """The probability that some sentence answers (0 without any); without question
        weights, the best sentence's probability."""
        if not judged:
            return 0.0
        if not self.question_weights:
            return max(row.probability for row in judged)
        features = question_features(judged)
        return sigmoid(
            self.question_intercept + sum(self.question_weights.get(n, 0.0) * features[n] for n in QUESTION_FEATURES)
        )

    def to_json(self) -> str:
        head = json.dumps(
            {"weights": self.weights, "intercept": self.intercept, "bar": self.bar,
             "extra_ratio": self.extra_ratio, "question_weights": self.question_weights,
             "question_intercept": self.question_intercept, "evidence_bar": self.evidence_bar,
             "evidence_idf_weight": self.evidence_idf_weight,
             "evidence_semantic_weight": self.evidence_semantic_weight, "override_bar": self.override_bar,
             **({"other_article_ratio": self.other_article_ratio} if self.other_article_ratio else {}), "meta": self.meta},
            indent=2, ensure_ascii=False,
        )
        if self.trees is None:
            return head
        # The trees on one line: indented, their thousands of numbers would take a line each.
        return head[:-2] + ',\n  "trees": ' + json.dumps(self.trees.to_dict(), separators=(",", ":")) + "\n}"

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
            override_bar=float(data.get("override_bar", 1.01)),
            other_article_ratio=float(data.get("other_article_ratio", 0.0)), meta=dict(data.get("meta", {})),
            trees=BoostedTrees.from_dict(data["trees"]) if "trees" in data else None,
        )


def question_features(judged: Sequence[SentenceScore]) -> dict[str, float]:
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


def model_path(embedding: str, reader: str | None = None) -> Path:
    """Where the judge fitted for an embedding model (its identity, any runtime) is stored;
    `reader`: the one fitted with that learned reader's probability as a feature."""
    name = re.sub(r"[^\w.-]+", "_", embedding.split("+", 1)[0])
    suffix = "+reader-" + re.sub(r"[^\w.-]+", "_", reader) if reader else ""
    return MODELS_DIR / f"{name}{suffix}.json"


def load_model(embedding: str, reader: str | None = None) -> JudgeModel | None:
    """The judge fitted for this embedding model (and reader), or None when none was fitted."""
    path = model_path(embedding, reader)
    return JudgeModel.from_json(path.read_text(encoding="utf-8")) if path.exists() else None
