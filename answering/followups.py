"""Follow-up questions: turn one that leans on the conversation into a standalone `Query`.

Only when it needs it (it opens with a connective, or has almost no key terms of its own), and
only on answered turns: a question the articles could not answer gives nothing to lean on (its
terms are never carried over).
A `Condenser` writes the standalone form: offline by carrying over the previous question's key
words (`CarryOver`), or through the LLM's condense prompt (`llm.LlmCondenser`). The user's own
wording is what the answer shows. When the passages a carried-over question finds hold none of
the question's own terms and the question alone is not close in meaning to their articles, it
is taken as a new question (`speaks_of_own_terms`, `continues_subject`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

from answering.protocol import FallbackCause, Turn
from answering.query import Query
from answering.refusal import ARTICLES_LANGUAGE
from retrieval.lexical import analyze
from retrieval.models import Passage, SearchQuery
from retrieval.retriever import search_query

_LEANS_ON_BEFORE = re.compile(
    r"^\s*(et|mais|puis|alors|aussi|ensuite|and|but|also|what about|how about|same)\b"
    r"|\b(il|elle|ils|elles|celui|celle|ceux|cela|ça|eux|lui|he|she|they|it|them|those|this|that)\b",
    re.I,
)
_WORD = re.compile(r"[\w’'-]+")
# Words that name the kind of answer asked for ("Et en quelle année ?"), not what it is about:
# never a follow-up's focus (any sentence saying "plusieurs années" would hold it).
_KIND_TERMS = frozenset(analyze(
    "année années an ans date jour mois heure siècle nombre chiffre montant pourcentage âge lieu endroit "
    "year years date day month hour century number amount percentage age place"
))
_HAS_WORD = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A follow-up's standalone form. `carried`: the earlier question's words it borrowed
    (offline rewriting; empty when an LLM wrote it). `degraded`: why the LLM failed when the
    words were carried over instead (so the answer does not wait on it a second time)."""

    standalone: str
    carried: tuple[str, ...] = ()
    degraded: FallbackCause | None = None


class Condenser(Protocol):
    """Writes the standalone form of a follow-up question."""

    async def rewrite(self, question: Query, history: Sequence[Turn]) -> Rewrite: ...


class CarryOver:
    """Offline: the question plus the previous question's key words it lacks."""

    async def rewrite(self, question: Query, history: Sequence[Turn]) -> Rewrite:
        carried = tuple(carried_words(question, history))
        if not carried:
            return Rewrite(question.text)
        return Rewrite(f"{question.text.strip()} ({' '.join(carried)})", carried)


def answered(history: Sequence[Turn]) -> list[Turn]:
    """The turns a follow-up may lean on: a declined question gives nothing to lean on."""
    return [turn for turn in history if turn.answered]


def leans_on(question: Query, history: Sequence[Turn]) -> bool:
    """Whether the question leans on the conversation's answered turns."""
    if not answered(history) or not _HAS_WORD.search(question.text):
        return False  # "?" or "🤔🤔🤔" leans on nothing
    return _leans(question.text, question.terms)


def _leans(text: str, terms: AbstractSet[str]) -> bool:
    return bool(_LEANS_ON_BEFORE.search(text)) or len(terms) <= 2


def as_followup(
    question: Query, rewrite: Rewrite, history: Sequence[Turn], read: Callable[[str], SearchQuery] = search_query
) -> Query:
    """The follow-up's `Query`: retrieval searches with the standalone form (read here by
    `read`: the question's one more analysis, its dates included); the carried words and what
    the question adds to the earlier one ("ouest" in "Et à Alep-Ouest ?") weigh in when
    sentences are scored."""
    if rewrite.standalone == question.text:
        return question
    earlier = frozenset(analyze(answered(history)[-1].question))
    return Query(
        own=question.own, language=question.language, search=read(rewrite.standalone),
        followup=True, carried_terms=frozenset(analyze(" ".join(rewrite.carried))),
        focus=question.terms - earlier - _KIND_TERMS,
    )


def speaks_of_own_terms(question: Query, passages: Sequence[Passage]) -> bool:
    """Whether the passages found for a rewritten follow-up hold any key term of the question
    itself. "Et à Alep-Ouest ?" does; "Quelle est la capitale du Japon ?" asked after a question
    on Aleppo does not: the carried-over terms found Aleppo, and the question is a new one.
    A question with no key terms of its own ("Et pourquoi ?"), or in another language than the
    articles (no shared words to find), is given the benefit of the doubt."""
    own = question.terms
    if not own or question.language != ARTICLES_LANGUAGE:
        return True
    return any(own & passage.terms for passage in passages)


def continues_subject(rewritten: Sequence[Passage], alone: Sequence[Passage], floor: float) -> bool:
    """For a follow-up whose own terms the passages lack ("Combien de morts ?" when the article
    says "coûté la vie"): whether the question by itself still comes close in meaning (`floor`:
    the bar for meaning without shared words) to an article the rewritten question found."""
    scored = [(p.dense_score, p.article_id) for p in alone if p.dense_score is not None]
    if not scored:
        return False
    score, article = max(scored)
    return score >= floor and article in {p.article_id for p in rewritten}


def carried_words(question: Query, history: Sequence[Turn]) -> list[str]:
    """The conversation's key words that the question lacks: the previous answered question's,
    and while that one was itself a follow-up ("Et combien de morts ?"), the words of the ones
    before it, back to the question that set the subject ("Combien de civils ont fui Alep ?")."""
    own = question.terms
    carried: list[str] = []
    for turn in reversed(answered(history)):
        words = _WORD.findall(turn.question)
        stems = [analyze(word) for word in words]
        for word, word_stems in zip(words, stems, strict=True):
            if word_stems and not set(word_stems) <= own and word not in carried:
                carried.append(word)
        if not _leans(turn.question, {s for word_stems in stems for s in word_stems}):
            break
    return carried


