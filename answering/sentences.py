"""Sentences, key terms and `[n]` markers: the text handling shared by answerers and verification."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from retrieval.lexical import analyze

_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+[»”\"')\]]*|\n|$)")
_MARKERS = re.compile(r"\s*((?:\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_NUMBER = re.compile(r"\d[\d\s\u00a0\u202f.,]*\d|\d")
_MARKER_NUMBERS = re.compile(r"\d+")
# Thousands separators of either language: 130 000, 130 000, 130,000, 130.000.
_GROUPING = re.compile(r"(?<=\d)[\s\u00a0\u202f,.](?=\d{3}(?!\d))|[\s\u00a0\u202f]")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Span]:
    """Sentences with their offsets in `text`, stripped, skipping empty ones."""
    spans = []
    for match in _SENTENCE.finditer(text):
        raw = match.group(0)
        stripped = raw.strip()
        if len(stripped) < 2:
            continue
        start = match.start() + raw.index(stripped)
        spans.append(Span(start, start + len(stripped), stripped))
    return spans


def numbers_in(text: str) -> set[str]:
    """Numbers with their grouping removed: '130 000' and '130000' are the same figure."""
    return {_GROUPING.sub("", n.rstrip(".,")) for n in _NUMBER.findall(text)}


def content_terms(text: str) -> set[str]:
    """Stemmed, accent-folded content words (the BM25 analysis)."""
    return set(analyze(text))


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class MarkedSentence:
    """A sentence of an answer with the passage numbers it cites, markers removed from the text."""

    text: str
    cites: tuple[int, ...]


def parse_marked(answer: str) -> list[MarkedSentence]:
    """Split an answer into sentences, attaching each `[n]` / `[n][m]` / `[n, m]` run to the
    sentence it closes (a run at the very start of a sentence belongs to the one before)."""
    pieces: list[MarkedSentence] = []
    cursor = 0
    for match in _MARKERS.finditer(answer):
        before = answer[cursor : match.start()]
        cites = tuple(int(n) for n in _MARKER_NUMBERS.findall(match.group(1)))
        sentences = split_sentences(before)
        if not sentences and pieces:
            last = pieces[-1]
            pieces[-1] = MarkedSentence(last.text, last.cites + cites)
        else:
            pieces.extend(MarkedSentence(s.text, ()) for s in sentences[:-1])
            if sentences:
                pieces.append(MarkedSentence(sentences[-1].text, cites))
        cursor = match.end()
    pieces.extend(MarkedSentence(s.text, ()) for s in split_sentences(answer[cursor:]))
    return [p for p in pieces if p.text.strip(" .,;:")]


def render_marked(sentences: list[MarkedSentence]) -> str:
    """Sentences with their markers after them: 'Text. [1][2] Next. [3]'."""
    parts = []
    for sentence in sentences:
        markers = "".join(f"[{n}]" for n in sentence.cites)
        closed = sentence.text.rstrip()[-1:] in {".", "!", "?", "…", "»", "\"", "”"}
        parts.append(f"{sentence.text} {markers}".strip() + ("" if closed else "."))
    return " ".join(parts)
