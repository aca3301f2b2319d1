"""Where an English question loses against the same question in French (evaluation.english_stages),
on passages through the stages set by hand."""

from __future__ import annotations

from evaluation.english_stages import Passed, table


def passed(stage: str, language: str = "en", dense: bool = True, qid: str = "q") -> Passed:
    """A question that fails first at `stage` ("right": at none)."""
    order = ("retrieval", "shortlist", "declined", "order", "right")
    reached = order.index(stage)
    return Passed(
        id=qid, language=language, retrieved=reached > 0, dense_retrieved=dense, shortlisted=reached > 1,
        answered=stage in ("order", "right"), right=stage == "right",
    )


def test_the_first_stage_that_fails_is_the_questions_stage() -> None:
    assert [passed(s).stage for s in ("retrieval", "shortlist", "declined", "order", "right")] == [
        "retrieval", "shortlist", "declined", "order", "right"
    ]
    # A right answer from a passage retrieval was not credited with (the answer stated elsewhere).
    assert Passed("q", "en", retrieved=False, dense_retrieved=False, shortlisted=False, answered=True, right=True).stage == "right"


def test_the_table_counts_each_language_and_where_english_loses() -> None:
    pairs = [
        (passed("right", "fr"), passed("shortlist")),
        (passed("right", "fr"), passed("declined")),
        (passed("order", "fr"), passed("right")),
        (passed("retrieval", "fr"), passed("retrieval", dense=True)),
        (passed("right", "fr"), passed("right")),
    ]
    report = table(pairs)
    assert report["french"] == {"retrieval": 1, "shortlist": 0, "declined": 0, "order": 1, "right": 3}
    assert report["english"] == {"retrieval": 1, "shortlist": 1, "declined": 1, "order": 0, "right": 2}
    assert report["english_lost_where_french_right"] == {"retrieval": 0, "shortlist": 1, "declined": 1, "order": 0, "right": 0}
    assert report["french_lost_where_english_right"] == {"retrieval": 0, "shortlist": 0, "declined": 0, "order": 1, "right": 0}
    assert report["english_retrieval_misses_dense_finds"] == 1
