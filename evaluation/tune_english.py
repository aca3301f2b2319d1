"""The two bars of the French reading of English questions (answering.french_reading), chosen on
one half of the hand-translated questions and reported on the other, both ways round.

    python -m evaluation.tune_english [--json docs/eval/cross-language-halves.json]

The 100 questions of evaluation/data/english/dev-en-100.jsonl are split in two halves by article
(the articles sorted by name, every other one in each half). On a half, the alignment bar is the
one with the best accuracy (ties: the higher, fewer words read wrongly), and the evidence bar
the highest at which the evidence check declines no answerable question more than the lowest
bar of the grid does (dev-en-100 has no unanswerable English question: the highest such bar
keeps the most of the French judge's power to decline the off-corpus ones). Accuracy counts a
question right when the chosen sentences (or the lead) state a gold answer, as `qabot eval`
counts the composed answer.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from answering.french_reading import AcrossLanguages, FrenchReading, WordVectors
from answering.judge import Judge
from answering.query import plain_query
from evaluation import metrics
from evaluation.runner import load_questions, prepare, publish

QUESTIONS = Path(__file__).parent / "data" / "english" / "dev-en-100.jsonl"
ALIGNMENT_BARS = (0.89, 0.90, 0.91, 0.92, 0.93, 0.94)
EVIDENCE_BARS = tuple(round(0.74 + 0.01 * i, 2) for i in range(13))


@dataclass(frozen=True, slots=True)
class Outcome:
    article: str
    answered: bool
    correct: bool


def measure(corpus: Path) -> dict[tuple[float, float], list[Outcome]]:
    """Every question's outcome under every pair of bars (alignment, evidence)."""
    from qabot.settings import Settings

    services = prepare(Settings(), corpus)
    answers = services.answers
    judge = answers._judge  # the logistic judge the service was built with
    if not isinstance(judge, Judge):
        raise SystemExit("the French reading serves the logistic judge: set ANSWER_READER=off")
    words = WordVectors(services.embedder)
    outcomes: dict[tuple[float, float], list[Outcome]] = {}
    for question in load_questions(QUESTIONS):
        query = plain_query(question.question, "en", answers._read)
        search = services.retriever.search(query.search, answers._k)
        query = query.with_vector(search.query_vector)
        for alignment in ALIGNMENT_BARS:
            reading = FrenchReading(words, alignment)
            judged = AcrossLanguages(judge, reading).score(query, search.passages, search.idf_match)
            for evidence in EVIDENCE_BARS:
                chosen = judge.with_model(replace(judge.model, evidence_bar=evidence)).choose(judged, 3)
                said = " ".join([chosen[0].short_answer or "", *(row.text for row in chosen)]) if chosen else ""
                outcomes.setdefault((alignment, evidence), []).append(
                    Outcome(question.article or "", bool(chosen), bool(chosen) and metrics.answer_accuracy(said, question.answers))
                )
    return outcomes


def figures(outcomes: Sequence[Outcome]) -> dict[str, float]:
    return {
        "questions": len(outcomes),
        "accuracy": round(sum(o.correct for o in outcomes) / len(outcomes), 4),
        "wrongly_declined": round(sum(not o.answered for o in outcomes) / len(outcomes), 4),
    }


def choose(outcomes: dict[tuple[float, float], list[Outcome]], articles: set[str]) -> tuple[float, float]:
    """The bars chosen on the questions about `articles` (the rule in the module's docstring)."""

    def on(bars: tuple[float, float]) -> dict[str, float]:
        return figures([o for o in outcomes[bars] if o.article in articles])

    lowest = EVIDENCE_BARS[0]
    alignment = max(ALIGNMENT_BARS, key=lambda a: (on((a, lowest))["accuracy"], a))
    floor = on((alignment, lowest))["wrongly_declined"]
    evidence = max(e for e in EVIDENCE_BARS if on((alignment, e))["wrongly_declined"] <= floor)
    return alignment, evidence


def halves(outcomes: dict[tuple[float, float], list[Outcome]]) -> list[dict[str, object]]:
    articles = sorted({o.article for o in next(iter(outcomes.values()))})
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
        "questions": str(QUESTIONS), "halves": halves(outcomes),
        "grid": [{"alignment_bar": a, "evidence_bar": e, **figures(found)} for (a, e), found in outcomes.items()],
    }
    publish(report, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
