"""Open news questions ("Que s'est-il passé à la SNCF en décembre 2024 ?", "Quoi de neuf sur
Ariane 6 ?", "What's the latest on the ECB?") answered with a short digest: the best one to
three stories about the subject (answering.stories) — in the period asked, else the newest —
one line each, newest first (oldest first when it asks "depuis le début"): its date and
source, then its lede or the sentences most about the question, cited `[n]`. Stories that merely share the period are not about the subject and
are left out. With a language model, the same stories' passages go to it with a prompt for a
short cited summary (prompts/digest.*.md), and its answer is checked like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from answering import wording
from answering.protocol import Answer, AnswererName
from answering.query import Query, quote_framing
from answering.stories import (
    UNCALIBRATED,
    Margins,
    Story,
    cited_lines,
    newest_first,
    oldest_first,
    published_in,
    quotes,
    stories_about,
)
from retrieval.dates import Period
from retrieval.encoders.embedding import Embedder
from retrieval.models import Passage

# A digest is the best one to three stories (issue 24): a short reply to read at a glance; more
# is what a timeline or "the latest" is for.
DIGEST_STORIES = 3
# One story alone gets two sentences (its lede and the next most about the question); several
# get one each, so the digest stays a few lines.
SENTENCES_ALONE = 2


def digest_stories(
    query: Query, passages: Sequence[Passage], period: Period | None, limit: int = DIGEST_STORIES,
    weights: Mapping[str, float] | None = None, margins: Margins = UNCALIBRATED, embedder: Embedder | None = None,
) -> list[Story]:
    """The stories the digest shows (at most `limit`, and DIGEST_STORIES), newest first: when the
    question named a period retrieval found, the best about the subject published in it (those
    that only speak of it when none is), else the newest of those about the subject; `weights`:
    the IDF of the question's terms (SearchResult.term_weights)."""
    about = published_in(stories_about(query, passages, weights, margins, embedder), period)
    count = min(limit, DIGEST_STORIES)
    if period is not None:
        chosen = about[:count]
    elif query.from_the_start:
        # From its start to where it stands: the first dated story, then the newest.
        first = oldest_first(about)[:1]
        chosen = first + [s for s in newest_first(about) if s not in first][: count - len(first)]
    else:
        chosen = newest_first(about)[:count]
    if query.from_the_start:
        return oldest_first(chosen) + [s for s in chosen if not s.date]
    return newest_first(chosen)


def story_passages(stories: Sequence[Story]) -> list[Passage]:
    """The passages of the stories, story by story: what a language model summarises."""
    return [p for story in stories for p in story.passages]


def heading(story: Story, language: str) -> str:
    """"12 décembre 2024 (AFP) — ", what a line of the digest starts with; "" for an undated
    story from no known source."""
    parts = " ".join(part for part in (story.dated(language), f"({story.source})" if story.source else None) if part)
    return f"{parts} — " if parts else ""


def digest(
    query: Query, stories: Sequence[Story], embedder: Embedder | None, max_sentences: int = SENTENCES_ALONE,
    answerer: AnswererName = "extractive",
) -> Answer:
    """The extractive digest of `stories` (declined when none has a sentence to quote); a story
    alone gets up to `max_sentences` (ANSWER_MAX_SENTENCES) and SENTENCES_ALONE."""
    per_story = min(SENTENCES_ALONE, max_sentences) if len(stories) == 1 else 1
    lines = [(heading(s, query.language), found) for s in stories if (found := quotes(query, s, per_story, embedder))]
    text, cited = cited_lines(lines)
    # Several stories are a list under a heading; one is quoted as any extract is.
    heading_prompt = "digest_heading_oldest" if query.from_the_start else "digest_heading"
    framing = wording.load(
        heading_prompt if len(lines) > 1 else quote_framing(query.language, [c.passage.text for c in cited]),
        query.language,
    )
    return Answer(
        question=query.text, text=text, citations=cited, answered=bool(lines), language=query.language,
        answerer=answerer, framing=framing if lines else None, intent=query.intent,
    )
