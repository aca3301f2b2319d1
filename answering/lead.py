"""The fact a reply leads with: which scored sentence comes first, its short answer, and
whether that answer is sure enough to be shown in bold.

"Qui est le porte-parole de Ban Ki-moon ?" is answered in bold by "Stepjane Dujarric", the person
of the best sentence that the question does not already name, nearest the question's words.
The bold fact is the first thing read: it must be right, or absent. A small logistic model
(`LeadModel`, fitted out of fold by `evaluation.fit_lead`, stored beside this module as
lead_model.json) reads how the fact sits in its sentence (alone of its kind or among others,
beside the question's words, followed by the noun asked about) and how sure the judge is of
the sentence; under its bar the reply opens with the quoted sentence alone.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from answering.protocol import SentenceScore
from answering.query import Kind, Query
from answering.sentence_features import Fact
from retrieval.text import analyze_each

# How close in probability a sentence holding the asked kind of fact and the focus must come to
# the best one, which holds neither, to lead instead (lead_with_the_fact).
FACT_LEAD_RATIO = 0.1
LEAD_MODEL = Path(__file__).with_name("lead_model.json")
_LEADING_WORD = re.compile(r"^(?:(?:le|la|les|en|au|aux|the|in|on)\s+|l['’])(?=\S)", re.I)
# Words a lead must not end on ("1,8 million de"): the span stopped one word short.
_DANGLING = re.compile(
    r"(?:\s+(?:de|du|des|d['’]|à|au|aux|le|la|les|l['’]|et|ou|en|un|une|sur|par|pour|of|the|a|an|and|or|in|on|to|at|by))+$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# How many words after a figure the noun it counts may come ("soixante pompiers", "3 000 m² de
# l'entrepôt", "412 kilomètres de pistes").
_NOUN_WINDOW = 3
# The words either side of a fact that say what it is about ("la ligne rouvrira le 20 mars").
_WINDOW = 6


def sigmoid(z: float) -> float:
    """The logistic function, clamped so that exp never overflows (the lead's model and the
    judge's, answering.judge)."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def lead_with_the_fact(rows: list[SentenceScore], ratio: float = FACT_LEAD_RATIO) -> list[SentenceScore]:
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


def trim(span: str | None) -> str | None:
    """A lead without the punctuation and the function words it may end on ("1,8 million de")."""
    if not span:
        return None
    return _DANGLING.sub("", span.strip(" ,;:.")).strip() or None


@dataclass(frozen=True, slots=True)
class Placed:
    """A candidate fact and how it sits in its sentence."""

    fact: Fact
    distance: float  # words between the fact and the nearest of the question's words (inf: none)
    around: float  # share of the question's words within _WINDOW words of it
    counts_focus: bool  # the noun the question asks about follows it ("soixante pompiers")
    beside_focus: bool  # ...or stands within _NOUN_WINDOW words of it ("son porte-parole, Stepjane Dujarric")
    terms: frozenset[str]  # the fact's own analysed terms


def _place(facts: Sequence[Fact], sentence: str, question_terms: AbstractSet[str], focus_terms: AbstractSet[str]) -> list[Placed]:
    """Where each fact sits among the sentence's words, the question's (analysed) and the
    noun's it asks about: each word, and each fact, analysed on its own, all in one call."""
    words = list(_WORD.finditer(sentence))
    analysed = analyze_each([m.group(0) for m in words] + [fact.text for fact in facts])
    terms = [set(held) for held in analysed[: len(words)]]
    anchors = [n for n, held in enumerate(terms) if held & question_terms]
    placed = []
    for fact, fact_terms in zip(facts, analysed[len(words) :], strict=True):
        inside = [n for n, m in enumerate(words) if fact.start <= m.start() < fact.end] or [0]
        first, last = inside[0], inside[-1]
        distance = min((max(first - a, a - last, 0) for a in anchors), default=math.inf)
        near = set().union(*terms[max(0, first - _WINDOW) : first], *terms[last + 1 : last + 1 + _WINDOW])
        around = len(near & question_terms) / len(question_terms) if question_terms else 0.0
        after = terms[last + 1 : last + 1 + _NOUN_WINDOW]
        before = terms[max(0, first - _NOUN_WINDOW) : first]
        counts = bool(focus_terms) and any(held & focus_terms for held in after)
        beside = counts or (bool(focus_terms) and any(held & focus_terms for held in before))
        placed.append(Placed(fact, float(distance), around, counts, beside, frozenset(fact_terms)))
    return placed


def pick(facts: Sequence[Fact], sentence: str, question_terms: AbstractSet[str], focus_terms: AbstractSet[str] = frozenset()) -> Placed | None:
    """The fact to lead with: the one followed by the noun asked about ("soixante pompiers" for
    "combien de pompiers"), else the one nearest the question's words (`question_terms`,
    analysed: "415 civils à Alep-Est, et 130 à Alep-Ouest": the figure beside "Est")."""
    if not facts:
        return None
    return _best(_place(facts, sentence, question_terms, focus_terms))


def _best(placed: Sequence[Placed]) -> Placed:
    return min(placed, key=lambda p: (not p.counts_focus, p.distance, p.fact.start))


def lead_text(fact: Fact) -> str:
    """The fact's words as they lead: "le 15 novembre", "en 2016": the date alone ("depuis
    2012" keeps its relation); no dangling word at the end."""
    text = fact.text.rstrip(" .,;:")  # "lundi 12 décembre." ends its sentence, not the fact
    if fact.kind is Kind.DATE:
        text = _LEADING_WORD.sub("", text) or text
    return trim(text) or fact.text


# Tried and dropped (docs/EVALUATION.md, "The bold lead"): the kind asked for (one-hot), the
# number of candidates and the margin to the next one, the share of the question's words
# around the rival, the sentence's key-term score: out of fold they only added noise.
LEAD_FEATURES = (
    "probability",  # the judge's: the sentence answers
    "semantic_gap",  # its closeness in meaning to the question less the shortlist's best
    "lemma_coverage",  # share of the question's lemmas it holds
    "single",  # the fact is the only one of the kind asked for in the sentence
    "nearness",  # 1 / (1 + words between the fact and the nearest of the question's words)
    "around",  # share of the question's words within a few words of the fact
    "counts_focus",  # the noun asked about follows the figure ("soixante pompiers")
    "beside_focus",  # the noun asked about is within a few words ("son porte-parole, Stepjane Dujarric")
    "repeats_question",  # share of the fact's words the question already holds ("Jean Stablinski")
    "fact_words",  # the fact's length in words (capped at 6, scaled to 1)
)


def lead_features(query: Query, row: SentenceScore, chosen: Placed, others: Sequence[Placed]) -> dict[str, float]:
    """What `LeadModel` reads of a sentence's lead (`chosen` among the `others` placed with it);
    the same function serves fitting (evaluation.fit_lead) and answering."""
    fact_terms = chosen.terms
    return {
        "probability": row.probability,
        "semantic_gap": row.features.get("semantic_gap", 0.0),
        "lemma_coverage": row.features.get("lemma_coverage", 0.0),
        "single": float(len(others) == 1),
        "nearness": 1 / (1 + chosen.distance),  # 0 when none of the question's words is there
        "around": chosen.around,
        "counts_focus": float(chosen.counts_focus),
        "beside_focus": float(chosen.beside_focus),
        "repeats_question": len(fact_terms & query.terms) / len(fact_terms) if fact_terms else 0.0,
        "fact_words": min(len(_WORD.findall(chosen.fact.text)), 6) / 6,
    }


@dataclass(frozen=True, slots=True)
class LeadModel:
    """The probability that a lead is right (shares a word with the answer), and the bar it must
    reach to be shown, chosen out of fold for few wrong leads (docs/EVALUATION.md)."""

    weights: dict[str, float]
    intercept: float
    bar: float
    meta: dict[str, object] = field(default_factory=dict)

    def confidence(self, features: dict[str, float]) -> float:
        return sigmoid(self.intercept + sum(self.weights.get(name, 0.0) * features[name] for name in LEAD_FEATURES))

    def to_json(self) -> str:
        return json.dumps(
            {"weights": self.weights, "intercept": self.intercept, "bar": self.bar, "meta": self.meta},
            indent=2, ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> LeadModel:
        data = json.loads(text)
        return cls(
            weights={str(k): float(v) for k, v in data["weights"].items()}, intercept=float(data["intercept"]),
            bar=float(data["bar"]), meta=dict(data.get("meta", {})),
        )


@lru_cache(maxsize=1)
def shipped_lead_model() -> LeadModel:
    """The fitted lead model (read once per process: a small JSON file)."""
    return LeadModel.from_json(LEAD_MODEL.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Lead:
    """The fact a sentence would lead with, and what `LeadModel` reads of it."""

    text: str
    features: dict[str, float]


def read_lead(query: Query, row: SentenceScore, facts: Sequence[Fact]) -> Lead | None:
    """The fact `row` would lead with, of `facts` (those of the kind asked for that the question
    does not name), and its features; None when there is none."""
    if not facts:
        return None
    placed = _place(facts, row.text, query.terms, query.kind.focus_terms)
    chosen = _best(placed)
    return Lead(lead_text(chosen.fact), lead_features(query, row, chosen, placed))
