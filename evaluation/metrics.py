"""Evaluation metrics: pure functions over strings and ranks, no model and no index.

Matching is done on normalised text (lower case, accents folded, punctuation and apostrophes
turned into spaces, whitespace collapsed) and on whole words: the gold answer "1802" is found
in "né en 1802 à Besançon" but not in "18025".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

_PUNCT = re.compile(r"[^\w\s]|_")
_MARKER = re.compile(r"\[(\d+)\]")

Hit = int | None  # 0-based rank of the first relevant item, None when none was retrieved


def normalize(text: str) -> str:
    """Lower case, accents folded, punctuation turned into spaces, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCT.sub(" ", folded).split())


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """True when one of the (non-empty) gold answers occurs in `text` as whole words."""
    haystack = f" {normalize(text)} "
    return any((needle := normalize(a)) and f" {needle} " in haystack for a in answers)


def first_hit(passages: Sequence[tuple[str, str]], gold_article: str, answers: Sequence[str]) -> Hit:
    """Rank of the first (article, text) that lies in the gold article and holds a gold answer."""
    for rank, (article, text) in enumerate(passages):
        if article == gold_article and contains_answer(text, answers):
            return rank
    return None


def first_article_hit(articles: Sequence[str], gold_article: str) -> Hit:
    """Rank of the first passage from the gold article, whatever its text."""
    return next((rank for rank, article in enumerate(articles) if article == gold_article), None)


def recall_at(hits: Sequence[Hit], k: int) -> float:
    """Share of questions with a relevant item in the top k."""
    return sum(h is not None and h < k for h in hits) / len(hits) if hits else 0.0


def mrr(hits: Sequence[Hit], cutoff: int = 10) -> float:
    """Mean reciprocal rank, counting only hits within `cutoff` (MRR@cutoff)."""
    return sum(1 / (h + 1) for h in hits if h is not None and h < cutoff) / len(hits) if hits else 0.0


def strip_markers(text: str) -> str:
    return _MARKER.sub(" ", text)


def answer_accuracy(answer: str, answers: Sequence[str]) -> bool:
    """The answer states a gold answer (citation markers ignored)."""
    return contains_answer(strip_markers(answer), answers)


_CITED = re.compile(r"[^\[\]]*?\[\d+\](?:\[\d+\])*")


def cited_sentences(body: str) -> list[str]:
    """An answer body's cited pieces in order, markers removed."""
    return [strip_markers(piece) for piece in _CITED.findall(body)]


def fact_first(body: str, answers: Sequence[str]) -> bool:
    """The first quoted sentence of an answer's body (the first piece carrying a `[n]`) holds a
    gold answer; the lead fact above the body is not a quoted sentence."""
    first = next(iter(cited_sentences(body)), "")
    return bool(first) and contains_answer(first, answers)


def _tokens(text: str) -> list[str]:
    return normalize(text).split()


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """Best SQuAD-style token F1 of the prediction against any gold answer."""
    predicted = _tokens(strip_markers(prediction))
    best = 0.0
    for answer in answers:
        gold = _tokens(answer)
        common = sum((Counter(predicted) & Counter(gold)).values())
        if not common:
            continue
        precision, recall = common / len(predicted), common / len(gold)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def citation_markers(text: str) -> list[int]:
    return [int(n) for n in _MARKER.findall(text)]


def citation_validity(text: str, shown: int) -> tuple[int, int]:
    """(valid, total) `[n]` markers: valid when 1 <= n <= the number of passages shown."""
    markers = citation_markers(text)
    return sum(1 <= n <= shown for n in markers), len(markers)


def citation_support(cited_texts: Sequence[str], answers: Sequence[str]) -> bool:
    """One of the cited passages holds a gold answer."""
    return any(contains_answer(text, answers) for text in cited_texts)


def refusal_rates(declined: Sequence[bool], answerable: Sequence[bool]) -> dict[str, float]:
    """Share of unanswerable questions declined, and of answerable ones wrongly declined."""
    unanswerable = [d for d, a in zip(declined, answerable, strict=True) if not a]
    answerable_declined = [d for d, a in zip(declined, answerable, strict=True) if a]
    return {
        "unanswerable_declined": sum(unanswerable) / len(unanswerable) if unanswerable else 0.0,
        "answerable_wrongly_declined": (
            sum(answerable_declined) / len(answerable_declined) if answerable_declined else 0.0
        ),
    }


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else 0.0


def latency_summary(values_ms: Sequence[float]) -> dict[str, float]:
    return {"p50": round(percentile(values_ms, 50), 1), "p95": round(percentile(values_ms, 95), 1)}
