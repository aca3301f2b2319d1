"""A sentence's features: what a sentence offers a question, and what it holds.

The first look (the question's key terms a sentence shares, weighted by rarity; figures when the
question asks for one and the numbers it names; passage rank) is cheap and runs on every
candidate sentence; it serves the sentence judge's shortlist and the plain extractive answerer.
The other features are read on the shortlist only (spaCy's facts and lemmas, the embedder's
closeness in meaning); `sentence_features` is the one function that turns them into the judge's
inputs, for fitting (evaluation.judge_data) and answering alike.

Sections, in order: the first look and the judge's features; what a sentence holds (its facts:
`value_facts`, `SentenceAnalyzer`, `holds`); whether it states the measure a question asks for
(`asked_measure`, `misses_measure`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from answering.query import Kind, Query, QuestionKind
from answering.sentences import Candidate, candidate_texts, numbers_in
from retrieval.dates import DateFinder
from retrieval.models import Passage

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

_DIGIT = re.compile(r"\d")
CARRIED_TERM_WEIGHT = 0.5
FIGURE_BONUS = 0.2  # a figure when the question asks for one; a number the question names
PASSAGE_PRIOR = 0.15  # the first look's nudge towards the better-ranked passages
FOCUS_PENALTY = 1.0  # a sentence without what a follow-up adds, when another has it

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


def lexical_scores(query: Query, sentences: Sequence[str], sentence_terms: Sequence[AbstractSet[str]]) -> list[float]:
    """Share of the question's key terms in each sentence (`sentence_terms`: their analysed
    terms), rarer terms weighing more (terms carried over from the conversation count half),
    with a bonus for figures when the question asks for one and for the numbers it names."""
    own = query.terms
    wanted = own | query.carried_terms
    n = len(sentences)
    weight = {
        t: math.log(1 + n / (1 + sum(t in s for s in sentence_terms))) * (1.0 if t in own else CARRIED_TERM_WEIGHT)
        for t in wanted
    }
    total = sum(weight.values()) or 1.0
    scores = []
    for sentence, terms in zip(sentences, sentence_terms, strict=True):
        score = sum(weight[t] for t in wanted & terms) / total
        if query.asks_figure and _DIGIT.search(sentence):
            score += FIGURE_BONUS
        if query.numbers and query.numbers & numbers_in(sentence):
            score += FIGURE_BONUS
        scores.append(score)
    return scores


def held_back_without_added_terms(
    query: Query, lexical: list[float], sentence_terms: Sequence[AbstractSet[str]]
) -> list[float]:
    """`lexical` less FOCUS_PENALTY for the sentences without what a follow-up adds to the
    earlier question ("ouest" in "Et à Alep-Ouest ?") when some sentence has it."""
    added = query.added_terms
    holding = [bool(added & terms) for terms in sentence_terms]
    if not any(holding):
        return lexical
    return [score if hit else score - FOCUS_PENALTY for score, hit in zip(lexical, holding, strict=True)]


def first_look(lexical: Sequence[float], passage_numbers: Sequence[int]) -> list[int]:
    """The candidates' indices, best first: lexical score with a nudge for the passage's rank."""
    return sorted(range(len(lexical)), key=lambda i: -(lexical[i] + PASSAGE_PRIOR / passage_numbers[i]))


def shortlist(query: Query, found: Sequence[Candidate], size: int) -> tuple[list[int], list[float]]:
    """The first look a sentence scorer takes at the passages' sentences: the indices of the
    `size` best in `found`, best first, and every sentence's lexical score (a follow-up's
    sentences without what it adds held back)."""
    texts = [c.text for c in found]
    terms = [c.terms for c in found]
    lexical = held_back_without_added_terms(query, lexical_scores(query, texts, terms), terms)
    return first_look(lexical, [c.passage_number for c in found])[:size], lexical


def sentence_features(
    query: Query,
    candidate: Candidate,
    facts: SentenceFacts,
    expected: Sequence[Fact],
    question_lemmas: frozenset[str],
    *,
    lexical: float,
    semantic: float,
    best_semantic: float,
    passage_dense: float,
    best_dense: float,
    idf_match: float,
    first_look_rank: int,
) -> dict[str, float]:
    """The judge's inputs for one sentence, `candidate` (its terms as `candidates` read them),
    the same function serving fitting and answering. `facts`: spaCy's reading of it,
    `expected`: the facts of the kind asked for it holds (`holds`, below)."""
    expects_fact = query.expects_fact
    has_focus = bool(query.kind.focus_terms & candidate.terms)
    lemma_coverage = len(question_lemmas & facts.lemmas) / len(question_lemmas) if question_lemmas else 0.0
    return {
        "lexical": lexical,
        "lemma_coverage": lemma_coverage,
        "expects_fact": float(expects_fact),
        "holds_kind": float(expects_fact and bool(expected)),
        "misses_kind": float(expects_fact and not expected),
        "focus": float(has_focus),
        "semantic": semantic,
        "semantic_gap": semantic - best_semantic,
        "passage_rank": 1.0 / candidate.passage_number,
        "passage_dense": passage_dense,
        "best_dense": best_dense,
        "idf_match": idf_match,
        "first_look_rank": 1.0 / first_look_rank,
        "kind_and_focus": float(expects_fact and bool(expected) and has_focus),
        "has_focus": float(bool(query.kind.focus)),
    }


# --- What a sentence holds --------------------------------------------------------------------
# People, places, organisations (spaCy's French pipeline), and numbers, percentages, sums of
# money, durations and dates (regular expressions, tested one by one).
#
# The judge asks of each candidate sentence whether it holds a fact of the kind the question
# expects, one the question does not already name ("Qui est le porte-parole de Ban Ki-moon ?" is
# not answered by a sentence whose only person is Ban Ki-moon).
#
# spaCy runs on the few sentences the judge shortlists, at question time: on the whole passages
# it would cost ~10 ms a sentence on this machine, at index time ~70 % more indexing time
# (docs/EVALUATION.md, "Where the sentence analysis runs").

SPACY_MODEL = "fr_core_news_sm"
_REFERENCE_DAY = date(2000, 1, 1)

_NUMBER_WORDS = (
    "deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente|"
    "quarante|cinquante|soixante|cent|cents|mille|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    "twenty|thirty|forty|fifty|hundred|thousand"
)
_MAGNITUDE = r"(?:\s+(?:millions?|milliards?|mille|billions?|thousands?|hundreds?|trillions?)(?:\s+(?:de|d'|of))?)?"
_FIGURE = rf"(?:\d+(?:[\s\u00a0\u202f.,]\d+)*|(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}|et|un))*){_MAGNITUDE}"
_CURRENCY = r"(?:euros?|€|dollars?|\$|francs?|livres?(?:\s+sterling)?|£|yens?|yuans?|roubles?|dinars?|dirhams?|pesos?|marks?|pounds?|ecus?|écus?|sesterces?|deniers?|florins?)"
_TIME_UNIT = r"(?:ans|années|mois|jours|semaines|heures|minutes|secondes|siècles|décennies|années-lumière|years|months|weeks|days|hours|minutes|seconds|centuries|decades)"

# Dates come first from retrieval/dates.py (the one date component); then, in this order, a
# span taken by an earlier pattern is not taken again by a later one ("12,5 %" is a
# percentage, not a number).
_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    (Kind.PERCENTAGE, re.compile(rf"\b{_FIGURE}\s?(?:%|pour\s?cent\b|percent\b|per cent\b)", re.I)),
    (Kind.MONEY, re.compile(rf"(?:[$€£]\s?{_FIGURE}|\b{_FIGURE}\s?{_CURRENCY}(?!\w))", re.I)),
    (Kind.DURATION, re.compile(rf"\b{_FIGURE}\s+{_TIME_UNIT}\b", re.I)),
    (Kind.NUMBER, re.compile(rf"\b{_FIGURE}\b", re.I)),
]
# spaCy's French NER (WikiNER labels) mapped to answer kinds; MISC answers no kind.
_ENTITY_KINDS = {"PER": Kind.PERSON, "LOC": Kind.PLACE, "ORG": Kind.ORGANISATION}
# Which kinds of fact answer which kind of question: a number question is answered by any
# figure, a date question also by a year written as a bare number.
COMPATIBLE: dict[Kind, frozenset[Kind]] = {
    Kind.NUMBER: frozenset({Kind.NUMBER, Kind.PERCENTAGE, Kind.MONEY, Kind.DURATION}),
    Kind.PERCENTAGE: frozenset({Kind.PERCENTAGE}),
    Kind.MONEY: frozenset({Kind.MONEY}),
    Kind.DURATION: frozenset({Kind.DURATION}),
    Kind.DATE: frozenset({Kind.DATE}),
    Kind.PERSON: frozenset({Kind.PERSON}),
    Kind.PLACE: frozenset({Kind.PLACE}),
    Kind.ORGANISATION: frozenset({Kind.ORGANISATION, Kind.PERSON}),  # spaCy's sm model often tags an organisation PER
}


@dataclass(frozen=True, slots=True)
class Fact:
    kind: Kind
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SentenceFacts:
    text: str
    facts: tuple[Fact, ...]
    lemmas: frozenset[str]  # folded lemmas of the content words ("lancée" -> "lancer")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def value_facts(text: str, dates: DateFinder) -> list[Fact]:
    """Dates, percentages, sums of money, durations and numbers in `text`, left to right."""
    # Only where the date sits matters here, not which day it names: any reference day will do.
    facts = [Fact(Kind.DATE, m.text, m.start, m.end) for m in dates.find(text, _REFERENCE_DAY)]
    taken = [(f.start, f.end) for f in facts]
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            facts.append(Fact(kind, match.group(0).strip(), start, end))
    return sorted(facts, key=lambda f: f.start)


def holds(facts: Sequence[Fact], expected: Kind, question: str) -> list[Fact]:
    """The facts of a kind that answers `expected` and that the question does not already name."""
    accepted = COMPATIBLE.get(expected, frozenset())
    asked = fold(question)
    return [f for f in facts if f.kind in accepted and fold(f.text) not in asked]


class Analyzer(Protocol):
    def analyse(self, sentences: Sequence[str]) -> list[SentenceFacts]: ...

    def lemmas(self, text: str) -> frozenset[str]: ...


class SentenceAnalyzer:
    """spaCy's French pipeline (without the parser, which the judge does not use), loaded once."""

    def __init__(self, model: str = SPACY_MODEL, dates: DateFinder | None = None) -> None:
        import spacy  # heavy: imported when an analyzer is built, not with this module

        self._nlp: Language = spacy.load(model, exclude=["parser"])
        self.dates = dates or DateFinder()

    def analyse(self, sentences: Sequence[str]) -> list[SentenceFacts]:
        """Entities, values and lemmas of each sentence (one batched pass)."""
        results = []
        # The small model reads "l’offensive" (curly apostrophe) as a noun "l’" and an adjective;
        # the straight apostrophe, same length so offsets hold, gives "l'" + "offensive".
        straight = [s.replace("’", "'") for s in sentences]
        for text, doc in zip(sentences, self._nlp.pipe(straight, batch_size=32), strict=True):
            facts = value_facts(text, self.dates)
            spans = [(f.start, f.end) for f in facts]
            for entity in doc.ents:
                kind = _ENTITY_KINDS.get(entity.label_)
                if kind is None or any(entity.start_char < e and s < entity.end_char for s, e in spans):
                    continue
                facts.append(Fact(kind, entity.text, entity.start_char, entity.end_char))
            results.append(SentenceFacts(text, tuple(sorted(facts, key=lambda f: f.start)), _content_lemmas(doc)))
        return results

    def lemmas(self, text: str) -> frozenset[str]:
        """Folded lemmas of a question's content words."""
        return _content_lemmas(self._nlp(text.replace("’", "'")))


# Auxiliaries ("été" -> "être") and pronouns say nothing of what a sentence is about.
_HYPHEN = re.compile(r"[-‐‑]")
_FUNCTION_POS = frozenset({"AUX", "PRON", "DET", "ADP", "CCONJ", "SCONJ", "PUNCT"})


def _content_lemmas(doc: Doc) -> frozenset[str]:
    # A compound keeps its parts ("porte-parole" -> porte, parole): spaCy reads it as one token
    # that is not alphabetic, and an "is_alpha" filter alone dropped it, the very word a
    # question about a spokesperson asks about.
    return frozenset(
        part
        for t in doc
        if not t.is_stop and t.pos_ not in _FUNCTION_POS and len(t.text) > 1
        for part in _HYPHEN.split(fold(t.lemma_))
        if len(part) > 1 and part.isalpha()
    )


# --- The measure a question asks for ---------------------------------------------------------
# Does a sentence state the measure a question asks for?
#
# "Quelle est la population d'Alep ?" asks for a number of *inhabitants*: "130 000 civils ont fui
# Alep" holds a number, about Aleppo, close in meaning, but it counts people who fled, not the
# population. A measure is stated with its unit ("110 000 habitants", "892 km2", "50 km/h") or by
# naming the measure itself ("la population, estimée à…"). Only the measures whose units say
# unambiguously what is counted are listed: "taille" (a length, or the size of an army), "capacité"
# (seats, litres, passengers) or "effectif" are not, and a question about them is left to the judge.

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
