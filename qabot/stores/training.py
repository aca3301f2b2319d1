"""The readers' votes as training data for the learned reader (`qabot export-training`), and
the declined questions as a list for an editor to answer. Reads of the answers' tables, one
transaction, off the event loop.

What a vote says, and what it does not:
- An answer leads with its first cited sentence (the best the answerer found; the bold fact,
  when one was shown, comes from it). A 👍 makes that sentence a positive for the question, with
  the bold fact as its answer span when the sentence holds it verbatim (else a sentence-level
  positive with no span). The sentences quoted after it are not labelled: a 👍 says the answer
  helped, not that each of its sentences answers.
- A 👎 makes the sentence it led with a negative for the question. It does not make the question
  unanswerable: another sentence, or another article, may answer it.
- The unit is (question, article, sentence): identical questions (`question_key`: case, accents
  and punctuation aside) that led with the same sentence are one example, whoever asked them;
  each reader counts once in it (their latest vote), the majority decides and a tie is dropped.
- Only what the articles say can be learnt: a first sentence that is not a quotation of its
  passage (an LLM's own wording) is set aside, and so are news replies (a timeline, a digest:
  they answer as a whole, set aside under their intent) and refusals.
- Declined questions carry no answer: never negatives, only a list for an editor.
- Only what is still in the database is read: what a reader deleted with /forget and what the
  retention purge removed (DATA_RETENTION_DAYS) is not there (qabot/stores/reader_data.py).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from answering.sentences import parse_marked, split_sentences, without_markers
from qabot.stores import database
from qabot.stores.answers import question_key
from qabot.stores.database import Database


@dataclass(frozen=True, slots=True)
class VotedPair:
    """A (question, sentence) pair the readers' votes labelled, as the reader reads it."""

    question_id: str  # "bot-" + a hash of the question's key: one id per question, stable
    question: str  # its latest wording
    sentence: str  # as its passage has it
    before: str  # the passage's sentence before it ("" at the passage's start), as the reader reads it
    label: int  # 1: the majority voted 👍, 0: 👎
    answer: tuple[int, int] | None  # the bold fact's offsets in `sentence` (👍 only), None: no span
    article: str  # the article's id: its file name in ARTICLES_DIR
    up: int  # readers whose latest vote on it was 👍
    down: int  # ... 👎


@dataclass(frozen=True, slots=True)
class DeclinedQuestion:
    """Declined questions with the same key, for an editor to answer (or not)."""

    question_id: str  # as VotedPair's, from the question's key
    question: str  # the latest wording
    asked: int  # how many times it was declined
    last_at: str  # ISO time, UTC
    wordings: tuple[str, ...]  # the distinct wordings, latest first
    nearest: tuple[str, ...]  # titles of the articles the refusal offered, latest first


@dataclass(frozen=True, slots=True)
class TrainingExport:
    """What `qabot export-training` writes, and what it set aside (why → voted answers)."""

    pairs: tuple[VotedPair, ...]
    declined: tuple[DeclinedQuestion, ...]
    # Why voted answers were left out → how many: "not a quotation", "refusal", or a news reply's
    # intent ("timeline", "open", ...)
    # (answers); "tie" (examples whose readers split evenly).
    set_aside: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class _Led:
    sentence: str
    before: str
    article: str
    span: tuple[int, int] | None


def question_id(question: str) -> str:
    return "bot-" + hashlib.sha256(question_key(question).encode("utf-8")).hexdigest()[:16]


def _comparable(text: str) -> str:
    # The extractive answerer quotes a sentence without footnote markers and closes it with a
    # full stop; whitespace may differ once rendered.
    return " ".join(without_markers(text).lstrip("#").split()).rstrip(" .")


def led_with(body: str, passages: Mapping[int, tuple[str, str]], lead: str | None) -> _Led | None:
    """The sentence an answer's body opens with, as its cited passage has it (`passages`: n →
    (article id, text)), with the passage's sentence before it and the bold fact's offsets in
    it; None when that sentence is not a quotation of the passage it cites."""
    first = next((s for s in parse_marked(body) if s.cites), None)
    if first is None:
        return None
    wanted = _comparable(first.text)
    for n in first.cites:
        article, text = passages.get(n, ("", ""))
        spans = split_sentences(text)
        for i, span in enumerate(spans):
            if wanted and _comparable(span.text) == wanted:
                sentence = span.text.lstrip("#").strip()
                before = spans[i - 1].text.lstrip("#").strip() if i else ""
                return _Led(sentence, before, article, _offsets(sentence, lead))
    return None


def _offsets(sentence: str, lead: str | None) -> tuple[int, int] | None:
    fact = (lead or "").strip()
    at = sentence.lower().find(fact.lower()) if fact else -1
    # lower() keeps offsets only where it keeps lengths (it does for news text; "İ" aside)
    return (at, at + len(fact)) if at >= 0 and len(sentence.lower()) == len(sentence) else None


def export(db: Connection, since: str | None) -> TrainingExport:
    """The voted pairs and the declined questions of answers asked since `since` (ISO time,
    UTC; None: all)."""
    set_aside: dict[str, int] = defaultdict(int)
    pairs = _voted_pairs(db, since, set_aside)
    return TrainingExport(pairs=pairs, declined=_declined(db, since), set_aside=dict(set_aside))


@dataclass(frozen=True, slots=True)
class _Vote:
    answer_id: int
    question: str
    body: str
    lead: str | None
    news: str | None  # the reply's intent when it is not a fact ("timeline", "open", ...): a news reply
    answered: bool
    user: int
    vote: int
    at: str


def _votes(db: Connection, since: str | None) -> list[_Vote]:
    """Every vote on an answer asked since `since`, with its answer, oldest answer first."""
    a, f = database.answers, database.feedback
    query = (
        sa.select(a.c.id, a.c.question, a.c.text, a.c.lead, a.c.intent, a.c.answered, f.c.user_id, f.c.vote,
                  f.c.created_at)
        .join(f, f.c.answer_id == a.c.id).order_by(a.c.created_at, a.c.id)
    )
    if since is not None:
        query = query.where(a.c.created_at >= since)
    return [
        _Vote(int(r[0]), str(r[1]), str(r[2]), None if r[3] is None else str(r[3]),
              None if r[4] in (None, "fact") else str(r[4]), bool(r[5]),
              int(r[6]), int(r[7]), str(r[8]))
        for r in db.execute(query).tuples()
    ]


def _passages(db: Connection, since: str | None) -> dict[int, dict[int, tuple[str, str]]]:
    """The cited passages of the voted answers asked since `since`: answer → n → (article, text)."""
    a, c, f = database.answers, database.citations, database.feedback
    voted = sa.select(f.c.answer_id).join(a, a.c.id == f.c.answer_id)
    if since is not None:
        voted = voted.where(a.c.created_at >= since)
    found: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
    for answer_id, n, article, text in db.execute(
        sa.select(c.c.answer_id, c.c.n, c.c.article_id, c.c.text).where(c.c.answer_id.in_(voted.scalar_subquery()))
    ).tuples():
        found[int(answer_id)][int(n)] = (str(article), str(text))
    return found


def _voted_pairs(db: Connection, since: str | None, set_aside: dict[str, int]) -> tuple[VotedPair, ...]:
    passages = _passages(db, since)
    led: dict[int, _Led | None] = {}
    # (question key, article, sentence) → the latest wording with the sentence, and each reader's
    # latest vote on it
    worded: dict[tuple[str, str, str], tuple[str, _Led]] = {}
    cast: dict[tuple[str, str, str], dict[int, tuple[str, int]]] = defaultdict(dict)
    for vote in _votes(db, since):
        if vote.answer_id not in led:
            # The reader judges fact questions: a timeline or a digest answers as a whole.
            reason = "refusal" if not vote.answered else vote.news if vote.news else None
            led[vote.answer_id] = None if reason else led_with(vote.body, passages[vote.answer_id], vote.lead)
            if led[vote.answer_id] is None:
                set_aside[reason or "not a quotation"] += 1
        sentence = led[vote.answer_id]
        if sentence is None:
            continue
        key = (question_key(vote.question), sentence.article, sentence.sentence)
        previous = cast[key].get(vote.user)
        if previous is None or vote.at >= previous[0]:
            cast[key][vote.user] = (vote.at, vote.vote)
        # Votes run oldest answer first: the latest wording stays, and a bold fact any showed.
        prior = worded.get(key)
        worded[key] = (vote.question, replace(sentence, span=sentence.span or (prior[1].span if prior else None)))
    return tuple(_majority(worded[key], list(votes.values())) for key, votes in cast.items()
                 if _counted(votes, set_aside))


def _counted(cast: Mapping[int, tuple[str, int]], set_aside: dict[str, int]) -> bool:
    up = sum(1 for _, vote in cast.values() if vote > 0)
    if up * 2 == len(cast):
        set_aside["tie"] += 1
        return False
    return True


def _majority(worded: tuple[str, _Led], cast: Sequence[tuple[str, int]]) -> VotedPair:
    question, led = worded
    up = sum(1 for _, vote in cast if vote > 0)
    label = int(up * 2 > len(cast))
    return VotedPair(
        question_id=question_id(question), question=question, sentence=led.sentence, before=led.before,
        label=label, answer=led.span if label else None, article=led.article, up=up, down=len(cast) - up,
    )


def _declined(db: Connection, since: str | None) -> tuple[DeclinedQuestion, ...]:
    u = database.unanswered
    query = sa.select(u.c.question, u.c.created_at, u.c.nearest).order_by(u.c.created_at.desc(), u.c.id.desc())
    if since is not None:
        query = query.where(u.c.created_at >= since)
    grouped: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    for question, at, nearest in db.execute(query).tuples():
        grouped[question_key(question)].append((question, at, nearest))
    return tuple(
        DeclinedQuestion(
            question_id=question_id(rows[0][0]), question=rows[0][0], asked=len(rows), last_at=rows[0][1],
            wordings=tuple(dict.fromkeys(q for q, _, _ in rows)),
            nearest=tuple(dict.fromkeys(t for _, _, n in rows for t in json.loads(n or "[]"))),
        )
        for rows in sorted(grouped.values(), key=lambda rows: (-len(rows), rows[0][1]))
    )


class TrainingData:
    """The readers' votes and declined questions, as training data (`qabot export-training`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def export(self, since: str | None) -> TrainingExport:
        """The voted pairs and declined questions asked since `since` (ISO time, UTC; None: all)."""
        return await self.db.run(partial(export, since=since))
