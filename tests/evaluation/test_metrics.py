"""The metric functions on small hand-made cases."""

from __future__ import annotations

import pytest

from evaluation import metrics


def test_normalize_folds_case_accents_punctuation_and_spaces() -> None:
    assert metrics.normalize("  L’Élysée,\u00a0«  Paris » ") == "l elysee paris"
    assert metrics.normalize("Ban Ki-moon") == metrics.normalize("ban ki moon")


def test_contains_answer_matches_whole_words_only() -> None:
    text = "Né en 1802 à Besançon, Victor Hugo…"
    assert metrics.contains_answer(text, ["besancon"])
    assert metrics.contains_answer(text, ["nope", "NÉ EN 1802"])
    assert not metrics.contains_answer("en 18025", ["1802"])
    assert not metrics.contains_answer(text, ["", "  "])


def test_first_hit_needs_the_gold_article_and_an_answer() -> None:
    passages = [("a.txt", "130 000 habitants"), ("b.txt", "rien"), ("b.txt", "130\u00a0000 habitants")]
    assert metrics.first_hit(passages, "b.txt", ["130 000"]) == 2
    assert metrics.first_hit(passages, "c.txt", ["130 000"]) is None
    assert metrics.first_article_hit([a for a, _ in passages], "b.txt") == 1


def test_recall_and_mrr() -> None:
    hits = [0, 2, None, 9, 12]
    assert metrics.recall_at(hits, 1) == pytest.approx(1 / 5)
    assert metrics.recall_at(hits, 3) == pytest.approx(2 / 5)
    assert metrics.recall_at(hits, 10) == pytest.approx(3 / 5)
    assert metrics.mrr(hits, 10) == pytest.approx((1 + 1 / 3 + 1 / 10) / 5)
    assert metrics.recall_at([], 5) == 0.0 and metrics.mrr([]) == 0.0


def test_answer_accuracy_and_token_f1() -> None:
    answer = "La ville compte 130 000 habitants [1]."
    assert metrics.answer_accuracy(answer, ["130 000"])
    assert not metrics.answer_accuracy(answer, ["120 000"])
    assert metrics.token_f1("130 000", ["130 000 habitants"]) == pytest.approx(0.8)
    assert metrics.token_f1("Paris [2]", ["paris"]) == pytest.approx(1.0)
    assert metrics.token_f1("Lyon", ["Paris", "Marseille"]) == 0.0


def test_citation_validity_and_support() -> None:
    assert metrics.citation_validity("A [1]. B [2][3]. C [4].", shown=3) == (3, 4)
    assert metrics.citation_validity("no markers", shown=3) == (0, 0)
    assert metrics.citation_support(["rien ici", "le Fort de Joux"], ["fort de joux"])
    assert not metrics.citation_support([], ["fort de joux"])


def test_refusal_rates() -> None:
    declined = [True, False, True, True, False]
    answerable = [True, True, True, False, False]
    rates = metrics.refusal_rates(declined, answerable)
    assert rates["unanswerable_declined"] == pytest.approx(1 / 2)
    assert rates["answerable_wrongly_declined"] == pytest.approx(2 / 3)


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert metrics.percentile(values, 50) == pytest.approx(50.5)
    assert metrics.latency_summary(values) == {"p50": 50.5, "p95": 95.0}
    assert metrics.percentile([], 95) == 0.0
