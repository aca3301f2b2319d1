"""How `python -m evaluation.tune_subject` scores a pair of margins and chooses one: the stories
a timeline would show (answering.timeline.timeline_stories), against the expected ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from answering.query import plain_query
from answering.stories import UNCALIBRATED, Margins
from evaluation.news import IntentQuestion
from evaluation.tune_subject import Searched, best, errors
from retrieval.models import Passage, SearchResult
from tests.answering.passages import passage

QUESTION = "How did the Logivert trial unfold?"


def story(n: int, title: str, text: str, dense: float) -> Passage:
    return replace(passage(n, f"{title}\n{text}", dense), title=title, date=f"2025-0{n}-10")


PASSAGES = [
    story(1, "Logivert fined over deadly warehouse fire", "A French court fined Logivert over the fire.", 0.846),
    story(2, "Procès Logivert : l'audience s'ouvre", "Le procès de l'incendie de l'entrepôt Logivert s'est ouvert.", 0.822),
    # Writes the name, far in meaning: not about the trial.
    story(3, "La logistique recrute", "Les entrepôts recrutent, de Logivert à ses concurrents.", 0.70),
]
# Each article its own story; the expected ones are the trial's two.
STORY_OF = {"a1.txt": "fine", "a2.txt": "trial", "a3.txt": "jobs"}
ROWS = [Searched(
    IntentQuestion("t1", QUESTION, date(2025, 12, 18), "timeline", frozenset({"a1.txt", "a2.txt"}), None, (), "story"),
    plain_query(QUESTION, "en"),
    SearchResult(QUESTION, PASSAGES, {}),
)]
E5 = Margins(same_language=0.04, cross_language=0.09)


def test_a_story_kept_wrongly_and_one_missed_are_counted() -> None:
    assert errors(ROWS, E5, STORY_OF) == (0, 0)
    assert errors(ROWS, UNCALIBRATED, STORY_OF) == (1, 0)  # the words alone keep the jobs column
    assert errors(ROWS, Margins(0.0, 0.0), STORY_OF) == (0, 1)  # only the closest story is left


def test_the_fewest_errors_win_then_the_narrower_margins() -> None:
    wider = Margins(same_language=0.08, cross_language=0.09)  # as right as E5 here
    assert best(ROWS, [UNCALIBRATED, Margins(0.0, 0.0), wider, E5], STORY_OF) == E5
