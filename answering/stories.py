"""Stories about a question's subject, for the answers that are not one fact (answering.digest,
answering.timeline): the retrieved passages grouped by article (syndicated copies were grouped
by retrieval already: one article stands for its story), each story kept only when it is about
the subject, and the sentence of it that says most about the question.

"About the subject" is retrieval's test (retrieval.news.shaping.Subject: the story holds at least half of
the subject's IDF weight, a name counting only where it is written), applied to each story as a
whole; for an encoder calibrated for it, meaning then sets apart the stories that share the
common words but not the subject (Margins). A story in another language than the question shares
its names only ("Logivert", not "trial" and "procès"): it is about the subject when it shows them
and comes close enough in meaning. When no story holds any of the subject's terms (a question in
another language naming nothing in the articles' words), one as close in meaning as the best
is (retrieval.news.shaping.close_in_meaning, the margin retrieval uses for a period). A question
with no subject left ("Que s'est-il passé hier ?") is about its period: every story retrieval
kept for it counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from answering.citations import verify_sentences
from answering.protocol import Citation
from answering.query import Query, detect_language
from answering.sentences import MarkedSentence, render_marked
from answering.sentences import candidates as sentence_candidates
from answering.wording import reader_date
from retrieval.dates import Period
from retrieval.encoders.embedding import Embedder
from retrieval.models import Passage
from retrieval.news.shaping import Subject, close_in_meaning
from retrieval.text import analyze


@dataclass(frozen=True, slots=True)
class Margins:
    """Meaning decides among the stories the words let in, relative to the closest of them (the
    best dense similarity of a story about the subject by its words, or showing its names):
    - `same_language`: a story in the question's language is about the subject only within this
      of it ("la grève à la SNCF", at Lyon, holds "grève" and "Lyon" but is not "la grève des
      éboueurs de Lyon");
    - `cross_language`: a story in another language shares only the names ("Logivert", not
      "trial" and "procès"): it is about the subject when it shows them and comes within this.
    Calibrated per encoder (qabot.calibration); None: the words decide alone (same language),
    the names alone (another language)."""

    same_language: float | None = None
    cross_language: float | None = None


# An encoder never calibrated: the words (and the names) decide alone.
UNCALIBRATED = Margins()

# The opening sentence of an article says what its story is: it wins a tie on the question's terms.
LEDE_BONUS = 0.5


@dataclass(frozen=True, slots=True)
class Story:
    """One article about the subject: its passages (their positions in the retrieved list),
    where it ranked among the stories, and its publication."""

    rank: int
    passages: tuple[Passage, ...]

    @property
    def first(self) -> Passage:
        return self.passages[0]

    @property
    def date(self) -> str | None:
        return self.first.date

    @property
    def source(self) -> str | None:
        return self.first.source

    def dated(self, language: str) -> str | None:
        """Its publication date as a reader reads it ("12 décembre 2024"), None when undated."""
        return reader_date(self.date, language) if self.date else None


@dataclass(frozen=True, slots=True)
class Quote:
    """A story's sentence, verified against its passage, to cite."""

    story: Story
    text: str
    passage: Passage


def stories_about(
    query: Query, passages: Sequence[Passage], weights: Mapping[str, float] | None = None,
    margins: Margins = UNCALIBRATED, embedder: Embedder | None = None,
) -> list[Story]:
    """The retrieved articles about the question's subject (see the module), in retrieval's
    order, each with its passages; `weights`: the IDF of the question's terms
    (SearchResult.term_weights); `embedder`: what reads a headline and lede's meaning when
    their words leave it in doubt (see _about; None: their words alone)."""
    subject = Subject.of(query.search, weights)
    groups = _by_article(passages)
    if subject.terms:
        groups = _about(query, subject, groups, margins, embedder)
    return [Story(rank, group) for rank, group in enumerate(groups)]


def _by_article(passages: Sequence[Passage]) -> list[tuple[Passage, ...]]:
    by_article: dict[str, list[Passage]] = {}
    for passage in passages:
        by_article.setdefault(passage.article_id, []).append(passage)
    return [tuple(held) for held in by_article.values()]


@dataclass(frozen=True, slots=True)
class _Reading:
    """One article read against the subject: about it by its words (Subject.held_by), showing
    its names (Subject.shows_names), its best dense similarity (None: no dense score), whether
    it is in the question's language, and what its headline and lede say (see _about)."""

    passages: tuple[Passage, ...]
    worded: bool
    named: bool
    dense: float | None
    same_language: bool
    lede: str | None = None  # its headline and first paragraph; None: its opening not retrieved
    leads_with_subject: bool = False
    leads_off_topic: bool = False
    lede_near: bool = True  # its headline and lede come close enough in meaning (see _about)

    @property
    def doubtful(self) -> bool:
        """About the subject by its words, but its headline and lede hold none of the subject's
        common words: its body may only mention them in passing."""
        return self.worded and self.same_language and self.leads_off_topic

    @property
    def about_by_words(self) -> bool:
        return self.worded and (self.lede_near or not self.doubtful)


def _about(
    query: Query, subject: Subject, groups: Sequence[tuple[Passage, ...]], margins: Margins,
    embedder: Embedder | None,
) -> list[tuple[Passage, ...]]:
    """The articles (groups of passages) about a subject that has terms, in their order.

    What a newsroom reads first: a story is about what its headline and lede say. In the
    question's language, a headline and lede holding every term of the subject make the story
    about it without meaning's margin (the newest tram article, about a viaduct, is still the
    tram's); a story about the subject by its words whose headline and lede hold none of its
    common words is in doubt (a wildfire "in the Pyrénées-Orientales" whose body speaks of the
    drought; but also the Logivert appeal, which never writes "procès" up top): it stays only
    when its headline and lede come within the same-language margin of the closest headline and
    lede about the subject, in meaning (read only when some story is in doubt)."""
    held = [frozenset().union(*(p.terms for p in group)) for group in groups]
    if not any(subject.marked_by(terms, _text(group)) for group, terms in zip(groups, held, strict=True)):
        best = max((d for group in groups if (d := _dense(group)) is not None), default=None)
        return [group for group in groups if close_in_meaning(_dense(group), best)]
    readings = [_read(query, subject, group, terms) for group, terms in zip(groups, held, strict=True)]
    if any(r.doubtful for r in readings):
        readings = _weigh_ledes(query, readings, margins.same_language, embedder)
    closest_worded = max((r.dense for r in readings if r.about_by_words and r.dense is not None), default=None)
    closest_named = max((r.dense for r in readings if r.named and r.dense is not None), default=None)

    def about(reading: _Reading) -> bool:
        # A story whose headline and lede say the whole subject is about it, however far its
        # passages wander in meaning (the newest tram article, about a viaduct). One sharing the
        # subject's words and no dense score keeps its words' verdict; one sharing only names
        # needs meaning to say it is about the subject.
        if reading.about_by_words and (
            (reading.same_language and reading.leads_with_subject)
            or _within(reading.dense, closest_worded, margins.same_language, unscored=True)
        ):
            return True
        return (
            reading.named and not reading.same_language
            and _within(reading.dense, closest_named, margins.cross_language, unscored=False)
        )

    return [reading.passages for reading in readings if about(reading)]


def _read(query: Query, subject: Subject, passages: tuple[Passage, ...], held: frozenset[str]) -> _Reading:
    """One story read against the subject: its words anywhere (Subject.held_by), its names, its
    language, and what its headline and lede hold (unknown when its opening was not retrieved)."""
    text = _text(passages)
    same = detect_language(text, default=query.language) == query.language
    reading = _Reading(passages, subject.held_by(held, text), subject.shows_names(text), _dense(passages), same)
    lede = _headline_and_lede(passages)
    if lede is None:
        return reading
    terms = frozenset(analyze(lede))
    return replace(reading, lede=lede, leads_with_subject=subject.wholly_held_by(terms, lede),
                   leads_off_topic=not subject.topic_held_by(terms))


def _text(passages: Sequence[Passage]) -> str:
    """A story's retrieved titles and texts, as the subject's names are looked for in them."""
    return "\n".join(f"{p.title}\n{p.text}" for p in passages)


def _weigh_ledes(
    query: Query, readings: Sequence[_Reading], margin: float | None, embedder: Embedder | None
) -> list[_Reading]:
    """The readings, each story in doubt (_Reading.doubtful) marked near when its headline and
    lede come within `margin` of the closest headline and lede of a story about the subject by
    its words (in the question's language), in dense similarity to the question. No margin (an
    encoder never calibrated), no embedder or no question vector: the words decide alone, the
    story in doubt stays."""
    if margin is None or embedder is None or query.vector is None:
        return list(readings)
    weighed = [i for i, r in enumerate(readings) if r.worded and r.same_language and r.lede is not None]
    vectors = embedder.embed_passages([readings[i].lede or "" for i in weighed])
    asked = np.asarray(query.vector, dtype=np.float32)
    similarity = dict(zip(weighed, (_cosine(v, asked) for v in vectors), strict=True))
    closest = max((similarity[i] for i in weighed if not readings[i].doubtful), default=None)
    if closest is None:
        return list(readings)
    return [
        replace(r, lede_near=similarity[i] >= closest - margin) if r.doubtful and i in similarity else r
        for i, r in enumerate(readings)
    ]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b)) / norm if norm else 0.0


def _headline_and_lede(passages: Sequence[Passage]) -> str | None:
    """The story's headline and first paragraph; None when its opening passage was not retrieved."""
    opening = next((p for p in passages if p.start == 0), None)
    if opening is None:
        return None
    body = opening.text.lstrip()
    if body.startswith("#"):  # a Markdown heading repeating the title
        body = body.split("\n", 1)[-1].lstrip()
    lede = body.split("\n\n", 1)[0]
    return f"{opening.title}\n{lede}"


def _within(dense: float | None, closest: float | None, margin: float | None, unscored: bool) -> bool:
    """Whether a story's best dense similarity comes within `margin` of the closest story's. No
    margin (an uncalibrated encoder): the words decide alone. No dense score (not among the
    dense candidates): `unscored` decides."""
    if margin is None or closest is None:
        return True
    return unscored if dense is None else dense >= closest - margin


def anything_about(
    query: Query, passages: Sequence[Passage], weights: Mapping[str, float] | None = None,
    margins: Margins = UNCALIBRATED, embedder: Embedder | None = None,
) -> bool:
    """Whether some retrieved story is about the subject, or writes its names ("ECB" for "What
    did the ECB decide in March 2023?", whose verb no article holds): what makes "no article in
    the period" true rather than "nothing on this at all"."""
    subject = Subject.of(query.search, weights)
    return bool(stories_about(query, passages, weights, margins, embedder)) or any(
        subject.shows_names(f"{p.title}\n{p.text}") for p in passages
    )


def names_a_subject(query: Query, weights: Mapping[str, float] | None = None) -> bool:
    """Whether the question names something beyond its period and the words of any event
    ("Que s'est-il passé à Grenoble hier ?" names Grenoble; "Que s'est-il passé hier ?" nothing)."""
    return bool(Subject.of(query.search, weights).terms)


def published_in(stories: Sequence[Story], period: Period | None) -> list[Story]:
    """The stories published in `period` when some are (what "what happened in March" asks
    for); else all of them: they speak of the period without being published in it."""
    if period is None:
        return list(stories)
    inside = [s for s in stories if (published := Period.from_publication(s.date)) is not None and published.overlaps(period)]
    return inside or list(stories)


def _dense(passages: Sequence[Passage]) -> float | None:
    return max((p.dense_score for p in passages if p.dense_score is not None), default=None)


def newest_first(stories: Sequence[Story]) -> list[Story]:
    """Dated stories newest first (a day's by time when stored), then the undated in rank order."""
    dated = sorted((s for s in stories if s.date), key=lambda s: (s.date or "", -s.rank), reverse=True)
    return dated + [s for s in stories if not s.date]


def oldest_first(stories: Sequence[Story]) -> list[Story]:
    """Dated stories in time order; the undated cannot be placed and are left out."""
    return sorted((s for s in stories if s.date), key=lambda s: (s.date or "", s.rank))


def quotes(
    query: Query, story: Story, count: int, embedder: Embedder | None
) -> list[Quote]:
    """The story's `count` sentences most about the question (its lede wins a tie), each passing
    the citation check against its passage (answering.citations), in the article's order."""
    topic = Subject.of(query.search).terms or frozenset(query.terms)
    scored: list[tuple[float, int, Quote]] = []
    for order, candidate in enumerate(sentence_candidates(story.passages)):
        passage = story.passages[candidate.passage_number - 1]
        lede = passage.start == 0 and _opens(passage, candidate.text)
        score = len(topic & candidate.terms) + LEDE_BONUS * lede
        scored.append((score, order, Quote(story, candidate.text, passage)))
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen = sorted(scored[:count], key=lambda s: s[1])
    return [quote for _, _, quote in chosen if _supported(quote, embedder, query.language)]


_SPACES = re.compile(r"\s+")


def _opens(passage: Passage, sentence: str) -> bool:
    """Whether `sentence` is the first sentence of the passage (the heading aside)."""
    body = _SPACES.sub(" ", passage.text.lstrip("# \n")).strip()
    first_line = passage.text.lstrip().split("\n", 1)[0]
    if first_line.startswith("#"):
        body = _SPACES.sub(" ", passage.text.lstrip().split("\n", 1)[-1]).strip()
    return body.startswith(_SPACES.sub(" ", sentence)[:40])


def _supported(quote: Quote, embedder: Embedder | None, language: str) -> bool:
    checked = verify_sentences([MarkedSentence(quote.text, (1,))], [quote.passage], embedder, language)
    return bool(checked.sentences)


def cited_lines(lines: Sequence[tuple[str, Sequence[Quote]]]) -> tuple[str, list[Citation]]:
    """Lines of quotes, each after its heading ("12 décembre 2024 (AFP) — "), with their `[n]`
    numbered 1..k by first use, and the k citations."""
    numbering: dict[int, int] = {}  # chunk id -> its number
    cited: list[Passage] = []
    shown = []
    for heading, line_quotes in lines:
        sentences = []
        for quote in line_quotes:
            n = numbering.setdefault(quote.passage.chunk_id, len(numbering) + 1)
            if n > len(cited):
                cited.append(quote.passage)
            sentences.append(MarkedSentence(quote.text, (n,)))
        shown.append(heading + render_marked(sentences))
    return "\n".join(shown), [Citation(n, passage) for n, passage in enumerate(cited, start=1)]
