"""Sentences, key terms and `[n]` markers: the text handling shared by answerers and verification."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from retrieval.models import Passage
from retrieval.text import analyze, analyze_each

_SPACE = r"[ \u00a0\u202f]"
# A closing » or ” belongs to the sentence it ends, after a (no-break) space in French: "fin. »".
_CLOSE = rf"(?:{_SPACE}*[»”])?"
# Titles and abbreviations whose full stop a name or a figure follows: "M. Dupont", "av. J.-C.".
_ABBREVIATIONS = ("MM", "Dr", "Pr", "Mr", "Ms", "Me", "St", "Jr", "Sr", "Mrs", "Mgr", "art", "av", "apr", "cf", "vs")
_AFTER_ABBREVIATION = "|".join(
    f"(?<=\\b(?:{'|'.join(a for a in _ABBREVIATIONS if len(a) == width)}))"
    for width in sorted({len(a) for a in _ABBREVIATIONS})
)
# Full stops (and ! ? …) that end no sentence: one a letter or digit follows at once ("2.25 %",
# "14.30", "130.000", "U.S.", "J.-C."); an initial's or a title's before a name ("George W.
# Bush", "M. Dupont"); one a lower-case word follows on the line ("etc. et", "« Partons ! »
# a-t-il dit"). Cut there, a sentence quoted "at 2." for 2.25 %.
_NOT_AN_END = (
    r"[.!?…]+(?=[\w-])"
    rf"|(?:(?<=\b[A-ZÀ-ÖØ-Þ])|{_AFTER_ABBREVIATION})\.(?={_SPACE}*[A-ZÀ-ÖØ-Þ0-9])"
    rf"|[.!?…]+{_CLOSE}(?={_SPACE}+[a-zà-öø-ÿ])"
)
# The loop stops only where the tail matches (a full stop that ends, a line's end, the text's),
# so a match never backtracks into it.
_SENTENCE = re.compile(rf"(?:[^.!?…\n]+|{_NOT_AN_END})+(?:[.!?…]+{_CLOSE}[\"')\]]*|\n|$)")
_MARKERS = re.compile(r"\s*((?:\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_NUMBER = re.compile(r"\d[\d\s\u00a0\u202f.,]*\d|\d")
_MARKER_NUMBERS = re.compile(r"\d+")
_NEW_SENTENCE = re.compile(r"\s+[«\"“]?\s*[A-ZÀ-ÖØ-Þ]")
_CLOSING = (".", "!", "?", "…", "»", "\"", "”")
# Thousands separators of either language: 130 000, 130 000, 130,000, 130.000.
_GROUPING = re.compile(r"(?<=\d)[\s\u00a0\u202f,.](?=\d{3}(?!\d))|[\s\u00a0\u202f]")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


_MAX_QUOTED = 600  # characters a quotation may hold sentences over; a « never closed ends there


def split_sentences(text: str) -> list[Span]:
    """Sentences with their offsets in `text`, stripped, skipping empty ones. A quotation of
    several sentences (« … . … ») stays whole inside the sentence that opens it: cut at its
    first full stop, a quoted sentence showed a « never closed."""
    spans: list[Span] = []
    for match in _SENTENCE.finditer(text):
        raw = match.group(0)
        stripped = raw.strip()
        if len(stripped) < 2:
            continue
        start = match.start() + raw.index(stripped)
        span = Span(start, start + len(stripped), stripped)
        if spans and _inside_quotation(text, spans[-1], span):
            span = Span(spans[-1].start, span.end, text[spans[-1].start : span.end])
            spans[-1] = span
        else:
            spans.append(span)
    return spans


def _inside_quotation(text: str, previous: Span, span: Span) -> bool:
    """Whether `span` continues a quotation `previous` opened (same line, not too long)."""
    if previous.text.count("«") <= previous.text.count("»") and previous.text.count("“") <= previous.text.count("”"):
        return False
    return "\n" not in text[previous.end : span.start] and span.end - previous.start <= _MAX_QUOTED


def numbers_in(text: str) -> set[str]:
    """Numbers with their grouping removed: '130 000' and '130000' are the same figure."""
    return {_GROUPING.sub("", n.rstrip(".,")) for n in _NUMBER.findall(text)}


def content_terms(text: str) -> set[str]:
    """Stemmed, accent-folded content words (the BM25 analysis)."""
    return set(analyze(text))


def content_terms_of(texts: Iterable[str]) -> dict[str, set[str]]:
    """`content_terms` of each distinct text, analysed together in one call."""
    distinct = list(dict.fromkeys(texts))
    return {text: set(terms) for text, terms in zip(distinct, analyze_each(distinct), strict=True)}


@dataclass(frozen=True, slots=True)
class MarkedSentence:
    """A sentence of an answer with the passage numbers it cites, markers removed from the text."""

    text: str
    cites: tuple[int, ...]
    # Its content terms when the sentence was read already (a quoted candidate's), so the
    # citation check does not analyse it again; None: read it. Not part of what it says.
    terms: frozenset[str] | None = field(default=None, compare=False)


def parse_marked(answer: str) -> list[MarkedSentence]:
    """Split an answer into sentences, each with the `[n]` / `[n][m]` / `[n, m]` markers it
    holds, wherever they sit in it ("Selon l'OSDH [2], 415 civils…" cites 2 for the whole
    sentence); a run opening a sentence belongs to the one before ("Texte. [1] Suite.")."""
    kept: list[str] = []
    marks: list[tuple[int, tuple[int, ...]]] = []  # (offset in the text without markers, numbers)
    cursor = length = 0
    for match in _MARKERS.finditer(answer):
        piece = answer[cursor : match.start()]
        # "Un fait [1] Un autre [2]": a marker followed by a capital closes its sentence even
        # without a full stop.
        if _NEW_SENTENCE.match(answer, match.end()) and not piece.rstrip().endswith(_CLOSING):
            piece += "\n"
        kept.append(piece)
        length += len(piece)
        marks.append((length, tuple(int(n) for n in _MARKER_NUMBERS.findall(match.group(1)))))
        cursor = match.end()
    kept.append(answer[cursor:])
    spans = split_sentences("".join(kept))
    cites: list[list[int]] = [[] for _ in spans]
    for offset, numbers in marks if spans else ():
        holder = max((i for i, span in enumerate(spans) if span.start < offset), default=0)
        cites[holder].extend(n for n in numbers if n not in cites[holder])
    return [
        MarkedSentence(span.text, tuple(numbers))
        for span, numbers in zip(spans, cites, strict=True)
        if span.text.strip(" .,;:")
    ]


def without_markers(text: str) -> str:
    """An article's sentence without the bracketed numbers it holds (a wiki's footnotes: "en
    1960[3]"): quoted in an answer, where `[n]` cites passage n, one would read as a citation."""
    return _MARKERS.sub("", text)


def render_marked(sentences: list[MarkedSentence]) -> str:
    """Sentences with their markers after them: 'Text. [1][2] Next. [3]'."""
    parts = []
    for sentence in sentences:
        markers = "".join(f"[{n}]" for n in sentence.cites)
        closed = sentence.text.rstrip()[-1:] in {".", "!", "?", "…", "»", "\"", "”"}
        parts.append(f"{sentence.text} {markers}".strip() + ("" if closed else "."))
    return " ".join(parts)


_ENDS_SENTENCE = re.compile(r"[.!?…][»”\"')\]]*$")
_MIN_SENTENCE_CHARS = 25


@dataclass(frozen=True, slots=True)
class Candidate:
    """A whole sentence of a retrieved passage, as an answer may quote it, read once: the
    scorers' first look, the judge's features and the extractive answerer take its `terms`
    from here instead of analysing its text again."""

    passage_number: int  # 1-based, in the order the passages were given
    text: str
    terms: frozenset[str]  # its content terms (`content_terms`: the BM25 analysis)
    before: str = ""  # the passage's sentence before it, as the learned reader reads it


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    """Whole sentences of the passages, each once (overlapping chunks repeat sentences: it
    counts in its best passage), headings without their Markdown markup, analysed together."""
    found = _whole_sentences(passages)
    analysed = analyze_each([text for _, text, _ in found])
    return [
        Candidate(number, text, frozenset(terms), before)
        for (number, text, before), terms in zip(found, analysed, strict=True)
    ]


def candidate_texts(passages: Sequence[Passage]) -> list[str]:
    """The candidates' texts alone, for a look at their wording that needs no analysis."""
    return [text for _, text, _ in _whole_sentences(passages)]


def _whole_sentences(passages: Sequence[Passage]) -> list[tuple[int, str, str]]:
    """(passage number, text, the sentence before) of each candidate, in order."""
    found: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for number, passage in enumerate(passages, start=1):
        spans = split_sentences(passage.text)
        for position, span in enumerate(spans):
            if _is_fragment(span.text, position, len(spans), passage):
                continue
            text = span.text.lstrip("#").strip()
            if len(text) >= _MIN_SENTENCE_CHARS and text not in seen:
                seen.add(text)
                before = spans[position - 1].text.lstrip("#").strip() if position else ""
                found.append((number, text, before))
    return found


def _is_fragment(text: str, position: int, count: int, passage: Passage) -> bool:
    """A sentence cut by the chunk's edges: it starts mid-sentence, or stops mid-sentence."""
    if position == 0 and passage.start > 0 and text[:1].islower():
        return True
    return position == count - 1 and count > 1 and not _ENDS_SENTENCE.search(text)
