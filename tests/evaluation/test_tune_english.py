"""The choice of the French reading's bars on one half of the English questions
(evaluation.tune_english), on outcomes set by hand."""

from __future__ import annotations

from evaluation.tune_english import ALIGNMENT_BARS, EVIDENCE_BARS, Outcome, choose, halves


def outcomes(best_alignment: float, knee: float) -> dict[tuple[float, float], list[Outcome]]:
    """Four articles, one question each: every bar pair answers three right, except that the
    best alignment bar answers all four, and evidence bars above `knee` decline the first."""
    found: dict[tuple[float, float], list[Outcome]] = {}
    for alignment in ALIGNMENT_BARS:
        for evidence in EVIDENCE_BARS:
            declined = evidence > knee
            found[(alignment, evidence)] = [
                Outcome("a.txt", not declined, not declined),
                Outcome("b.txt", True, True),
                Outcome("c.txt", True, alignment == best_alignment),
                Outcome("d.txt", True, alignment == best_alignment),
            ]
    return found


def test_the_best_alignment_then_the_highest_evidence_bar_that_declines_no_more() -> None:
    assert choose(outcomes(0.92, 0.79), {"a.txt", "b.txt", "c.txt", "d.txt"}) == (0.92, 0.79)


def test_ties_in_accuracy_go_to_the_higher_alignment_bar() -> None:
    assert choose(outcomes(0.92, 0.79), {"a.txt", "b.txt"}) == (ALIGNMENT_BARS[-1], 0.79)


def test_each_half_is_reported_on_the_questions_it_was_not_chosen_on() -> None:
    report = halves(outcomes(0.92, 0.79))
    # half 0 holds a.txt and c.txt, half 1 b.txt and d.txt: only half 0 sees a.txt declined
    assert [(h["chosen_on_half"], h["alignment_bar"], h["evidence_bar"]) for h in report] == [
        (0, 0.92, 0.79), (1, 0.92, EVIDENCE_BARS[-1])
    ]
    assert report[0]["held_out"] == {"questions": 2, "accuracy": 1.0, "wrongly_declined": 0.0}
    assert report[1]["held_out"] == {"questions": 2, "accuracy": 0.5, "wrongly_declined": 0.5}
