"""Follow-up questions: rewrite one that leans on the conversation into a standalone question.

Only when it needs it (it opens with a connective, or has almost no key terms of its own). With
an LLM the condense prompt does the rewriting; without one, the previous question's key terms
are carried over; when the passages they find hold none of the question's own terms and the
question alone is not close in meaning to their articles, it is taken as a new question. The
user's own wording is what the answer shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from answering.protocol import Turn
from answering.refusal import ARTICLES_LANGUAGE
from answering.sentences import content_terms
from retrieval.lexical import analyze
from retrieval.models import Passage

_LEANS_ON_BEFORE = re.compile(
    r"^\s*(et|mais|puis|alors|aussi|ensuite|and|but|also|what about|how about|same)\b"
    r"|\b(il|elle|ils|elles|celui|celle|ceux|cela|ça|eux|lui|he|she|they|it|them|those|this|that)\b",
    re.I,
)
_WORD = re.compile(r"[\w’'-]+")
_HAS_WORD = re.compile(r"[^\W\d_]")


def needs_rewrite(question: str, history: Sequence[Turn]) -> bool:
    if not history or not _HAS_WORD.search(question):  # "?" or "🤔🤔🤔" leans on nothing
        return False
    return bool(_LEANS_ON_BEFORE.search(question)) or len(content_terms(question)) <= 2


def speaks_of_own_terms(question: str, passages: Sequence[Passage], language: str) -> bool:
    """Whether the passages found for a rewritten follow-up hold any key term of the question
    itself. "Et à Alep-Ouest ?" does; "Quelle est la capitale du Japon ?" asked after a question
    on Aleppo does not: the carried-over terms found Aleppo, and the question is a new one.
    A question with no key terms of its own ("Et pourquoi ?"), or in another language than the
    articles (no shared words to find), is given the benefit of the doubt."""
    own = content_terms(question)
    if not own or language != ARTICLES_LANGUAGE:
        return True
    return any(own & content_terms(passage.text) for passage in passages)


def continues_subject(rewritten: Sequence[Passage], alone: Sequence[Passage], floor: float) -> bool:
    """For a follow-up whose own terms the passages lack ("Combien de morts ?" when the article
    says "coûté la vie"): whether the question by itself still comes close in meaning (`floor`:
    the bar for meaning without shared words) to an article the rewritten question found."""
    scored = [(p.dense_score, p.article_id) for p in alone if p.dense_score is not None]
    if not scored:
        return False
    score, article = max(scored)
    return score >= floor and article in {p.article_id for p in rewritten}


def carried_words(question: str, history: Sequence[Turn]) -> list[str]:
    """The previous question's key words that the question lacks."""
    if not history:
        return []
    own = content_terms(question)
    carried: list[str] = []
    for word in _WORD.findall(history[-1].question):
        stems = analyze(word)
        if stems and not set(stems) <= own and word not in carried:
            carried.append(word)
    return carried


def carry_over(question: str, history: Sequence[Turn]) -> str:
    """The question plus the previous question's key words it lacks (offline rewriting)."""
    carried = carried_words(question, history)
    if not carried:
        return question
    return f"{question.strip()} ({' '.join(carried)})"
