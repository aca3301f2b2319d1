"""Timeline questions ("Chronologie de la grève SNCF", "How did the Aleppo siege unfold?"): one
line per dated story about the subject (answering.stories), in time order — its date, then one
cited sentence, the one most about the question — within the period asked if any. Every line
is kept (at most the retrieved stories); front ends show them TIMELINE_PAGE at a time (the bot
with a "suite" button). Undated articles cannot be placed in time and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from answering import wording
from answering.protocol import Answer, AnswererName
from answering.query import Query
from answering.stories import (
    UNCALIBRATED,
    Margins,
    Story,
    cited_lines,
    oldest_first,
    published_in,
    quotes,
    stories_about,
)
from retrieval.dates import Period
from retrieval.encoders.embedding import Embedder
from retrieval.models import Passage

# Lines a reader is shown at once; the rest comes a page at a time (the bot's "suite" button).
TIMELINE_PAGE = 10


def timeline_stories(
    query: Query, passages: Sequence[Passage], period: Period | None = None, weights: Mapping[str, float] | None = None,
    margins: Margins = UNCALIBRATED, embedder: Embedder | None = None,
) -> list[Story]:
    """The dated stories about the subject, oldest first: those published in `period` (the
    period asked, when retrieval found it) when some are; `weights`: SearchResult.term_weights;
    `embedder`: see stories_about."""
    return oldest_first(published_in(stories_about(query, passages, weights, margins, embedder), period))


def timeline(
    query: Query, stories: Sequence[Story], embedder: Embedder | None, period: str | None = None,
    answerer: AnswererName = "extractive",
) -> Answer:
    """One line per story: "12 décembre 2024 — sentence [n]"; `period`: the period asked, as the
    framing names it ("« décembre 2024 », du 1er au 31 décembre 2024")."""
    lines = [(f"{s.dated(query.language)} — ", found) for s in stories if (found := quotes(query, s, 1, embedder))]
    text, cited = cited_lines(lines)
    framing = None
    if lines:
        framing = (
            wording.render("timeline_heading_period", query.language, period=period) if period
            else wording.load("timeline_heading", query.language)
        )
    return Answer(
        question=query.text, text=text, citations=cited, answered=bool(lines), language=query.language,
        answerer=answerer, framing=framing, intent=query.intent,
    )
