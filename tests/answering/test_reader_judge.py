"""The reader's two roles around the sentence scorer seam, with a scripted reader standing in
for the network (tests/answering/test_reader_leads.py runs the trained one end to end)."""

from __future__ import annotations

from collections.abc import Sequence

from answering.protocol import SentenceScore
from answering.query import Query, detect_language, plain_query
from answering.reader.judge import ReaderBars, ReaderJudge, ReaderLeads, choose
from answering.reader.runtime import Candidate, Reading
from retrieval.models import Passage

TEXT = "Trois des cinq lignes de tramway étaient à l'arrêt mardi. La ville attend 1,8 million de visiteurs."
PASSAGE = Passage(chunk_id=1, article_id="tram.md", title="Tram", date="2026-11-24", start=0, end=len(TEXT),
                  text=TEXT, score=1.0)


class ScriptedReader:
    """Reads what it is told: per sentence, (P(answers), span, P(span))."""

    def __init__(self, script: dict[str, tuple[float, str, float]]) -> None:
        self.script = script
        self.asked: list[list[Candidate]] = []

    def read(self, question: str, candidates: Sequence[Candidate]) -> list[Reading]:
        self.asked.append(list(candidates))
        return [Reading(*self.script[c.sentence]) for c in candidates]


class FixedScorer:
    """The hand-made judge's part: a fixed order, its own (wrong) lead, and a decision."""

    every_language = False

    def score(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> list[SentenceScore]:
        first, second = (s.strip() + "." for s in TEXT.rstrip(".").split(". "))
        return [SentenceScore(1, first, 0.9, {}, short_answer="cinq"), SentenceScore(1, second, 0.2, {})]

    def choose(self, scored: Sequence[SentenceScore], max_sentences: int, bar: float | None = None) -> list[SentenceScore]:
        return [row for row in scored if row.probability >= 0.5][:max_sentences]


def query(text: str) -> Query:
    return plain_query(text, detect_language(text))


def test_the_reader_writes_the_lead_only_when_it_is_sure_and_the_judge_still_decides() -> None:
    first = "Trois des cinq lignes de tramway étaient à l'arrêt mardi."
    second = "La ville attend 1,8 million de visiteurs."
    sure = ScriptedReader({first: (0.9, "Trois", 0.8), second: (0.1, "1,8 million de", 0.9)})
    leads = ReaderLeads(FixedScorer(), sure, ReaderBars(lead=0.5))
    scored = leads.score(query("Combien de lignes de tram étaient à l'arrêt ?"), [PASSAGE], 1.0)
    chosen = leads.choose(scored, 3)
    assert [row.text for row in chosen] == [first]  # the judge's decision, untouched
    assert chosen[0].short_answer == "Trois"  # the reader's span, not the judge's "cinq"
    assert scored[1].short_answer == "1,8 million"  # a lead never ends on a dangling "de"
    assert sure.asked[0][1].before == first  # each sentence read with the one before it
    unsure = ReaderLeads(FixedScorer(), ScriptedReader({first: (0.9, "cinq", 0.3), second: (0.1, "x", 0.1)}),
                         ReaderBars(lead=0.5))
    assert unsure.score(query("Combien de lignes ?"), [PASSAGE], 1.0)[0].short_answer is None  # absent, not wrong


def test_the_reader_as_judge_declines_under_its_bar_and_adds_only_close_sentences() -> None:
    rows = [SentenceScore(1, "a", 0.8, {}), SentenceScore(1, "b", 0.7, {}), SentenceScore(1, "c", 0.3, {})]
    bars = ReaderBars(answer=0.5, extra_ratio=0.8)
    assert [r.text for r in choose(rows, bars, 3)] == ["a", "b"]
    assert choose(rows, ReaderBars(answer=0.9), 3) == []
    judge = ReaderJudge(ScriptedReader({}), bars)
    assert [r.text for r in judge.choose(rows, 1)] == ["a"] and judge.choose(rows, 3, bar=0.85) == []
