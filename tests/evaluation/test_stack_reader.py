"""evaluation.stack_reader's pure parts: fold 0's questions, the sentence before each, the
reader's columns joined to the judge's, and the judge-only column being fit_judge's own."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from answering.judge import JudgeModel
from answering.reader.runtime import Candidate, Reading
from answering.sentence_features import FEATURES
from evaluation import fit_judge
from evaluation.fit_judge import Item, figures
from evaluation.reader_data import fold_of
from evaluation.runner import ANSWERABLE, OFF_CORPUS
from evaluation.stack_reader import (
    COLUMNS,
    Linear,
    QuestionSet,
    article_befores,
    candidates_of,
    cross_validate,
    fold_key,
    in_fold,
    log_odds,
    matches_fit_judge,
    paired_bootstrap,
    read_all,
    sentence_auc,
    stacked,
)


def test_folds_are_reader_datas_by_article_and_by_id_off_corpus() -> None:
    rows = [{"id": f"q{n}", "article": f"a{n % 7}.txt" if n % 3 else None} for n in range(60)]
    assert fold_key(rows[1]) == "a1.txt" and fold_key(rows[0]) == "q0"
    held = in_fold(rows, 0, 5)
    assert held and len(held) < len(rows)
    assert all(fold_of(r["article"] or r["id"], 5) == 0 for r in held)
    assert {r["id"] for r in in_fold(rows, 1, 5)}.isdisjoint({r["id"] for r in held})


def test_each_sentence_reads_with_the_one_before_it_in_its_article() -> None:
    text = "Titre\n## La ville\nLa ville compte 40 000 habitants. Le maire a été élu en 2020.\n"
    befores = {"a.txt": article_befores("a.txt", text)}
    row = {"sentences": [
        {"article": "a.txt", "text": "Le maire a été élu en 2020."},
        {"article": "a.txt", "text": "La ville"},
        {"article": "b.txt", "text": "Une phrase d'ailleurs."},
    ]}
    pairs = candidates_of(row, befores)
    assert [c.sentence for c in pairs] == [s["text"] for s in row["sentences"]]
    assert pairs[0].before == "La ville compte 40 000 habitants."
    assert pairs[1].before == ""  # the article's first sentence (a heading, without its markup)
    assert pairs[2].before == ""  # an article not read: no context rather than a wrong one


def _item(key: str, group: str, positive: int | None, rng: random.Random, n: int = 4) -> Item:
    x = np.array([[rng.random() for _ in FEATURES] for _ in range(n)])
    labels = np.array([float(k == positive) for k in range(n)])
    texts = [f"{key} phrase {k}" + (" la réponse" if k == positive else "") for k in range(n)]
    return Item(key, group, ("la réponse",) if group == ANSWERABLE else ("ailleurs",), x, labels,
                [k == positive for k in range(n)], texts, [1] * n, [None] * n, [0.0] * n)


def _items(count: int = 60, seed: int = 3) -> tuple[list[Item], list[list[float]]]:
    """Questions whose answering sentence the 'reader' sees (with noise) and the features do not."""
    rng = random.Random(seed)
    items, readings = [], []
    for q in range(count):
        off = q % 4 == 0
        positive = None if off else rng.randrange(4)
        items.append(_item(f"q{q}" if off else f"a{q % 12}.txt", OFF_CORPUS if off else ANSWERABLE, positive, rng))
        readings.append([min(0.99, max(0.01, (0.7 if k == positive else 0.2) + rng.gauss(0, 0.1))) for k in range(4)])
    return items, readings


def test_the_reader_columns_join_each_sentence_in_order() -> None:
    items, readings = _items(4)
    row = {"id": "q0", "article": None}
    joined = stacked(items[0], row, readings[0])
    assert joined.x.shape == (4, len(COLUMNS))
    assert joined.key == "q0"
    np.testing.assert_allclose(joined.x[:, : len(FEATURES)], items[0].x)
    np.testing.assert_allclose(joined.x[:, COLUMNS.index("reader")], readings[0])
    assert joined.x[0, COLUMNS.index("reader_logit")] == pytest.approx(log_odds(readings[0][0]))
    with pytest.raises(ValueError, match="3 readings for 4 sentences"):
        stacked(items[0], row, readings[0][:3])


def test_the_judge_only_model_is_the_shipped_judges_arithmetic() -> None:
    items, readings = _items(1)
    item = stacked(items[0], {"id": "q0", "article": None}, readings[0])
    weights = tuple(float(k) / 10 for k in range(len(FEATURES)))
    linear = Linear(FEATURES, weights, -1.0)
    shipped = JudgeModel(dict(zip(FEATURES, weights, strict=True)), -1.0, 0.5)
    for row in item.x:
        values = dict(zip(COLUMNS, (float(v) for v in row), strict=True))
        assert linear.probability(values) == shipped.probability(values)


def test_judge_only_cross_validation_is_fit_judges_and_the_reader_column_is_used() -> None:
    raw, readings = _items()
    items = [stacked(i, {"id": i.key, "article": i.key if i.group == ANSWERABLE else None}, r) for i, r in zip(raw, readings, strict=True)]
    assert matches_fit_judge(items, folds=4, seed=11)
    theirs, _ = fit_judge.cross_validate([i for i in raw], folds=4, seed=11, fitter=fit_judge.sentence_only)
    judge = cross_validate(items, FEATURES, folds=4, seed=11)
    assert judge.outcomes == theirs
    assert figures(judge.outcomes)["accuracy"] == figures(theirs)["accuracy"]
    with_reader = cross_validate(items, (*FEATURES, "reader"), folds=4, seed=11)
    # The features are noise and the reader is not: only the stacked model ranks the answers first.
    assert sentence_auc(items, with_reader.probabilities) > 0.9 > sentence_auc(items, judge.probabilities) + 0.2


def test_the_paired_bootstrap_brackets_the_difference() -> None:
    a = np.array([1.0, 0.0, 1.0, 0.0] * 25)
    b = np.array([1.0, 1.0, 1.0, 0.0] * 25)
    result = paired_bootstrap(a, b)
    assert result["difference"] == 0.25 and result["questions_differing"] == 25
    assert result["low"] < 0.25 < result["high"]


class CountingReader:
    """A reader whose probability is the sentence's length over 100, counting what it reads."""

    def __init__(self) -> None:
        self.read_pairs: list[tuple[str, Candidate]] = []

    def read(self, question: str, candidates: Sequence[Candidate]) -> list[Reading]:
        self.read_pairs += [(question, c) for c in candidates]
        return [Reading(len(c.sentence) / 100, None, 0.0) for c in candidates]


def test_readings_are_cached_per_set_and_question(tmp_path: Path) -> None:
    rows = [{"id": "q1", "question": "Qui ?", "sentences": [{"article": "a.txt", "text": "Une phrase."}]}]
    befores = {"a.txt": {"Une phrase.": "Avant."}}
    cache = tmp_path / "readings.jsonl"
    reader = CountingReader()
    assert read_all(reader, QuestionSet("dev", rows, [], befores), cache) == {"q1": [0.11]}
    assert reader.read_pairs == [("Qui ?", Candidate("Une phrase.", "Avant."))]
    assert read_all(reader, QuestionSet("dev", rows, [], befores), cache) == {"q1": [0.11]}
    assert len(reader.read_pairs) == 1  # read once: the second run takes it from the cache
    # The same id in another set (a same-article control) is another shortlist: read again.
    other = [{**rows[0], "sentences": [{"article": "a.txt", "text": "Une autre phrase."}]}]
    assert read_all(reader, QuestionSet("ontopic", other, [], befores), cache) == {"q1": [0.17]}
    assert len(reader.read_pairs) == 2


def test_reading_only_a_few_keeps_the_closest_in_meaning_and_leaves_the_rest_unread() -> None:
    row = {"id": "q1", "sentences": [{"features": {"semantic": s, "first_look_rank": 1 / (n + 1)}}
                                      for n, s in enumerate((0.2, 0.9, 0.5, 0.7))]}
    readings = {"judge-dev/q1": [0.1, 0.2, 0.3, 0.4]}
    path = Path("var/eval/judge-dev.jsonl")
    assert fit_judge.reader_column(path, row, readings) == [0.1, 0.2, 0.3, 0.4]
    assert fit_judge.reader_column(path, row, readings, reads=2) == [fit_judge.UNREAD, 0.2, fit_judge.UNREAD, 0.4]
    assert fit_judge.reader_column(path, row, readings, reads=1, by="first_look_rank") == [0.1, *[fit_judge.UNREAD] * 3]


def test_reading_only_a_few_is_measured_never_written(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        fit_judge.main(["--features", str(tmp_path / "none.jsonl"), "--readings", str(tmp_path / "r.jsonl"),
                        "--reads", "2", "--write", str(tmp_path / "model.json")])
    assert not (tmp_path / "model.json").exists()
