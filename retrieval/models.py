"""Value objects that cross stage boundaries: an article, a chunk of it, a retrieved passage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from retrieval.dates import QuestionDates
    from retrieval.news.temporal import DateOutcome


@dataclass(frozen=True, slots=True)
class Article:
    """One article file, parsed: `text` is what chunk offsets refer to (front matter or date
    header removed); it starts at character `body_offset` of the file as decoded."""

    id: str  # path relative to ARTICLES_DIR, with forward slashes
    title: str
    # Publication date: "YYYY-MM" (seed header), "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS][±HH:MM]"
    # (front matter), or None.
    date: str | None
    text: str
    content_hash: str  # sha256 of the raw file bytes
    url: str | None = None  # the original article (front matter)
    source: str | None = None  # the outlet or agency that published it
    author: str | None = None
    lang: str | None = None  # declared language code ("fr", "en")
    body_offset: int = 0  # characters of the file before `text` (front matter, header, blanks)
    # What reading the file left aside and why ("front matter is not valid YAML (line 3)"), for
    # the person who offered it; only on an article just read from its file, never stored.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Chunk:
    """A span of an article: `article.text[start:end] == text`."""

    article_id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Copy:
    """Another publication of the same story (a near-duplicate article)."""

    article_id: str
    source: str | None
    url: str | None
    date: str | None


@dataclass(frozen=True, slots=True)
class Headline:
    """An article as a list of news shows it."""

    article_id: str
    title: str
    date: str | None
    source: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with what a reader and a citation need, and the scores behind its rank."""

    chunk_id: int
    article_id: str
    title: str
    date: str | None
    start: int
    end: int
    text: str
    score: float  # fused score (the rank order)
    dense_score: float | None = None  # cosine similarity, when the dense retriever saw it
    bm25_score: float | None = None  # BM25 score, when the lexical retriever saw it
    dense_rank: int | None = None
    bm25_rank: int | None = None
    url: str | None = None  # the original article, from its front matter
    source: str | None = None  # who published it
    # Its analysed terms as the index stores them (text.analyze): refusal, follow-ups and the
    # answerer read them instead of analysing the passage again.
    terms: frozenset[str] = frozenset()
    copies: tuple[Copy, ...] = ()  # the same story published elsewhere (retrieval.news.duplicates)
    body_offset: int = 0  # characters of the file before the article's text (front matter, header)

    @property
    def file_start(self) -> int:
        """Where the passage starts in the file as stored (UTF-8 characters), what people are
        shown; `start` counts from the article's text, after any front matter or date header."""
        return self.body_offset + self.start

    @property
    def file_end(self) -> int:
        return self.body_offset + self.end

    def to_dict(self, rank: int) -> dict[str, object]:
        return {
            "rank": rank,
            "article": self.article_id,
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "url": self.url,
            "also_published": [{"article": c.article_id, "source": c.source, "url": c.url} for c in self.copies],
            "chunk_id": self.chunk_id,
            "start": self.file_start,
            "end": self.file_end,
            "score": round(self.score, 6),
            "dense_score": None if self.dense_score is None else round(self.dense_score, 6),
            "bm25_score": None if self.bm25_score is None else round(self.bm25_score, 6),
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What retrieval needs of a question: the text to embed and its analysed terms
    (text.analyze), computed once by whoever understood the question."""

    text: str
    terms: tuple[str, ...]
    # The period or "the latest" the question asks about (retrieval.dates), read once from its
    # text against the bot's clock; None: dates play no part.
    dates: QuestionDates | None = None
    # It asks for news (a digest or a timeline, answering.query): a period counts only the
    # articles about its subject (retrieval.news.shaping.Subject). A fact question keeps the looser
    # test (one of its terms, or as close in meaning as the best): its answer may sit in any
    # article naming the period.
    news: bool = False


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The passages for one question, with how long retrieval took."""

    question: str
    passages: list[Passage]
    timings_ms: dict[str, float]
    # The share of the question's IDF the best passage holds (search.idf_match); None without BM25.
    idf_match: float | None = None
    # The question's embedding, for the answering layer to reuse; None without dense retrieval.
    query_vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    # How the question's period or "latest" shaped the ranking; None when it names neither.
    dates: DateOutcome | None = None
    # The IDF of the question's terms over the index (IndexView.term_idf); None without BM25.
    # What decides whether a story is about the question's subject (retrieval.news.shaping.Subject).
    term_weights: dict[str, float] | None = field(default=None, compare=False, repr=False)
