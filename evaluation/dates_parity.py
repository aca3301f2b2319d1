"""The evaluation set's retrieval with and without date handling, on one index in one run.

    python -m evaluation.dates_parity --questions ../shared/eval/dev.jsonl --corpus ../shared/eval/corpus

About 140 questions of the PIAF set name a year, and every PIAF article carries one
publication month (2020-02): date handling must not hide the right passages. This prints
`qabot eval`'s hybrid figures twice, side by side, and those of the dated questions alone.

Date handling only acts on questions that name a period or ask for the latest, and the PIAF
articles have no near-duplicates (the report checks it), so the other questions' rankings are
the same code path with or without it: `--dated-only` measures just the dated ones (a few
minutes instead of an hour on a busy machine) and derives the whole set's change from them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from evaluation.runner import evaluate_retrieval, load_questions, prepare, publish
from qabot.settings import load_settings
from retrieval.text import QuestionReader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--dated-only", action="store_true", help="measure only the dated questions")
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    services = prepare(load_settings(), args.corpus)
    reader = services.reader
    assert reader.dates is not None, "RETRIEVAL_DATES is off"
    dated = [q for q in questions if (found := reader(q.question).dates) is not None and found.mentions]
    groups = services.retriever.duplicate_groups()
    report: dict[str, Any] = {  # JSON-ready
        "questions": len(questions), "dated_questions": len(dated), "articles_with_duplicates": len(groups),
    }
    parts = {"dated": dated} if args.dated_only else {"all": questions, "dated": dated}
    for label, on in (("with_dates", True), ("without_dates", False)):
        services.reader = reader if on else QuestionReader(None)
        report[label] = {part: evaluate_retrieval(services, qs, "hybrid") for part, qs in parts.items()}
        for figures in report[label].values():
            figures.pop("latency_ms", None)
    answerable = sum(1 for q in questions if q.answerable and q.article)
    dated_answerable = report["with_dates"]["dated"]["questions"]
    for key in ("recall@5", "mrr@10"):
        change = report["with_dates"]["dated"][key] - report["without_dates"]["dated"][key]
        report[f"whole_set_change_{key}"] = round(change * dated_answerable / answerable, 4)
    publish(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
