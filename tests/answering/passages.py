"""Passages as retrieval returns them (with the terms the index stores), for unit tests."""

from __future__ import annotations

from retrieval.models import Passage
from retrieval.text import analyze


def passage(n: int, text: str, dense_score: float | None = None) -> Passage:
    return Passage(chunk_id=n, article_id=f"a{n}.txt", title=f"Titre {n}", date="2016-12",
                   start=0, end=len(text), text=text, score=1.0 / n, dense_score=dense_score,
                   terms=frozenset(analyze(text)))
