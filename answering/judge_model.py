"""The logistic judge's model: its weights, its bars, and the decision to answer at all.

Two logistic models, fitted on the evaluation set (`python -m evaluation.fit_judge`, folds by
article) and stored as plain JSON beside answering/judge.py: one over the sentence features
(answering.sentence_features: does this sentence answer?), one over QUESTION_FEATURES read from
the whole shortlist (does any?).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from answering.scoring import SentenceScore
from answering.sentence_features import FEATURES

MODELS_DIR = Path(__file__).with_name("judge_models")


# What the decision to answer at all reads: the best sentence, and how close retrieval came
# (a question about an article not in the corpus has no close passage; one whose answer is
# missing from its article has close passages but no sentence of the kind asked for).
QUESTION_FEATURES = (
    "top_probability", "best_dense", "idf_match", "max_semantic", "max_lexical", "max_lemma_coverage",
    "expects_fact", "any_holds_kind", "top_holds_kind", "any_focus",
)


def sigmoid(z: float) -> float:
    """The logistic function, clamped so that exp never overflows (the judge's and the lead's models)."""
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

    def evidence(self, judged: Sequence[SentenceScore]) -> float:
        features = judged[0].features
        closest = max(row.features["semantic"] for row in judged)
        weight = self.evidence_semantic_weight
        return (features["best_dense"] + weight * closest) / (1 + weight) + self.evidence_idf_weight * features["idf_match"]

    def probability(self, features: dict[str, float]) -> float:
        return sigmoid(self.intercept + sum(self.weights.get(name, 0.0) * features[name] for name in FEATURES))

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


def model_path(embedding: str) -> Path:
    """Where the judge fitted for an embedding model (its identity, any runtime) is stored."""
    name = re.sub(r"[^\w.-]+", "_", embedding.split("+", 1)[0])
    return MODELS_DIR / f"{name}.json"


def load_model(embedding: str) -> JudgeModel | None:
    """The judge fitted for this embedding model, or None when none was fitted for it."""
    path = model_path(embedding)
    return JudgeModel.from_json(path.read_text(encoding="utf-8")) if path.exists() else None
