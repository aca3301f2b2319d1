"""Stories about a question's subject, for the answers that are not one fact (answering.digest,
answering.timeline): the retrieved passages grouped by article (syndicated copies were grouped
by retrieval already: one article stands for its story), each story kept only when it is about
the subject, and the sentence of it that says most about the question.

"About the subject": the story holds at least half of the question's own terms (its date words
and its news wording, "que s'est-il passé", aside: retrieval.news.shaping.subject_terms); when no story
holds any (an English question over French articles), it comes within a margin of the best
dense similarity. A question with no subject left ("Que s'est-il
passé hier ?") is about its period: every story retrieval kept for it counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from answering.citations import verify_sentences
from answering.protocol import Citation
from answering.query import Query
from answering.reader_dates import reader_date
from answering.sentences import MarkedSentence, content_terms, render_marked
from answering.sentences import candidates as sentence_candidates
from retrieval.encoders.embedding import Embedder
from retrieval.models import Passage
from retrieval.news import shaping

# A story whose best passage comes within this of the best passage's dense similarity is about
# the subject even without a shared term (the margin retrieval uses for a period).
RELATED_DENSE_MARGIN = 0.02
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


def subject_terms(query: Query) -> frozenset[str]:
    """What a story must speak of (retrieval.news.shaping.subject_terms, on the standalone question);
    a number beside a word ("6" in "Ariane 6") is left aside: most news text holds figures."""
    terms = shaping.subject_terms(query.search)
    words = frozenset(t for t in terms if not t.isdigit())
    return words or terms


def stories_about(query: Query, passages: Sequence[Passage]) -> list[Story]:
    """The retrieved articles about the question's subject, in retrieval's order, each with its
    passages. A story is about it when it holds at least half the subject's terms ("grève"
    alone is not about "la grève à la SNCF"), the telling ones among them (`_telling_terms`); when no story holds any (an English question over
    French articles), when it comes within RELATED_DENSE_MARGIN of the best dense similarity."""
    topic = subject_terms(query)
    by_article: dict[str, list[Passage]] = {}
    for passage in passages:
        by_article.setdefault(passage.article_id, []).append(passage)
    groups = [tuple(held) for held in by_article.values()]
    if not topic:
        return [Story(rank, group) for rank, group in enumerate(groups)]
    shared = [frozenset().union(*(topic & p.terms for p in group)) for group in groups]
    if any(shared):
        telling = _telling_terms(shared)
        kept = [
            group for group, held in zip(groups, shared, strict=True) if 2 * len(held) >= len(topic) and held & telling
        ]
    else:
        best = _dense(passages)
        kept = [g for g in groups if best is not None and (d := _dense(g)) is not None and d >= best - RELATED_DENSE_MARGIN]
    return [Story(rank, group) for rank, group in enumerate(kept)]


def _telling_terms(shared: Sequence[frozenset[str]]) -> frozenset[str]:
    """The subject's terms held by the fewest retrieved stories (of those held at all): what
    tells the subject from its neighbours ("Logivert" in "le procès Logivert", "gazole" in "les
    prix du gazole"); a story holding half the subject's words but none of these ("les travaux
    du tramway de Bordeaux" for Tours) is about another subject."""
    counts: dict[str, int] = {}
    for held in shared:
        for term in held:
            counts[term] = counts.get(term, 0) + 1
    fewest = min(counts.values())
    return frozenset(term for term, count in counts.items() if count == fewest)


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
    topic = subject_terms(query) or frozenset(query.terms)
    scored: list[tuple[float, int, Quote]] = []
    for order, candidate in enumerate(sentence_candidates(story.passages)):
        passage = story.passages[candidate.passage_number - 1]
        lede = passage.start == 0 and _opens(passage, candidate.text)
        score = len(topic & content_terms(candidate.text)) + LEDE_BONUS * lede
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
