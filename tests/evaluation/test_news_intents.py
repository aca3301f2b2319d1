"""The figures of `python -m evaluation.news --set intents`, computed on hand-made Answers: each
figure counts what issue 24 says it counts, and a wrong reply lowers it."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from answering import wording
from answering.protocol import Answer, Citation
from evaluation.news import (
    DATA,
    IntentQuestion,
    ask_intents,
    claims_no_article_in_period,
    intent_figures,
    intents_report,
    judge,
    load_intents,
    stories_of,
)
from qabot.settings import Settings
from retrieval.dates import Period
from retrieval.models import Passage
from tests.fakes.embedder import HashingEmbedder

# Two stories of one subject, the first with a syndicated copy, and another subject.
STORY_OF = {"tram-jan.md": "tram-jan", "tram-jan--copie-1.md": "tram-jan", "tram-mar.md": "tram-mar",
            "tram-jun.md": "tram-jun", "greve.md": "greve"}
DATES = {"tram-jan.md": "2024-01-15T11:30:00+01:00", "tram-jan--copie-1.md": "2024-01-15T14:30:00+01:00",
         "tram-mar.md": "2024-03-12T18:00:00+01:00", "tram-jun.md": "2024-06-20T09:45:00+02:00",
         "greve.md": "2024-03-05T08:15:00+01:00",
         "tram-2025-12--copie-1.md": "2025-12-17T19:40:00+01:00"}  # an article of the real set
TRAM = frozenset({"tram-jan.md", "tram-jan--copie-1.md", "tram-mar.md", "tram-jun.md"})
MARCH = Period.month(2024, 3)


def question(intent: str, articles: frozenset[str] = TRAM, period: Period | None = None,
             answers: tuple[str, ...] = (), expect: str = "story") -> IntentQuestion:
    return IntentQuestion("q", "?", date(2025, 12, 18), intent, articles, period, answers, expect)


def answer(text: str, *articles: str, answered: bool = True, short: str | None = None) -> Answer:
    citations = [
        Citation(n, Passage(n, article, article, DATES[article], 0, 10, "…", 1.0))
        for n, article in enumerate(articles, start=1)
    ]
    return Answer("?", text, citations, answered, "fr", "extractive", short_answer=short)


def refusal(language: str = "fr") -> Answer:
    return Answer("?", wording.load("refusal", language), [], False, language, "extractive")


def none_in_period(language: str) -> Answer:
    text = wording.render("period_none", language, period="« en mars 2023 », 2023-03-01 – 2023-03-31")
    return Answer("?", text, [], False, language, "extractive")


def test_an_open_answer_counts_when_its_first_citation_is_an_expected_story() -> None:
    q = question("open", frozenset({"tram-jan.md", "tram-jan--copie-1.md"}))
    assert judge(q, answer("[1] puis [2]", "tram-jan--copie-1.md", "greve.md"), STORY_OF)["right_story_first"]
    # the right story second, or not answered, is not the right story first
    assert not judge(q, answer("[1] puis [2]", "greve.md", "tram-jan.md"), STORY_OF)["right_story_first"]
    assert not judge(q, refusal(), STORY_OF)["right_story_first"]


def test_an_open_answer_cites_only_stories_published_in_the_period_asked() -> None:
    q = question("open", frozenset({"tram-mar.md"}), MARCH)
    assert judge(q, answer("[1] [2]", "tram-mar.md", "greve.md"), STORY_OF)["only_in_period"] is True
    padded = judge(q, answer("[1] [2]", "tram-mar.md", "tram-jun.md"), STORY_OF)
    assert padded["right_story_first"] and padded["only_in_period"] is False
    # a question without a period, or a declined one, has nothing to count
    assert "only_in_period" not in judge(question("open"), answer("[1]", "tram-jun.md"), STORY_OF)
    assert "only_in_period" not in judge(q, refusal(), STORY_OF)


def test_a_timeline_is_one_line_per_story_in_date_order_without_copies() -> None:
    q = question("timeline")
    good = judge(q, answer("15 janvier [1]\n12 mars [2]\n20 juin [3]", "tram-jan.md", "tram-mar.md", "tram-jun.md"),
                 STORY_OF)
    assert good["timeline_ok"]
    backwards = judge(q, answer("a [1]\nb [2]", "tram-mar.md", "tram-jan.md"), STORY_OF)
    assert not backwards["in_date_order"] and not backwards["timeline_ok"]
    copies = judge(q, answer("a [1]\nb [2]\nc [3]", "tram-jan.md", "tram-jan--copie-1.md", "tram-mar.md"), STORY_OF)
    assert not copies["no_duplicate_copies"] and not copies["timeline_ok"]
    one_line = judge(q, answer("a [1], b [2].", "tram-jan.md", "tram-mar.md"), STORY_OF)
    assert not one_line["one_line_per_story"] and one_line["in_date_order"]
    off_subject = judge(q, answer("a [1]\nb [2]", "tram-jan.md", "greve.md"), STORY_OF)
    assert not off_subject["on_subject"]
    outside = judge(question("timeline", period=MARCH), answer("a [1]\nb [2]", "tram-mar.md", "tram-jun.md"), STORY_OF)
    assert not outside["in_period"]
    single = judge(q, answer("a [1]", "tram-jan.md"), STORY_OF)
    assert not single["timeline_ok"]  # one story is not a timeline


def test_no_article_in_the_period_is_read_from_the_reply_in_either_language() -> None:
    assert claims_no_article_in_period(none_in_period("fr"))
    assert claims_no_article_in_period(none_in_period("en"))
    assert not claims_no_article_in_period(refusal())
    assert not claims_no_article_in_period(answer("Le tram [1]", "tram-jan.md"))


def test_a_fact_is_right_when_a_gold_answer_is_in_the_reply() -> None:
    q = question("fact", answers=("212 000 euros", "4 000 tonnes"))
    # typographic apostrophes and narrow no-break spaces do not make a right answer wrong
    assert judge(q, answer("Elles ont reçu 212\u202f000 euros [1].", "tram-mar.md"), STORY_OF)["right"]
    assert judge(q, answer("Selon l\u2019article [1].", "tram-mar.md", short="4 000 tonnes"), STORY_OF)["right"]
    assert not judge(q, answer("Elles ont reçu 200 000 euros [1].", "tram-mar.md"), STORY_OF)["right"]
    assert not judge(q, refusal(), STORY_OF)["right"]


def test_the_figures_count_false_claims_due_claims_and_plain_refusals() -> None:
    rows = [
        judge(question("open", frozenset({"tram-mar.md"}), MARCH), answer("[1]", "tram-mar.md"), STORY_OF),
        # articles exist for the period: claiming none is false
        judge(question("open", frozenset({"tram-mar.md"}), MARCH), none_in_period("fr"), STORY_OF),
        judge(question("open", frozenset(), MARCH, expect="none_in_period"), none_in_period("fr"), STORY_OF),
        judge(question("open", frozenset(), MARCH, expect="none_in_period"), refusal(), STORY_OF),
        # a subject never covered: the plain refusal is right, blaming the date is a false claim
        judge(question("fact", frozenset(), Period.year(2019), expect="nothing_about"), refusal("en"), STORY_OF),
        judge(question("fact", frozenset(), Period.year(2019), expect="nothing_about"), none_in_period("en"), STORY_OF),
        judge(question("fact", answers=("23",)), answer("23 stations [1]", "tram-jan.md"), STORY_OF),
    ]
    figures = intent_figures(rows)
    assert figures["open_right_story_first"] == 0.5
    assert figures["open_only_in_period"] == 1.0 and figures["open_answered_with_a_period"] == 1
    assert figures["false_no_article_claims"] == 2
    assert figures["no_article_said"] == 0.5
    assert figures["never_covered_plain_refusal"] == 0.5
    assert figures["fact_accuracy"] == 1.0
    assert figures["timelines_ok"] is None  # no timeline asked: nothing measured, not a perfect score


class ScriptedDoor:
    """The front door's `ask`, replying from a script: the harness reads what it returns."""

    def __init__(self, replies: dict[str, Answer]) -> None:
        self.replies = replies
        self.asked: list[str] = []

    async def ask(self, question: str) -> Answer:
        self.asked.append(question)
        return self.replies[question]


def test_the_set_as_written_is_asked_through_the_front_door_and_judged() -> None:
    questions = load_intents(DATA)
    story_of = stories_of(DATA)
    latest = next(q for q in questions if q.question == "Quel est le dernier article sur le tramway de Tours ?")
    never = next(q for q in questions if q.expect == "nothing_about")
    door = ScriptedDoor({latest.question: answer("[1]", "tram-jan.md"), never.question: refusal()})
    rows = asyncio.run(ask_intents(door, [latest, never], story_of))
    assert door.asked == [latest.question, never.question]
    assert rows[0]["right_story_first"] is False  # a year-old story is not the latest
    rows = asyncio.run(ask_intents(ScriptedDoor({latest.question: answer("[1]", "tram-2025-12--copie-1.md")}),
                                   [latest], story_of))
    assert rows[0]["right_story_first"] is True
    assert intent_figures(rows)["open_questions"] == 1


SMALL = ("tram-2024-01", "tram-2025-05", "tram-2025-12", "proces-2025-05", "proces-en-2025")


def small_set(folder: Path) -> Path:
    """Five stories of the real set (with their copies) and the questions about them alone."""
    groups = {story: files for story, files in json.loads((DATA / "groups.json").read_text("utf-8")).items()
              if story in SMALL}
    (folder / "corpus").mkdir(parents=True)
    for files in groups.values():
        for name in files:
            shutil.copy(DATA / "corpus" / name, folder / "corpus" / name)
    (folder / "groups.json").write_text(json.dumps(groups), encoding="utf-8")
    rows = [line for line in (DATA / "intents.jsonl").read_text("utf-8").splitlines()
            if (row := json.loads(line))["stories"] and set(row["stories"]) <= set(SMALL)]
    (folder / "intents.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("backend", ["local", "qdrant"])
def test_the_report_asks_the_questions_on_the_backend_asked_for(
    backend: str, tmp_path: Path, make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    data = small_set(tmp_path / "news")
    questions = load_intents(data)
    report = intents_report(make_settings(index_backend=backend), data, fake_embedder)
    assert report["backend"] == backend and report["today"] == ["2025-12-18"]
    index = report["index"]
    assert isinstance(index, dict) and index["articles"] == len(list((data / "corpus").iterdir()))
    rows = report["questions"]
    assert isinstance(rows, list) and [r["id"] for r in rows] == [q.id for q in questions]
    corpus = {path.name for path in (data / "corpus").iterdir()}
    assert all(set(r["cited"]) <= corpus for r in rows)
    figures = report["figures"]
    assert isinstance(figures, dict) and figures["questions"] == len(questions) >= 8
    assert figures["open_questions"] == sum(q.intent == "open" for q in questions)
    assert figures["fact_questions"] == sum(q.intent == "fact" for q in questions)
