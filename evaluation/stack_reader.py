"""The learned reader's probability as one more feature of the sentence judge (stacking), fold 0.

    OMP_NUM_THREADS=1 nice -n 5 python -m evaluation.stack_reader \
        --set var/eval/judge-dev.jsonl:../shared/eval/corpus \
        --set var/eval/judge-ontopic0.jsonl:var/eval/ontopic0/corpus \
        --reader answering/reader_models/fold-0 --readings var/eval/reader-fold0-readings.jsonl \
        --json docs/eval/reader-stack-fold0.json

(var/eval/ontopic0 is `evaluation.ontopic` over fold 0's answerable questions, its judge cache
`evaluation.judge_data ... --controls 4` as the shipped judge's: docs/EVALUATION.md has the commands.)

Only the reader trained with fold 0's articles held out (`answering/reader_models/fold-0`; folds
by article as `evaluation.reader_data` deals them: sha256 of the article's file name, an
off-corpus question's by its id) is honest on fold 0's questions, so only they are measured.
Each shortlisted sentence of the judge's cache (`evaluation.judge_data`) is read by that reader
(ONNX Runtime int8, one thread) with the sentence before it in its article, as in training; the
probabilities are cached in `--readings` so a second run only refits.

Inside fold 0, an inner cross-validation by article (`--folds`, repeated over `--seeds` splits)
fits the judge's logistic model exactly as `evaluation.fit_judge` fits the shipped one (same
features, same regularisation, the bars and the extra-sentence ratio chosen on out-of-fold
probabilities within the training folds, the same decision and choice of sentences) with and
without the reader's probability (or its log-odds) as an extra column, and reports the figures
`qabot eval` reports, the sentence-level AUC, and a paired bootstrap over questions of each
difference. The judge-only column is checked against `fit_judge.cross_validate` itself.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from answering.judge import JudgeModel
from answering.lead import sigmoid
from answering.protocol import SentenceScore
from answering.reader.runtime import Candidate, SentenceReader, load_reader
from answering.sentence_features import FEATURES
from evaluation import fit_judge
from evaluation.fit_judge import (
    SEMANTIC_WEIGHTS,
    Item,
    Scored,
    choose_settings,
    figures,
    folds_of,
    replay,
)
from evaluation.reader_data import article_sentences, fold_of
from evaluation.runner import ANSWERABLE, OFF_CORPUS, ON_TOPIC, SAME_ARTICLE, progress_bar
from evaluation.train_reader import auc
from qabot.settings import Settings
from retrieval.encoders.model_cache import ModelCache

READER_COLUMNS = ("reader", "reader_logit")
COLUMNS = (*FEATURES, *READER_COLUMNS)  # an item's x here: the judge's features, then the reader's
VARIANTS: dict[str, tuple[str, ...]] = {
    "judge": FEATURES,
    "judge + reader P": (*FEATURES, "reader"),
    "judge + reader log-odds": (*FEATURES, "reader_logit"),
}
HEADLINE = (
    "accuracy", "accuracy_when_answered", "fact_first", "unanswerable_declined", "answerable_wrongly_declined",
    "on_topic_declined", "same_article_wrongly_declined", "short_answer_shown", "sentence_auc", "answer_auc",
)
# The per-question outcomes whose differences are bootstrapped, and in which group.
COMPARED = (
    ("correct", ANSWERABLE), ("fact_first", ANSWERABLE), ("declined", ANSWERABLE), ("declined", OFF_CORPUS),
    ("declined", ON_TOPIC), ("declined", SAME_ARTICLE),
)
# Only the decision's evidence needs a JudgeModel here: its weights are never read.
EVIDENCE = JudgeModel({}, 0.0, 0.0)


# --- fold 0 and the text the reader reads -----------------------------------------------------


def fold_key(row: dict[str, Any]) -> str:
    """What `evaluation.reader_data` deals folds by: the article, or an off-corpus question's id."""
    return str(row["article"]) if row.get("article") else str(row["id"])


def in_fold(rows: Sequence[dict[str, Any]], fold: int, folds: int) -> list[dict[str, Any]]:
    return [row for row in rows if fold_of(fold_key(row), folds) == fold]


def plain(text: str) -> str:
    """A sentence as the answerer's candidates write it (headings without their Markdown)."""
    return text.lstrip("#").strip()


def article_befores(name: str, text: str) -> dict[str, str]:
    """Each sentence of an article (as the answerer writes it) -> the sentence before it, as
    the reader was trained on them (`reader_data.article_sentences`)."""
    return {plain(s.text): plain(s.before) for s in article_sentences(name, text)}


def candidates_of(row: dict[str, Any], befores: dict[str, dict[str, str]]) -> list[Candidate]:
    """The question's shortlist as reader pairs ("" before a sentence not found in its article)."""
    return [
        Candidate(s["text"], befores.get(s["article"], {}).get(plain(s["text"]), "")) for s in row["sentences"]
    ]


@dataclass(frozen=True, slots=True)
class QuestionSet:
    """Fold 0's questions of one cached feature file, with the sentences before theirs."""

    name: str  # the file's stem: readings are kept under it and the question id (ids repeat across sets)
    rows: list[dict[str, Any]]
    items: list[Item]
    befores: dict[str, dict[str, str]]  # article -> sentence -> the sentence before it

    def missing_befores(self) -> int:
        return sum(plain(s["text"]) not in self.befores.get(s["article"], {}) for row in self.rows for s in row["sentences"])


def load_set(features: Path, corpus: Path, fold: int, folds: int) -> QuestionSet:
    """The questions of `features` (evaluation.judge_data's cache over `corpus`) in `fold`."""
    rows = [json.loads(line) for line in features.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = fit_judge.load([features])
    chosen = [n for n, row in enumerate(rows) if fold_of(fold_key(row), folds) == fold]
    rows, items = [rows[n] for n in chosen], [items[n] for n in chosen]
    names = sorted({s["article"] for row in rows for s in row["sentences"]})
    befores = {name: article_befores(name, (corpus / name).read_text(encoding="utf-8")) for name in names}
    return QuestionSet(features.stem, rows, items, befores)


def read_all(reader: SentenceReader, questions: QuestionSet, cache: Path) -> dict[str, list[float]]:
    """P(answers) of every shortlisted sentence, per question id; questions already in `cache`
    (JSON lines: set/id, probabilities) are not read again, new ones are appended as they come."""
    done: dict[str, list[float]] = {}
    if cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            done[entry["key"]] = entry["probabilities"]
    cache.parent.mkdir(parents=True, exist_ok=True)
    key = {row["id"]: f"{questions.name}/{row['id']}" for row in questions.rows}
    with cache.open("a", encoding="utf-8") as handle:
        for row in progress_bar([r for r in questions.rows if key[r["id"]] not in done], desc=questions.name, unit="q"):
            readings = reader.read(row["question"], candidates_of(row, questions.befores)) if row["sentences"] else []
            done[key[row["id"]]] = [round(r.probability, 6) for r in readings]
            handle.write(json.dumps({"key": key[row["id"]], "probabilities": done[key[row["id"]]]}) + "\n")
            handle.flush()
    return {row["id"]: done[key[row["id"]]] for row in questions.rows}


# --- the stacked items ------------------------------------------------------------------------


def log_odds(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def stacked(item: Item, row: dict[str, Any], probabilities: Sequence[float]) -> Item:
    """`item` (fit_judge's, from `row`) with the reader's columns joined to its sentences and
    its fold key the one reader_data deals by (an off-corpus question has no article: the
    judge's cache keys every one of them by one title, None, which would put them all in one fold)."""
    if len(probabilities) != len(item.x):
        raise ValueError(f"question {row['id']}: {len(probabilities)} readings for {len(item.x)} sentences")
    extra = np.array([[p, log_odds(p)] for p in probabilities], dtype=float).reshape(-1, len(READER_COLUMNS))
    return replace(item, key=fold_key(row), x=np.hstack([item.x, extra]))


# --- the judge's model over any columns, fitted and replayed as fit_judge does ----------------


@dataclass(frozen=True, slots=True)
class Linear:
    """The judge's sentence model over `columns` (weights rounded as fit_judge stores them)."""

    columns: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float

    def probability(self, values: dict[str, float]) -> float:
        # Summed in JudgeModel.probability's order, so the judge-only model is the shipped one to the bit.
        return sigmoid(self.intercept + sum(w * values[c] for c, w in zip(self.columns, self.weights, strict=True)))


def fit_linear(items: Sequence[Item], columns: Sequence[str]) -> Linear:
    take = [COLUMNS.index(c) for c in columns]
    weights, intercept = fit_judge.logistic_fit(
        np.vstack([i.x[:, take] for i in items if len(i.x)]), np.concatenate([i.labels for i in items if len(i.x)])
    )
    return Linear(tuple(columns), tuple(round(float(w), 6) for w in weights), round(intercept, 6))


def judged(model: Linear, item: Item) -> list[SentenceScore]:
    """fit_judge.judged_rows with the model's own columns."""
    return fit_judge.judged_rows(model, item, COLUMNS)


def score(model: Linear, items: Sequence[Item]) -> list[Scored]:
    """fit_judge.score for a Linear model (no question model: the best sentence decides)."""
    out = []
    for item in items:
        rows = judged(model, item)
        evidence = {w: replace(EVIDENCE, evidence_semantic_weight=w).evidence(rows) if rows else 0.0 for w in SEMANTIC_WEIGHTS}
        out.append(Scored(rows, max((r.probability for r in rows), default=0.0), evidence))
    return out


def splits(items: Sequence[Item], folds: int, seed: int) -> list[tuple[list[Item], list[int]]]:
    """Per fold (fit_judge.folds_of: by article): the training items, the held-out indices."""
    assignment = folds_of(items, folds, seed)
    return [
        ([i for i, a in zip(items, assignment, strict=True) if a != f], [n for n, a in enumerate(assignment) if a == f])
        for f in range(folds)
    ]


def out_of_fold(items: Sequence[Item], columns: Sequence[str], folds: int, seed: int) -> list[Scored]:
    """fit_judge.out_of_fold over `columns` (its `score` reads the judge's features only)."""
    scored: dict[int, Scored] = {}
    for train, held in splits(items, folds, seed):
        scored.update(zip(held, score(fit_linear(train, columns), [items[n] for n in held]), strict=True))
    return [scored[n] for n in range(len(items))]


@dataclass(frozen=True, slots=True)
class Measured:
    """One variant, one split: each question's outcome and its sentences' held-out probabilities."""

    outcomes: list[dict[str, object]]
    probabilities: list[list[float]]  # per item, in the item's sentence order


def cross_validate(items: Sequence[Item], columns: Sequence[str], folds: int, seed: int) -> Measured:
    """fit_judge.cross_validate over `columns`: the bars and ratio of each held-out fold chosen
    on an inner out-of-fold split of its training folds, the model fitted on those folds."""
    outcomes: dict[int, dict[str, object]] = {}
    probabilities: dict[int, list[float]] = {}
    for f, (train, held) in enumerate(splits(items, folds, seed)):
        settings = choose_settings(train, out_of_fold(train, columns, folds - 1, seed + 1 + f))
        model = fit_linear(train, columns)
        held_items = [items[n] for n in held]
        outcomes.update(zip(held, replay(held_items, score(model, held_items), settings), strict=True))
        probabilities.update((n, [model.probability(_values(items[n], k)) for k in range(len(items[n].x))]) for n in held)
    return Measured([outcomes[n] for n in range(len(items))], [probabilities[n] for n in range(len(items))])


def _values(item: Item, n: int) -> dict[str, float]:
    return dict(zip(COLUMNS, (float(v) for v in item.x[n]), strict=True))


def sentence_auc(items: Sequence[Item], probabilities: Sequence[Sequence[float]]) -> float:
    """AUC of the held-out probabilities against the judge's label (in the gold article, holds a gold answer)."""
    scores = [p for ps in probabilities for p in ps]
    labels = [int(v) for i in items for v in i.labels]
    return round(auc(scores, labels), 4)


def answer_auc(items: Sequence[Item], probabilities: Sequence[Sequence[float]]) -> float:
    """AUC of the best sentence's probability (what the decision reads) at telling the questions
    that should be answered (answerable, same-article) from those that should not."""
    return round(auc([max(ps, default=0.0) for ps in probabilities], [int(fit_judge.answerable(i)) for i in items]), 4)


# --- uncertainty ----------------------------------------------------------------------------------


def per_question(outcomes_by_seed: Sequence[Sequence[dict[str, object]]], key: str, group: str) -> np.ndarray:
    """Each `group` question's `key` (correct, declined...) averaged over the splits."""
    chosen = [n for n, o in enumerate(outcomes_by_seed[0]) if o["group"] == group]
    values: np.ndarray = np.array([[bool(run[n][key]) for n in chosen] for run in outcomes_by_seed], dtype=float)
    means: np.ndarray = values.mean(axis=0)
    return means


def paired_bootstrap(a: np.ndarray, b: np.ndarray, samples: int = 2000, seed: int = 7) -> dict[str, float]:
    """The mean of b - a over questions, and its 95 % interval resampling questions (paired)."""
    rng = np.random.default_rng(seed)
    diff = b - a
    means = diff[rng.integers(0, len(diff), size=(samples, len(diff)))].mean(axis=1)
    return {
        "difference": round(float(diff.mean()), 4), "low": round(float(np.quantile(means, 0.025)), 4),
        "high": round(float(np.quantile(means, 0.975)), 4), "questions": len(diff),
        "questions_differing": int((diff != 0).sum()),
    }


# --- the run ------------------------------------------------------------------------------------


def mean_figures(runs: Sequence[dict[str, float]]) -> dict[str, float]:
    return {k: round(float(np.mean([r[k] for r in runs])), 4) for k in runs[0]}


def measure(items: Sequence[Item], folds: int, seeds: Sequence[int]) -> dict[str, Any]:
    """Every variant over every split; figures averaged over splits; differences bootstrapped."""
    runs: dict[str, list[Measured]] = {name: [cross_validate(items, cols, folds, s) for s in seeds] for name, cols in VARIANTS.items()}
    report: dict[str, Any] = {"variants": {}, "differences": {}}
    for name, measured in runs.items():
        per_split = [
            {**figures(m.outcomes), "sentence_auc": sentence_auc(items, m.probabilities), "answer_auc": answer_auc(items, m.probabilities)}
            for m in measured
        ]
        report["variants"][name] = {"mean": mean_figures(per_split), "per_split": per_split}
    base = [m.outcomes for m in runs["judge"]]
    for name in VARIANTS:
        if name == "judge":
            continue
        other = [m.outcomes for m in runs[name]]
        report["differences"][name] = {
            f"{key} ({group})": paired_bootstrap(per_question(base, key, group), per_question(other, key, group))
            for key, group in COMPARED if any(i.group == group for i in items)
        }
    return report


def reader_alone(items: Sequence[Item]) -> dict[str, float]:
    """The reader's own probability as the sentence score and as the decision's."""
    at = COLUMNS.index("reader")
    probabilities = [list(i.x[:, at]) for i in items]
    return {"sentence_auc": sentence_auc(items, probabilities), "answer_auc": answer_auc(items, probabilities)}


def matches_fit_judge(items: Sequence[Item], folds: int, seed: int) -> bool:
    """The judge-only column here is fit_judge's own cross-validation, figure for figure."""
    plain_items = [replace(i, x=i.x[:, : len(FEATURES)]) for i in items]
    theirs, _ = fit_judge.cross_validate(plain_items, folds=folds, seed=seed, fitter=fit_judge.sentence_only)
    # Outcome by outcome (the figures of a group absent here are NaN, which equals nothing).
    return theirs == cross_validate(items, FEATURES, folds, seed).outcomes


def reader_weights(items: Sequence[Item]) -> dict[str, float]:
    """The weight each stacked variant gives the reader's column, fitted on all of `items`."""
    return {name: fit_linear(items, cols).weights[-1] for name, cols in VARIANTS.items() if cols[-1] in READER_COLUMNS}


def shortlist_ceiling(items: Sequence[Item]) -> float:
    """The share of answerable questions whose shortlist holds a gold answer at all."""
    answerable = [i for i in items if fit_judge.answerable(i)]
    return round(sum(any(i.holds) for i in answerable) / len(answerable), 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", required=True, metavar="FEATURES:CORPUS",
                        help="a judge cache (evaluation.judge_data) and the corpus it was made over; repeatable")
    parser.add_argument("--reader", type=Path, default=Path("answering/reader_models/fold-0"))
    parser.add_argument("--fold", type=int, default=0, help="the fold the reader held out")
    parser.add_argument("--readings", type=Path, required=True, help="cache of the reader's probabilities (JSON lines)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--folds", type=int, default=5, help="inner folds, by article, inside the held-out fold")
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13, 14, 15], help="one inner split per seed")
    parser.add_argument("--runtime", default="onnx-int8")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    manifest = json.loads((args.reader / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("fold") != args.fold:
        parser.error(f"{args.reader} held out fold {manifest.get('fold')}, not {args.fold}: its readings would not be out of fold")
    started = time.perf_counter()
    sets = [load_set(Path(f), Path(c), args.fold, manifest["folds"]) for f, _, c in (s.partition(":") for s in args.set)]
    reader = load_reader(args.reader, args.runtime, args.threads, ModelCache(Settings().model_cache_dir))
    items = []
    for questions in sets:
        readings = read_all(reader, questions, args.readings)
        items += [stacked(item, row, readings[row["id"]]) for item, row in zip(questions.items, questions.rows, strict=True)]
    report: dict[str, Any] = {
        "command": "python -m evaluation.stack_reader " + " ".join(argv if argv is not None else sys.argv[1:]),
        "reader": str(args.reader), "reader_fold": args.fold, "runtime": args.runtime,
        "questions": len(items), "groups": {g: sum(i.group == g for i in items) for g in sorted({i.group for i in items})},
        "sentences": sum(len(i.x) for i in items), "sentences_without_their_before": sum(q.missing_befores() for q in sets),
        "inner_folds": args.folds, "fold_key": "article (an off-corpus question: its id)", "seeds": args.seeds,
        "reader_alone": reader_alone(items),
        "judge_column_matches_fit_judge": matches_fit_judge(items, args.folds, args.seeds[0]),
        "reader_weight_fitted_on_the_fold": reader_weights(items), "shortlist_ceiling": shortlist_ceiling(items),
        **measure(items, args.folds, args.seeds),
    }
    report["seconds"] = round(time.perf_counter() - started, 1)
    headline = {name: {k: v["mean"][k] for k in HEADLINE} for name, v in report["variants"].items()}
    fit_judge.publish({**report, "headline": headline}, ("headline", "differences"), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
