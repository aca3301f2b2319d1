"""The dated news set as written (evaluation/data/news): the intent questions agree with the
articles they name, so a figure computed on them measures the answers, not the set's mistakes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from evaluation.metrics import contains_answer

NEWS = Path(__file__).resolve().parents[2] / "evaluation" / "data" / "news"


def article(name: str) -> tuple[str, str]:
    """An article's publication day and text (title and body)."""
    _, header, body = (NEWS / "corpus" / name).read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(header)
    return str(meta["date"])[:10], f"{meta['title']}\n{body}"


ARTICLES = {path.name: article(path.name) for path in (NEWS / "corpus").glob("*.md")}
ROWS: list[dict[str, object]] = [
    json.loads(line) for line in (NEWS / "intents.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
]
GROUPS: dict[str, list[str]] = json.loads((NEWS / "groups.json").read_text(encoding="utf-8"))


def rows(**match: object) -> list[dict[str, object]]:
    return [r for r in ROWS if all(r[k] == v for k, v in match.items())]


def in_period(day: str, period: object) -> bool:
    assert isinstance(period, dict)
    return bool(period["start"] <= day <= period["end"])


def test_the_set_has_the_questions_issue_24_asks_for() -> None:
    kinds = Counter((r["intent"], r["expect"]) for r in ROWS)
    assert kinds["open", "story"] >= 40
    assert kinds["timeline", "story"] >= 20
    assert sum(n for (_, expect), n in kinds.items() if expect != "story") >= 15
    assert 3 <= sum(n for (_, expect), n in kinds.items() if expect == "nothing_about") <= 5
    assert kinds["fact", "story"] >= 40
    assert len({r["id"] for r in ROWS}) == len(ROWS) and len({r["question"] for r in ROWS}) == len(ROWS)
    assert any(str(r["question"]).startswith(("What", "How")) for r in rows(intent="open"))


def test_every_named_article_exists_with_all_its_copies() -> None:
    for r in ROWS:
        stories, articles = r["stories"], r["articles"]
        assert isinstance(stories, list) and isinstance(articles, list)
        assert set(articles) <= set(ARTICLES), r["id"]
        assert articles == [a for s in stories for a in GROUPS[s]], r["id"]
        assert bool(stories) == (r["expect"] == "story"), r["id"]


@pytest.mark.parametrize("intent", ["open", "timeline"])
def test_the_stories_of_a_period_question_are_published_in_the_period(intent: str) -> None:
    for r in rows(intent=intent, expect="story"):
        if r["period"] is not None:
            assert isinstance(r["articles"], list)
            for name in r["articles"]:  # the syndicated copies too, published hours later
                assert in_period(ARTICLES[name][0], r["period"]), (r["id"], name)


def test_a_timeline_has_several_stories_to_order() -> None:
    for r in rows(intent="timeline"):
        assert isinstance(r["stories"], list) and len(r["stories"]) >= 2, r["id"]


def test_a_fact_question_s_gold_answer_is_in_one_of_its_articles() -> None:
    for r in rows(intent="fact", expect="story"):
        assert isinstance(r["answers"], list) and isinstance(r["articles"], list) and r["answers"], r["id"]
        assert any(contains_answer(ARTICLES[a][1], [str(g) for g in r["answers"]]) for a in r["articles"]), r["id"]


def test_relative_days_name_the_only_articles_of_their_period() -> None:
    """"hier", "la semaine dernière", "le mois dernier": every article of the period is right."""
    for question in ("Que s'est-il passé hier ?", "Que s'est-il passé la semaine dernière ?",
                     "Que s'est-il passé le mois dernier ?"):
        (r,) = rows(question=question)
        published = {name for name, (day, _) in ARTICLES.items() if in_period(day, r["period"])}
        assert isinstance(r["articles"], list) and published == set(r["articles"]), question


def test_a_subject_never_covered_is_asked_with_a_year_no_article_is_from() -> None:
    for r in rows(expect="nothing_about"):
        assert not any(in_period(day, r["period"]) for day, _ in ARTICLES.values()), r["id"]


def test_a_period_with_no_article_has_none_published_about_anything_asked() -> None:
    """The subject is covered elsewhere; in the period, no article of its stories is published.
    (That no other article is about the subject was checked by hand, article by article.)"""
    story_days = {s: [ARTICLES[a][0] for a in files] for s, files in GROUPS.items()}
    for r in rows(expect="none_in_period"):
        subject = next(s for s in GROUPS if any(w in str(r["question"]).casefold() for w in subject_words(s)))
        family = [s for s in GROUPS if s.split("-")[0] == subject.split("-")[0]]
        assert not any(in_period(day, r["period"]) for s in family for day in story_days[s]), r["id"]


def subject_words(story: str) -> tuple[str, ...]:
    """Words a question uses for a story's family of keys."""
    return {
        "tram": ("tram", " tours "), "proces": ("logivert",), "eboueurs": ("éboueurs",), "valmont": ("valmont",),
        "ferromax": ("ferromax",), "vierzon": ("vierzon",), "carhaix": ("carhaix",), "helios": ("hélios",),
        "eau": ("pyrénées-orientales",), "bac": ("bac ",), "avignon": ("avignon",), "ski": ("ski",),
        "pont": ("saint-nazaire",),
    }.get(story.split("-")[0], ())
