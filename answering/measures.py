"""Does a sentence state the measure a question asks for?

"Quelle est la population d'Alep ?" asks for a number of *inhabitants*: "130 000 civils ont fui
Alep" holds a number, about Aleppo, close in meaning, but it counts people who fled, not the
population. A measure is stated with its unit ("110 000 habitants", "892 km2", "50 km/h") or by
naming the measure itself ("la population, estimée à…"). Only the measures whose units say
unambiguously what is counted are listed: "taille" (a length, or the size of an army), "capacité"
(seats, litres, passengers) or "effectif" are not, and a question about them is left to the judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from answering.facts import fold
from answering.query import Query, QuestionKind
from answering.sentences import candidate_texts
from retrieval.models import Passage

_LENGTH = r"(?:m|metres?|km|kilometres?|cm|centimetres?|mm|millimetres?|nm|nanometres?|pieds?|miles?|milles?|lieues?|coudees?|feet|foot|meters?|kilometers?)"
_MONEY = r"(?:€|euros?|eur|dollars?|\$|usd|francs?|livres?|yens?|£)"
# The measure (the question's focus, folded) and the units it is stated in, folded.
MEASURE_UNITS: dict[str, str] = {
    "population": r"(?:habitants?|ames|residents|inhabitants|people)",
    "superficie": r"(?:km2|km²|m2|m²|hectares?|ha|acres?|(?:kilo)?metres? carres?|square (?:kilo)?met(?:er|re)s?)",
    "altitude": _LENGTH,
    "hauteur": _LENGTH,
    "largeur": _LENGTH,
    "longueur": _LENGTH,
    "profondeur": _LENGTH,
    "distance": _LENGTH,
    "vitesse": r"(?:km/h|km / h|kilometres? (?:par|a l')heure|n(?:oe|œ)uds?|m/s|mph)",
    "poids": r"(?:kg|kilos?|kilogrammes?|tonnes?|grammes?|g|livres?)",
    "masse": r"(?:kg|kilos?|kilogrammes?|tonnes?|grammes?|g)",
    "age": r"(?:ans?|annees?)",
    "prix": _MONEY,
    "cout": _MONEY,
    "budget": _MONEY,
    "salaire": _MONEY,
}
MEASURE_UNITS |= {
    "surface": MEASURE_UNITS["superficie"], "area": MEASURE_UNITS["superficie"],
    "height": _LENGTH, "length": _LENGTH, "width": _LENGTH, "depth": _LENGTH, "speed": MEASURE_UNITS["vitesse"],
    "weight": MEASURE_UNITS["poids"], "price": _MONEY, "cost": _MONEY,
}
# A quantity: figures ("3,8 millions d'"), or words ("plusieurs mètres carrés", "deux coudées").
_QUANTITY = (
    r"(?:\d[\d\s.,]*|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|"
    r"quarante|cinquante|soixante|cent|cents|mille|plusieurs|quelques)"
    r"(?:\s*(?:millions?|milliards?|mille|dizaines?|centaines?|milliers?))?\s*(?:d'|de\s+)?"
)


@lru_cache(maxsize=64)
def _stated(measure: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(measure)}\b|(?<!\w){_QUANTITY}\s*{MEASURE_UNITS[measure]}(?![\w²])")


def is_measure(focus: str | None) -> bool:
    """Whether the question's focus is a measure whose units are known."""
    return focus is not None and focus in MEASURE_UNITS


def states_measure(sentence: str, measure: str) -> bool:
    """The sentence gives a quantity in one of the measure's units, or names the measure."""
    return _stated(measure).search(fold(sentence.replace("’", "'"))) is not None


def asked_measure(kind: QuestionKind) -> str | None:
    """The measure the question asks for ("la population", "la superficie"), which a sentence
    must state in its units to answer; None when it asks for none of the known ones."""
    return kind.focus if kind.expects_fact and is_measure(kind.focus) else None


def misses_measure(sentence: str, measure: str | None) -> float:
    """1.0 when a measure is asked for and the sentence does not state it."""
    return float(measure is not None and not states_measure(sentence, measure))


def misses_asked_measure(query: Query, passages: Sequence[Passage]) -> bool:
    """The question asks for a measure that no sentence of the passages states: the check
    that holds for follow-ups too, which the fitted judge does not decide ("Quelle est la
    population d'Alep ?" asked right after another question on the story)."""
    measure = asked_measure(query.kind)
    return measure is not None and not any(states_measure(text, measure) for text in candidate_texts(passages))
