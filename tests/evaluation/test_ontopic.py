"""The on-topic unanswerable set, the new answer figures, and the judge's fitting by article."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from answering.judge import JudgeModel
from answering.sentence_features import FEATURES
from evaluation import fit_judge, metrics
from evaluation.ontopic import ONTOPIC, SAME_ARTICLE, Row, build, remove_answers
from evaluation.runner import ANSWERABLE, OFF_CORPUS, ON_TOPIC, Question

HEADER = " date 2020-02 Alep\n"
ALEP = HEADER + (
    "L'offensive a été lancée le 15 novembre. Depuis, 130 000 civils ont fui la ville. "
    "Le porte-parole est Stepjane Dujarric. La ville compte de nombreux quartiers.\n\n"
    "Les rebelles tiennent le sud depuis l'été 2012. La trêve a échoué.\n\n"
    # Removals may not take more than 30 % of an article: the rest of it.
    + "Les bombardements continuent dans les quartiers de l'est de la ville. " * 6
)
LYON = HEADER.replace("Alep", "Lyon") + "Lyon est une ville de France. Elle est traversée par le Rhône et la Saône."


def row(qid: str, question: str, answer: str, article: str = "alep.txt") -> Row:
    return {"id": qid, "question": question, "answers": [answer], "answerable": True, "article": article}


def test_removing_an_answer_keeps_the_header_and_the_other_sentences() -> None:
    text = remove_answers(ALEP, ["15 novembre"])
    assert text.startswith(HEADER) and "15 novembre" not in text
    assert "130 000 civils ont fui" in text and "Stepjane Dujarric" in text


def test_on_topic_questions_lose_their_answer_everywhere_and_controls_keep_theirs() -> None:
    rows = [
        row("1", "Quand l'offensive a-t-elle été lancée ?", "15 novembre"),
        row("2", "Combien de civils ont fui ?", "130 000"),
        row("3", "Qui est le porte-parole ?", "Stepjane Dujarric"),
        row("4", "Depuis quand les rebelles tiennent-ils le sud ?", "été 2012"),
        row("5", "Qu'est-ce qui traverse Lyon ?", "le Rhône", "lyon.txt"),
        # Its answer is also in another article: taking it out of one would not make it unanswerable.
        row("6", "Quel est le pays ?", "France"),
    ]
    built = build(rows, {"alep.txt": ALEP, "lyon.txt": LYON}, articles=1, per_article=2, seed=3)
    removed = [q for q in built.questions if q["group"] == ONTOPIC]
    controls = [q for q in built.questions if q["group"] == SAME_ARTICLE]
    assert len(removed) == 2 and all(q["answerable"] is False and q["article"] == "alep.txt" for q in removed)
    for q in removed:
        assert not any(metrics.contains_answer(t, q["answers"]) for t in built.corpus.values())
    assert controls and all(metrics.contains_answer(built.corpus["alep.txt"], q["answers"]) for q in controls)
    assert "6" not in {q["id"] for q in removed}
    assert built.corpus["lyon.txt"] == LYON


def test_question_groups_follow_the_file() -> None:
    assert Question.from_json({"id": 1, "question": "q", "answers": ["a"], "article": "a.txt"}).group == ANSWERABLE
    assert Question.from_json({"id": 2, "question": "q", "answerable": False}).group == OFF_CORPUS
    assert Question.from_json({"id": 3, "question": "q", "answerable": False, "article": "a.txt"}).group == ON_TOPIC
    assert Question.from_json({"id": 4, "question": "q", "group": "same-article", "article": "a.txt"}).group == "same-article"


def test_fact_first_reads_the_first_quoted_sentence_of_the_body() -> None:
    body = "L'offensive commence. [1] Elle est lancée le 15 novembre. [2]"
    assert [s.strip() for s in metrics.cited_sentences(body)] == ["L'offensive commence.", "Elle est lancée le 15 novembre."]
    assert not metrics.fact_first(body, ["15 novembre"])
    assert metrics.fact_first("Lancée le 15 novembre. [1]", ["15 novembre"])
    assert not metrics.fact_first("Je n'ai pas trouvé.", ["15 novembre"])


def item(key: str, group: str, x: list[list[float]], labels: list[int]) -> fit_judge.Item:
    n = len(labels)
    return fit_judge.Item(key, group, ("a",) if group == ANSWERABLE else (), np.array(x, dtype=float),
                          np.array(labels, dtype=float), [bool(v) for v in labels], [f"{key} {i}" for i in range(n)],
                          [1] * n, [None] * n, [0.0] * n)  # no sentence misses a measure


def test_folds_never_split_an_article() -> None:
    items = [item(f"art{i % 7}", ANSWERABLE, [[0.0] * len(FEATURES)], [1]) for i in range(40)]
    folds = fit_judge.folds_of(items, 5, seed=1)
    for key in {i.key for i in items}:
        assert len({f for i, f in zip(items, folds, strict=True) if i.key == key}) == 1


def test_off_corpus_questions_without_a_title_are_dealt_over_every_fold() -> None:
    rows = [{"id": f"q{n}", "article": None, "title": None} for n in range(40)]
    items = [item(fit_judge.fold_key(row), OFF_CORPUS, [[0.0] * len(FEATURES)], [0]) for row in rows]
    assert set(fit_judge.folds_of(items, 5, seed=1)) == set(range(5))
    assert fit_judge.fold_key({"id": "q", "article": "a.txt", "title": "A"}) == "a.txt"
    assert fit_judge.fold_key({"id": "q", "article": None, "title": "Titre"}) == "title:Titre"


def test_logistic_fit_learns_a_separating_feature() -> None:
    rng = np.random.default_rng(0)
    width = len(FEATURES)
    items = []
    for n in range(60):
        x = rng.normal(size=(4, width))
        labels = [int(v > 0) for v in x[:, 0]]
        items.append(item(f"a{n}", ANSWERABLE, x.tolist(), labels))
    weights, _ = fit_judge.fit(items)
    assert weights[0] > 1.0 and abs(weights[0]) > 3 * np.abs(weights[1:]).max()


def test_boosted_trees_read_as_scikit_learn_scores_them_and_survive_json() -> None:
    """The judge reads the fitted trees with numpy alone: its log-odds must be scikit-learn's,
    missing values included, before and after the model's JSON round trip."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    x[rng.random(x.shape) < 0.05] = np.nan  # the fit learns where a missing value goes
    y = ((np.nan_to_num(x[:, 0]) + np.nan_to_num(x[:, 1]) * np.nan_to_num(x[:, 2])) > 0).astype(float)
    classifier = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, random_state=0).fit(x, y)
    trees = fit_judge.trees_of(classifier)
    assert np.allclose(trees.log_odds(x), classifier.decision_function(x))
    model = JudgeModel.from_json(replace(fit_judge.as_model(np.zeros(len(FEATURES)), 0.0), trees=trees).to_json())
    row = dict(zip(FEATURES, (float(v) for v in x[3]), strict=True))
    assert model.probability(row) == pytest.approx(float(classifier.predict_proba(x[3:4])[0, 1]))


def test_the_boosted_judge_learns_that_the_kind_and_the_focus_answer_together() -> None:
    """A sentence answers when it holds the kind asked for *and* the focus word: fitted by
    `fit_judge.boosted` and read by the judge, the trees tell one from the other."""
    rng = np.random.default_rng(1)
    kind, focus = FEATURES.index("holds_kind"), FEATURES.index("focus")
    items = []
    for n in range(120):
        x = rng.random(size=(6, len(FEATURES)))
        x[:, kind], x[:, focus] = rng.integers(0, 2, 6), rng.integers(0, 2, 6)
        items.append(item(f"a{n}", ANSWERABLE, x.tolist(), [int(k and f) for k, f in x[:, [kind, focus]]]))
    model = fit_judge.boosted(items)
    both, one = np.full(len(FEATURES), 0.5), np.full(len(FEATURES), 0.5)
    both[kind] = both[focus] = one[kind] = 1.0
    one[focus] = 0.0

    def p(v: np.ndarray) -> float:
        return model.probability(dict(zip(FEATURES, (float(a) for a in v), strict=True)))
    assert p(both) > 0.9 > 0.1 > p(one)
