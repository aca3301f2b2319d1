"""Dates in retrieval: a period named in a question, and "the latest", reorder the candidates.

A question's period favours, among the fused candidates,
- articles *published* in it (their front matter or seed date overlaps the period), and
- passages that *mention* it (a date in the passage, no coarser than the period: "2016" does
  not speak of "décembre 2016", "le 12 décembre" does), then articles that mention it elsewhere.
Publication date is not event date: an article that speaks of the period is never left out for
being published later. When some candidates are in the period, the others are dropped from
what the answerer sees, so an answer never comes from another period; when none is, nothing
is reordered and the outcome says so (the answer then tells the user, rather than answering
from another period).

"The latest" ("dernières nouvelles", "latest") adds a third ranking to the fusion: candidates
by publication date, newest first, so recent articles rise among the relevant ones.

Date mentions in passages are found at index time (`mentions_for_index`) and stored per chunk
(`chunk_dates`), so a question costs one SQL query over its candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from retrieval.dates import DateFinder, Period, QuestionDates

if TYPE_CHECKING:  # the search pipeline (retrieval.search) runs this step
    from retrieval.search import Fused

# How much being in the period lifts a candidate's fused score (multiplied): publication in
# the period counts most, then the passage itself naming it, then the article naming it
# elsewhere. Set on the news test set (evaluation/news.py): with RRF scores spanning about a
# factor 5 over 50 candidates, x2 lifts an article published in the period by ~10 ranks.
PUBLISHED_BOOST = 1.0
PASSAGE_MENTION_BOOST = 0.5
ARTICLE_MENTION_BOOST = 0.2
# "The latest" reorders, newest first, the candidates whose fused score is at least this share
# of the best one (the ones about the subject); the others follow by score.
LATEST_POOL = 0.5
# A candidate in the period is about the question's subject when it holds one of the question's
# terms other than the date's, or comes within this of the best dense similarity (a question in
# another language than the articles shares no term with them). Articles in the period that
# only share the date words ("juillet 2024") do not count as an answer for that period.
RELATED_DENSE_MARGIN = 0.02


@dataclass(frozen=True, slots=True)
class CandidateDating:
    """What the index knows about one candidate chunk's dates, for one question period."""

    article_id: str
    published: str | None  # the article's date as stored
    passage_mentions: bool  # the chunk names a date within the period
    article_mentions: bool  # some chunk of its article does


@dataclass(frozen=True, slots=True)
class DateOutcome:
    """How a question's dates shaped retrieval: its period (None for "latest" alone), the
    words that named it, and how many candidates were in it (0: no article for that period)."""

    period: Period | None
    named_as: str
    in_period: int
    latest: bool

    @property
    def period_found(self) -> Period | None:
        """The period asked when retrieval found articles in it: what a digest or a timeline
        keeps its stories to (None: no period asked, or nothing in it)."""
        return self.period if self.in_period else None


def mentions_for_index(finder: DateFinder, text: str, published: str | None) -> list[Period]:
    """The periods a passage names, for the index. Relative dates ("hier", "mardi") are read
    from a publication day; a day or month without a year ("le 12 décembre") needs at least a
    publication month; with no publication date only full dates count."""
    publication = Period.from_publication(published)
    reference = publication.last if publication is not None else date(2000, 1, 1)
    periods: list[Period] = []
    for mention in finder.find(text, reference, nearest=True):
        if mention.relative and (publication is None or publication.days > 1):
            continue
        if mention.year_inferred and publication is None:
            continue
        periods.append(mention.anchor)
    return periods


def speaks_of(mention: Period, period: Period) -> bool:
    """A mention speaks of a period when it overlaps it and is no coarser."""
    return mention.overlaps(period) and mention.days <= period.days


def rerank(
    fused: Sequence[Fused],
    dating: dict[int, CandidateDating],
    question: QuestionDates,
    related: Callable[[Fused], bool],
) -> tuple[list[Fused], DateOutcome]:
    """The candidates reordered (and, when some related ones are in the period, only those in
    the period, the related ones published in it first) for `question`. `related(candidate)`:
    is it about the question's subject."""
    period = question.period
    candidates = list(fused)
    in_period = 0
    if period is not None:
        boosted: list[Fused] = []
        published_flags: list[bool] = []
        for candidate in candidates:
            info = dating.get(candidate.chunk_id)
            if info is None:
                continue
            published = Period.from_publication(info.published)
            published_in = published is not None and published.overlaps(period)
            if not (published_in or info.passage_mentions or info.article_mentions):
                continue
            boost = (
                PUBLISHED_BOOST * published_in
                + PASSAGE_MENTION_BOOST * info.passage_mentions
                + ARTICLE_MENTION_BOOST * info.article_mentions
            )
            boosted.append(replace(candidate, score=candidate.score * (1.0 + boost)))
            published_flags.append(published_in)
        about = [related(candidate) for candidate in boosted]
        in_period = sum(about)
        if in_period:
            # The articles published in the period and about the subject lead: one of the period
            # on another subject, scoring higher on the date words alone ("en décembre 2024"),
            # is not what was asked, and one about it may score low (English wire copy for a
            # French question). Articles that only name the period keep their score's place (a
            # fact's answer may sit in one the subject test misses: PIAF's articles all date
            # from 2020 and name the years asked about).
            leads = [on and published for on, published in zip(about, published_flags, strict=True)]
            candidates = _sorted(c for c, lead in zip(boosted, leads, strict=True) if lead) + _sorted(
                c for c, lead in zip(boosted, leads, strict=True) if not lead
            )
    if question.latest:
        candidates = _newest_first(candidates, dating)
    named_as = " ".join(m.text for m in question.mentions)
    return candidates, DateOutcome(period, named_as, in_period, question.latest)


def _newest_first(candidates: list[Fused], dating: dict[int, CandidateDating]) -> list[Fused]:
    """The candidates about the subject (score within LATEST_POOL of the best), newest first;
    then the others by score."""
    if not candidates:
        return candidates
    floor = LATEST_POOL * max(c.score for c in candidates)
    pool = [c for c in candidates if c.score >= floor]
    rest = [c for c in candidates if c.score < floor]

    def newest(candidate: Fused) -> str:
        info = dating.get(candidate.chunk_id)
        return _sort_key(info.published if info is not None else None)

    return sorted(pool, key=newest, reverse=True) + rest


def _sort_key(published: str | None) -> str:
    period = Period.from_publication(published)
    # A day-less date sorts by its last day; a time, when given, orders a day's articles.
    return (period.last.isoformat() if period else "") + (published or "")[10:]


def _sorted(candidates: Iterable[Fused]) -> list[Fused]:
    return sorted(candidates, key=lambda f: -f.score)
