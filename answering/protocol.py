"""The answering layer's types and seams: what every answerer returns, what front ends (bot,
CLI) call, and which sentences answer a question.

Front ends see `Answer`s (through qabot.frontdoor.FrontDoor); the answerers behind it
(extractive, LLM) implement `Answerer`. Citations travel with the answer so every front end can
render them.

The sentence scorer seam (`SentenceScorer`, last below): which sentences of the retrieved
passages answer the question. The extractive answer, the decision to decline and the fact the
reply leads with (the LLM's lead too) all come from one `SentenceScorer`: given the `Query` and
the retrieved passages, it scores their sentences (the probability that each answers, and the
short answer it holds, if any), then chooses the ones to quote, or none. The sentence judge
(answering.judge) is one implementation; a learned reader can take its place behind a setting
(qabot.services builds the one in use).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from answering.query import Intent, Query
from answering.sentence_features import Fact
from answering.sentences import MarkedSentence
from retrieval.models import Passage

AnswererName = Literal["extractive", "llm"]
# Why an LLM answer was replaced by the extractive one; each has its own note in prompts/
# (`llm_<cause>.<lang>.md`) and is counted by `qabot eval`.
FallbackCause = Literal["unreachable", "timeout", "uncited", "busy"]
FALLBACK_CAUSES: tuple[FallbackCause, ...] = ("unreachable", "timeout", "uncited", "busy")
PartialCallback = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Turn:
    """One past exchange of a conversation, kept for follow-up questions."""

    question: str
    answer: str
    answered: bool = True  # a declined question gives a follow-up nothing to lean on


def origin_label(source: str | None, date: str | None) -> str:
    """Who published a passage and when, for a citation line: "AFP, 2016-12-14 08:30"."""
    when = date.replace("T", " ")[:16] if date else None
    return ", ".join(part for part in (source, when) if part)


@dataclass(frozen=True, slots=True)
class Citation:
    """Citation `[n]` of an answer: the passage it points at."""

    n: int
    passage: Passage

    def to_dict(self) -> dict[str, object]:
        p = self.passage
        return {
            "n": self.n,
            "article": p.article_id,
            "title": p.title,
            "date": p.date,
            "source": p.source,
            "url": p.url,
            "also_published": [{"source": c.source, "url": c.url, "date": c.date} for c in p.copies],
            "start": p.file_start,  # in the file as stored, like every offset people see
            "end": p.file_end,
            "text": p.text,
        }


def markdown_bold(text: str) -> str:
    return f"**{text}**"


def compose(
    body: str,
    lead: str | None = None,
    framing: str | None = None,
    note: str | None = None,
    bold: Callable[[str], str] = markdown_bold,
    reported: str | None = None,
) -> str:
    """An answer's parts as one text: the note, the lead fact (through `bold`) on a line of its
    own, then the framing and the body (a body of several lines, a digest or a timeline, under
    its framing), closed by who reported it and when ("(AFP, 12 décembre 2016)")."""
    if reported:
        body = f"{body} ({reported})"
    text = (f"{framing}\n{body}" if "\n" in body else f"{framing} {body}") if framing else body
    if lead:
        text = f"{bold(lead)}\n{text}"
    return f"{note}\n\n{text}" if note else text


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer: its verified body and exactly the k cited passages it points at, with what is
    shown around the body as values of their own (the lead fact, the framing, the note), so each
    front end composes them its way: the bot in HTML, a terminal in ANSI bold, JSON as Markdown.
    Nothing is written into `text` to be parsed back out."""

    question: str
    # The body: verified sentences with `[n]` markers numbered 1..k; for a declined question,
    # the refusal's sentences (and the nearest articles). Empty in an answerer's answer that
    # hands its sentences on `marked` instead: the citation check writes it from them, once.
    text: str
    citations: list[Citation]
    answered: bool
    language: str  # "fr", "en", ...
    answerer: AnswererName
    timings_ms: dict[str, float] = field(default_factory=dict)
    note: str | None = None  # e.g. "the language model could not be reached"
    fallback: FallbackCause | None = None  # set when the LLM's answer was replaced by the extractive one
    verified: bool = True
    suggestions: list[str] = field(default_factory=list)  # near-miss article titles on refusal
    standalone_question: str | None = None  # the rewritten follow-up used for retrieval
    # The fact the answer leads with ("15 novembre"), taken verbatim from its first quoted
    # sentence when the question asks for a kind of fact that sentence holds; else None.
    short_answer: str | None = None
    # Said before a body of quotes (prompts/extractive.*.md); None before the model's own words.
    framing: str | None = None
    # What the question asked for (answering.query): one fact, open news (a digest of stories),
    # or a timeline (one dated line per story).
    intent: Intent = "fact"
    # Who published the article a fact answer comes from, and when, in the answer's language
    # ("AFP, 12 décembre 2016"): a news answer may be old. None for an undated article.
    reported: str | None = None
    # The body's sentences with the passages each cites, when the answerer wrote the body from
    # them (the extractive answerer): the citation check verifies these instead of parsing the
    # body back. None for a body that arrives as text (a language model's).
    marked: tuple[MarkedSentence, ...] | None = None

    def composed(self, bold: Callable[[str], str] = markdown_bold) -> str:
        """The answer as one text, as `qabot ask --json`, a conversation's history and the
        evaluation read it: the note, the lead fact (through `bold`) on a line of its own, then
        the framing and the body. A declined answer's note comes apart (it speaks of passages
        that a refusal does not show), so the text is the refusal alone."""
        return compose(
            self.text, self.short_answer, self.framing, self.note if self.answered else None, bold,
            self.reported if self.answered else None,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.composed(),
            "answered": self.answered,
            "language": self.language,
            "answerer": self.answerer,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "note": self.note,
            "fallback": self.fallback,
            "verified": self.verified,
            "suggestions": self.suggestions,
            "short_answer": self.short_answer,
            "body": self.text,
            "framing": self.framing,
            "intent": self.intent,
            "reported": self.reported,
        }


class Answerer(Protocol):
    """Composes an answer to `query` from retrieved passages (numbered 1..len(passages) in that
    order): a body with `[n]` markers in its text, or its sentences with the passages each cites
    on `marked` (the citation check writes the body from them once it has verified them);
    streams partial text to `on_partial` when it can."""

    name: AnswererName

    async def answer(
        self,
        query: Query,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        on_partial: PartialCallback | None = None,
    ) -> Answer: ...


# --- The sentence scorer seam ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentenceScore:
    passage_number: int  # 1-based, in the order the passages were given
    text: str
    probability: float  # that the sentence answers the question
    features: dict[str, float]  # what the scorer read of it (the sentence judge's inputs)
    facts: tuple[Fact, ...] = ()  # of the expected kind, not named by the question
    short_answer: str | None = None  # the words that answer, to lead the reply with
    article: str = ""  # the article the sentence's passage comes from ("": not known)
    # Its content terms as the candidates read them (None: not read), so the citation check
    # need not analyse a quoted sentence again.
    terms: frozenset[str] | None = None


class SentenceScorer(Protocol):
    """Scores and chooses the sentences that answer a question (blocking: run off the loop)."""

    # False: fitted on French questions only, so across languages the retrieval bars decide
    # whether to answer and the scorer only ranks.
    every_language: bool

    def score(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> list[SentenceScore]:
        """The sentences worth a close look, the one to lead with first. `idf_match`: the
        share of the question's rare vocabulary the best passage holds (retrieval's)."""
        ...

    def choose(
        self, scored: Sequence[SentenceScore], max_sentences: int, bar: float | None = None
    ) -> list[SentenceScore]:
        """The sentences to quote, from `score`'s answer: none when no sentence answers surely
        enough (the question is declined); `bar`, when given, replaces the scorer's own."""
        ...
