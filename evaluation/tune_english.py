"""The two bars of the French reading of English questions (answering.french_reading), chosen on
one half of the hand-translated questions and reported on the other, both ways round.

    python -m evaluation.tune_english [--json docs/eval/cross-language-halves.json]

The 100 answerable questions of evaluation/data/english/dev-en-100.jsonl and the 40 off-corpus
ones of dev-en-off-40.jsonl (dev questions no article answers, translated by hand) are split in
two halves (the articles, and the off-corpus questions' ids, sorted, every other one in each
half). On a half, the alignment bar is the one with the best accuracy on the answerable
questions (ties: the higher, fewer words read wrongly), and the evidence bar the one that gets
the most right in dev's mix — accuracy on the answerable questions weighed by their share of
dev (2,007 of 2,347), declines on the off-corpus ones by the rest — ties (within TIE, less than
one question of the 140) to the higher bar: a decline is the safer error. The shipped bars are
the same rule on all 140 (`shipped` in the report).
Accuracy counts a question right when the chosen sentences (or the lead) state a gold answer, as
`qabot eval` counts the composed answer.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from answering.french_reading import AcrossLanguages, FrenchReading, WordVectors
from answering.judge import Judge
from answering.protocol import SentenceScore
from evaluation import metrics
from evaluation.runner import Question, load_questions, prepare, publish
from qabot.services import Services

ENGLISH = Path(__file__).parent / "data" / "english"
QUESTIONS = ((ENGLISH / "dev-en-100.jsonl", True), (ENGLISH / "dev-en-off-40.jsonl", False))
ANSWERABLE_SHARE = 2007 / 2347  # dev's mix: the weight of accuracy against off-corpus declines
TIE = 0.005  # in dev's mix: under one question of the 140 either way
ALIGNMENT_BARS = (0.89, 0.90, 0.91, 0.92, 0.93, 0.94)
EVIDENCE_BARS = tuple(round(0.74 + 0.01 * i, 2) for i in range(13))


@dataclass(frozen=True, slots=True)
class Outcome:
    article: str  # an off-corpus question's id (it has no article)
    answered: bool
    correct: bool
    answerable: bool = True


def measure(corpus: Path) -> dict[tuple[float, float], list[Outcome]]:
    """Every question's outcome under every pair of bars (alignment, evidence)."""
    from qabot.settings import Settings

    services = prepare(Settings(), corpus)
    judge = services.answers.judge  # the logistic judge the service was built with
    if not isinstance(judge, Judge):
        raise SystemExit("the French reading serves the logistic judge: set ANSWER_READER=off")
    words = WordVectors(services.embedder)
    outcomes: dict[tuple[float, float], list[Outcome]] = {}
    for path, answerable in QUESTIONS:
        for question in load_questions(path):
            _measure_one(services, judge, words, question, answerable, outcomes)
    return outcomes


def _measure_one(services: Services, judge: Judge, words: WordVectors, question: Question, answerable: bool,
                 outcomes: dict[tuple[float, float], list[Outcome]]) -> None:
    """One question's outcome under every pair of bars, added to `outcomes`."""
    query, search = services.answers.retrieve(question.question, "en")
    for alignment in ALIGNMENT_BARS:
        judged = AcrossLanguages(judge, FrenchReading(words, alignment)).score(query, search.passages, search.idf_match)
        for evidence in EVIDENCE_BARS:
            chosen = judge.with_model(replace(judge.model, evidence_bar=evidence)).choose(judged, 3)
            right = answerable and bool(chosen) and metrics.answer_accuracy(stated(chosen), question.answers)
            outcomes.setdefault((alignment, evidence), []).append(
                Outcome(question.article or question.id, bool(chosen), right, answerable)
            )


def stated(chosen: Sequence[SentenceScore]) -> str:
    """What the chosen sentences say: the lead, then the sentences ("" when none is chosen)."""
    return " ".join([chosen[0].short_answer or "", *(row.text for row in chosen)]) if chosen else ""


def figures(outcomes: Sequence[Outcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.answerable]
    off = [o for o in outcomes if not o.answerable]
    accuracy = sum(o.correct for o in answerable) / max(len(answerable), 1)
    declined = sum(not o.answered for o in off) / max(len(off), 1)
    return {
        "questions": len(answerable),
        "accuracy": round(accuracy, 4),
        "wrongly_declined": round(sum(not o.answered for o in answerable) / max(len(answerable), 1), 4),
        "off_corpus": len(off),
        "off_corpus_declined": round(declined, 4),
        "in_dev_mix": round(ANSWERABLE_SHARE * accuracy + (1 - ANSWERABLE_SHARE) * declined, 4),
    }


def choose(outcomes: dict[tuple[float, float], list[Outcome]], articles: set[str]) -> tuple[float, float]:
    """The bars chosen on the questions about `articles` (the rule in the module's docstring)."""

    def on(bars: tuple[float, float]) -> dict[str, float]:
        return figures([o for o in outcomes[bars] if o.article in articles])

    lowest = EVIDENCE_BARS[0]
    alignment = max(ALIGNMENT_BARS, key=lambda a: (on((a, lowest))["accuracy"], a))
    best = max(on((alignment, e))["in_dev_mix"] for e in EVIDENCE_BARS)
    evidence = max(e for e in EVIDENCE_BARS if on((alignment, e))["in_dev_mix"] >= best - TIE)
    return alignment, evidence


def _keys(outcomes: dict[tuple[float, float], list[Outcome]]) -> set[str]:
    return {o.article for o in next(iter(outcomes.values()))}


def halves(outcomes: dict[tuple[float, float], list[Outcome]]) -> list[dict[str, object]]:
    articles = sorted(_keys(outcomes))
    split = [set(articles[0::2]), set(articles[1::2])]
    report = []
    for chosen_on, held_out in ((0, 1), (1, 0)):
        bars = choose(outcomes, split[chosen_on])
        report.append({
            "chosen_on_half": chosen_on, "alignment_bar": bars[0], "evidence_bar": bars[1],
            "held_out": figures([o for o in outcomes[bars] if o.article in split[held_out]]),
        })
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/eval/corpus"))
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    args = parser.parse_args(argv)
    outcomes = measure(args.corpus)
    report = {
        "questions": [str(path) for path, _ in QUESTIONS], "halves": halves(outcomes),
        "shipped": dict(zip(("alignment_bar", "evidence_bar"), choose(outcomes, _keys(outcomes)), strict=True)),
        "grid": [{"alignment_bar": a, "evidence_bar": e, **figures(found)} for (a, e), found in outcomes.items()],
    }
    publish(report, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
