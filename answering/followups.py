"""Follow-up questions: rewrite one that leans on the conversation into a standalone question.

Only when it needs it (it opens with a connective, or has almost no key terms of its own). With
an LLM the condense prompt does the rewriting; without one, the previous question's key terms
are carried over. The user's own wording is what the answer shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from answering.protocol import Turn
from answering.sentences import content_terms
from retrieval.lexical import analyze

_LEANS_ON_BEFORE = re.compile(
    r"^\s*(et|mais|puis|alors|aussi|ensuite|and|but|also|what about|how about|same)\b"
    r"|\b(il|elle|ils|elles|celui|celle|ceux|cela|ça|eux|lui|he|she|they|it|them|those|this|that)\b",
    re.I,
)
_WORD = re.compile(r"[\w’'-]+")


def needs_rewrite(question: str, history: Sequence[Turn]) -> bool:
    if not history:
        return False
    return bool(_LEANS_ON_BEFORE.search(question)) or len(content_terms(question)) <= 2


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
