"""A question, understood once: everything computed about it travels on one `Query`.

Retrieval, refusal, the sentence scorer, the answerers and the citation check read the `Query`
instead of analysing the question's text again: its language, its analysed key terms, the
numbers it names, the kind of answer it expects and the noun it asks about
(answering.question_kind), and for a follow-up ("Et à Alep-Ouest ?") the standalone form
retrieval searches with, what it borrowed from the earlier question and what it adds to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from answering.intent import Intent, read_intent, reads_from_the_start
from answering.question_kind import FIGURE_KINDS, QuestionKind, question_kind
from answering.sentences import numbers_in
from retrieval.dates import QuestionDates
from retrieval.models import SearchQuery
from retrieval.text import search_query


@dataclass(frozen=True, slots=True)
class Query:
    own: SearchQuery  # the user's wording, which the answer keeps, and its analysed terms
    language: str  # "fr" or "en"
    search: SearchQuery  # what retrieval reads: the standalone form of a follow-up, else `own`
    kind: QuestionKind  # the kind of answer the user's wording expects, and the noun it asks about
    numbers: frozenset[str]  # the numbers the user's wording names, grouping removed ("130 000")
    followup: bool = False  # rewritten from the conversation
    # The earlier question's key words a follow-up borrowed (offline rewriting), analysed: they
    # count for less than the question's own words when sentences are scored.
    carried_terms: frozenset[str] = frozenset()
    added_terms: frozenset[str] = frozenset()  # what a follow-up adds to the earlier question ("ouest")
    # The embedding of `search.text`, once retrieval computed it (so answering does not encode
    # the question again).
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    # The sentence scorer's short answer and the passage it comes from, once it has read the
    # passages: offered to a language model as a lead to check, not as the answer.
    lead: tuple[str, int] | None = None
    # What the question asks for as a whole (answering.intent): one fact, open news ("que
    # s'est-il passé"), or a timeline; read from the user's own wording.
    intent: Intent = "fact"
    # An open news question asking for its stories from the start ("depuis le début"): the
    # digest reads oldest first instead of newest first.
    from_the_start: bool = False

    @property
    def text(self) -> str:
        return self.own.text

    @property
    def terms(self) -> frozenset[str]:
        """The question's own key terms (retrieval.text.analyze)."""
        return frozenset(self.own.terms)

    @property
    def expects_fact(self) -> bool:
        """It asks for a person, a place, a date, a figure... that a sentence can be seen to hold."""
        return self.kind.expects_fact

    @property
    def asks_figure(self) -> bool:
        """It asks for a date, a number, a percentage, a sum or a duration: written in digits."""
        return self.kind.kind in FIGURE_KINDS

    @property
    def dates(self) -> QuestionDates | None:
        """The period or "the latest" the question asks about, read once with its text (None:
        dates play no part); a follow-up's are its standalone form's."""
        return self.search.dates

    @property
    def standalone(self) -> str:
        return self.search.text

    def with_vector(self, vector: np.ndarray | None) -> Query:
        return replace(self, vector=vector)

    def with_lead(self, short_answer: str | None, passage_number: int) -> Query:
        return replace(self, lead=(short_answer, passage_number) if short_answer else None)

    def alone(self) -> Query:
        """The same question without the conversation (a short new question, not a follow-up)."""
        return Query(
            own=self.own, language=self.language, search=self.own, kind=self.kind, numbers=self.numbers,
            intent=self.intent, from_the_start=self.from_the_start,
        )


def plain_query(text: str, language: str, read: Callable[[str], SearchQuery] = search_query) -> Query:
    """A question that leans on no earlier one: its text is read here, once (`read`: its terms,
    and with retrieval.text.QuestionReader its dates)."""
    intent = read_intent(text)
    own = read(text)
    if intent != "fact":
        own = replace(own, news=True)
    return Query(
        own=own, language=language, search=own, kind=question_kind(own.text), numbers=frozenset(numbers_in(own.text)),
        intent=intent, from_the_start=intent == "open" and reads_from_the_start(text),
    )
