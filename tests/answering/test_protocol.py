"""The sentence scorer seam (answering.protocol): any implementation takes the judge's place in
the answer service, and the service gives it the question as read once on the `Query`."""

from __future__ import annotations

from collections.abc import Sequence

from answering.extractive import ExtractiveAnswerer
from answering.followups import CarryOver
from answering.protocol import SentenceScore, SentenceScorer
from answering.query import Kind, Query
from answering.refusal import RefusalPolicy
from answering.sentences import candidates
from answering.service import QuestionAnswering
from retrieval.models import Passage
from tests.answering.test_judge import ALEPPO, FixedRetriever, passage
from tests.fakes.embedder import HashingEmbedder


class ScriptedScorer:
    """A second scorer, as a learned reader would be: the sentence holding `answer` answers it
    surely, with `answer` as its short answer; the others not at all. Records what it was given."""

    every_language = True

    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.queries: list[Query] = []

    def score(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> list[SentenceScore]:
        self.queries.append(query)
        answer = self.answer
        rows = [
            SentenceScore(c.passage_number, c.text, 1.0 if holds else 0.0, {}, short_answer=answer if holds else None)
            for c in candidates(passages)
            for holds in [answer is not None and answer in c.text]
        ]
        return sorted(rows, key=lambda row: -row.probability)

    def choose(self, scored: Sequence[SentenceScore], max_sentences: int, bar: float | None = None) -> list[SentenceScore]:
        return [row for row in scored if row.probability >= 0.5][:max_sentences]


def service(scorer: SentenceScorer) -> QuestionAnswering:
    embedder = HashingEmbedder()
    return QuestionAnswering(
        FixedRetriever([passage(1, ALEPPO)]), embedder, RefusalPolicy(min_score=0.0),
        ExtractiveAnswerer(embedder), CarryOver(), judge=scorer,
    )


async def test_another_scorer_decides_the_quote_and_the_lead() -> None:
    scorer = ScriptedScorer("15 novembre")
    answer = await service(scorer).ask("Quand l'offensive a-t-elle commencé ?")
    assert answer.answered and answer.short_answer == "15 novembre"
    assert answer.text.startswith("Selon un responsable militaire") and answer.text.count("[1]") == 1
    assert answer.composed().startswith("**15 novembre**\n")
    # The question reached it read once: its kind of answer, its terms, already on the Query.
    (query,) = scorer.queries
    assert query.kind.kind is Kind.DATE and query.asks_figure and "offens" in " ".join(query.terms)


async def test_a_scorer_that_chooses_nothing_declines_the_question() -> None:
    answer = await service(ScriptedScorer(None)).ask("Quand l'offensive a-t-elle commencé ?")
    assert not answer.answered and answer.citations == []
