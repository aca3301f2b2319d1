"""The quality gate: a fixed slice of the evaluation set, answered offline, held to a baseline.

    python -m evaluation.quality_gate             # measure the slice, compare with the baseline
    python -m evaluation.quality_gate --update    # measure it and write the new baseline
    python -m evaluation.quality_gate --build ../shared/eval   # re-cut the slice (rarely)

The slice (evaluation/data/quality/) is five articles of the dev corpus with all their dev
questions, two of them with a few answer sentences taken out (on-topic questions whose answer is
not in the article, as `evaluation.ontopic` makes them), and twelve questions about articles that
are not in the corpus. `qabot eval --answers` reads it with the configured local models, no
language model; tests/evaluation/test_quality_gate.py fails when a figure falls more than
TOLERANCE below the committed baseline (`baseline.json`), so every change to answering is held
to it. A change that moves a figure on purpose refreshes the baseline with `--update` and says
why in its commit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation import ontopic

if TYPE_CHECKING:
    from qabot.settings import Settings

SLICE = Path(__file__).with_name("data") / "quality"
QUESTIONS = SLICE / "questions.jsonl"
CORPUS = SLICE / "corpus"
BASELINE = SLICE / "baseline.json"
TOLERANCE = 0.01
# Articles of ../shared/eval/corpus with 13 to 15 dev questions each, on different subjects.
ARTICLES = (
    "piaf_002_yoweri-museveni.txt",
    "piaf_018_cdg-express.txt",
    "piaf_055_berlin.txt",
    "piaf_066_la-republique-en-marche.txt",
    "piaf_096_rome.txt",
)
ONTOPIC_ARTICLES, ONTOPIC_PER_ARTICLE, ONTOPIC_SEED = 2, 2, 11
OFF_CORPUS = 12  # questions about articles not in the corpus, spread over the 340 of dev
# Higher is better for every figure but these shares of answerable questions declined, and the
# share of bold leads that are wrong (a wrong bold fact is worse than none).
LOWER_IS_BETTER = frozenset({
    "answerable_wrongly_declined", "declined_by_group.answerable", "declined_by_group.same-article",
    "short_answer_wrong",
})
GATED = (
    "accuracy", "token_f1", "accuracy_when_answered", "fact_first", "short_answer_shown", "short_answer_f1",
    "short_answer_wrong", "citation_validity", "citation_support", "unanswerable_declined", "answerable_wrongly_declined",
    "declined_by_group.answerable", "declined_by_group.off-corpus", "declined_by_group.on-topic",
    "declined_by_group.same-article", "retrieval.recall@1", "retrieval.recall@5", "retrieval.mrr@10",
)


def build_slice(source: Path) -> tuple[dict[str, str], list[dict[str, object]]]:
    """The slice's corpus (file name -> text) and questions, cut from the evaluation set in
    `source` (dev.jsonl and corpus/): deterministic, so re-cutting gives the committed files."""
    rows = [json.loads(line) for line in (source / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line]
    corpus = {name: (source / "corpus" / name).read_text(encoding="utf-8") for name in ARTICLES}
    built = ontopic.build(rows, corpus, ONTOPIC_ARTICLES, ONTOPIC_PER_ARTICLE, ONTOPIC_SEED)
    touched = {str(q["article"]) for q in built.questions}
    questions = list(built.questions)
    questions += [{**r, "group": "answerable"} for r in rows if r["article"] in corpus and r["article"] not in touched]
    off_corpus = [r for r in rows if r["article"] is None]  # grouped by article in the file
    questions += [{**row, "group": "off-corpus"} for row in off_corpus[:: len(off_corpus) // OFF_CORPUS][:OFF_CORPUS]]
    return built.corpus, questions


def write_slice(source: Path, target: Path = SLICE) -> int:
    corpus, questions = build_slice(source)
    shutil.rmtree(target / "corpus", ignore_errors=True)
    (target / "corpus").mkdir(parents=True)
    for name, text in corpus.items():
        (target / "corpus" / name).write_text(text, encoding="utf-8")
    lines = [json.dumps(row, ensure_ascii=False) for row in questions]
    (target / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(questions)


def figures(report: Mapping[str, object]) -> dict[str, float]:
    """The gated figures of a `qabot eval --answers` report (retrieval in hybrid mode)."""
    answers = report["answers"]
    retrieval = report["retrieval"]
    assert isinstance(answers, Mapping) and isinstance(retrieval, Mapping)
    flat = {name: float(value) for name, value in answers.items() if isinstance(value, (int, float))}
    flat |= {f"declined_by_group.{group}": float(v) for group, v in answers["declined_by_group"].items()}
    flat |= {f"retrieval.{name}": float(v) for name, v in retrieval["hybrid"].items() if isinstance(v, (int, float))}
    return {name: flat[name] for name in GATED if name in flat}


def regressions(baseline: Mapping[str, float], measured: Mapping[str, float], tolerance: float = TOLERANCE) -> list[str]:
    """Each baseline figure that `measured` misses or falls more than `tolerance` short of
    (rises above, for a share of answerable questions declined), as one line."""
    lines = []
    for name, before in baseline.items():
        now = measured.get(name)
        if now is None:
            lines.append(f"{name}: in the baseline ({before:.4f}), not measured")
            continue
        worse = now - before if name in LOWER_IS_BETTER else before - now
        if worse > tolerance + 1e-9:
            lines.append(f"{name}: {now:.4f} against a baseline of {before:.4f}")
    return lines


def measure(settings: Settings | None = None) -> dict[str, float]:
    """The slice's figures with `settings` (default: the defaults and the environment's
    variables, not .env, with no language model: the baseline is the offline answerer's)."""
    from evaluation import runner  # heavy: models and index
    from qabot.settings import Settings

    chosen = settings or Settings(_env_file=None, llm_provider="none")
    report = runner.run(chosen, QUESTIONS, CORPUS, modes=["hybrid"], answers=True)
    return figures(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="write the measured figures as the new baseline")
    parser.add_argument("--build", type=Path, default=None, metavar="EVAL_DIR",
                        help="re-cut the slice from an evaluation set (dev.jsonl and corpus/) and stop")
    args = parser.parse_args(argv)
    if args.build:
        print(f"{write_slice(args.build)} questions in {SLICE}")  # noqa: T201
        return 0
    measured = measure()
    if args.update:
        BASELINE.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"baseline written: {BASELINE}")  # noqa: T201
        return 0
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    failed = regressions(baseline, measured)
    print("\n".join(failed) if failed else f"{len(baseline)} figures hold their baseline")  # noqa: T201
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
