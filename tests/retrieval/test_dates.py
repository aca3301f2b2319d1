"""Dates in French and English text: spans, periods, granularity, relations, the clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from retrieval.dates import DateFinder, DateMention, Period, today_in

# A Monday: weeks, weekdays and "last month" have a fixed answer.
TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def finder() -> DateFinder:
    return DateFinder()


def only(finder: DateFinder, text: str, today: date = TODAY) -> DateMention:
    mentions = finder.find(text, today)
    assert len(mentions) == 1, mentions
    mention = mentions[0]
    assert text[mention.start:mention.end] == mention.text
    return mention


# text, the mention's text, first day, last day, granularity, relation, relative, year inferred
CASES = [
    # absolute, French
    ("Que s'est-il passé à Alep en décembre 2016 ?", "décembre 2016", "2016-12-01", "2016-12-31", "month", "in", False, False),
    ("Le 3 mars 2020, le gouvernement a annoncé 45 mesures.", "Le 3 mars 2020", "2020-03-03", "2020-03-03", "day", "in", False, False),
    ("Qu'a dit Macron le 12 décembre ?", "le 12 décembre", "2025-12-12", "2025-12-12", "day", "in", False, True),
    ("Il est arrivé le 1er janvier 2017.", "le 1er janvier 2017", "2017-01-01", "2017-01-01", "day", "in", False, False),
    ("mardi 13 décembre 2016, les bus verts", "mardi 13 décembre 2016", "2016-12-13", "2016-12-13", "day", "in", False, False),
    ("le 7 sept. 2016 au matin", "le 7 sept. 2016", "2016-09-07", "2016-09-07", "day", "in", False, False),
    ("Combien de morts en 1956 ?", "en 1956", "1956-01-01", "1956-12-31", "year", "in", False, False),
    ("la coupe du monde de 1998", "1998", "1998-01-01", "1998-12-31", "year", "in", False, False),
    ("Le traité de 1648 a mis fin à la guerre", "1648", "1648-01-01", "1648-12-31", "year", "in", False, False),
    ("Que s'est-il passé en mai ?", "en mai", "2026-05-01", "2026-05-31", "month", "in", False, True),
    ("en décembre dernier", "en décembre dernier", "2025-12-01", "2025-12-31", "month", "in", False, True),
    ("au mois d'août", "au mois d'août", "2026-08-01", "2026-08-31", "month", "in", False, True),
    ("à la mi-janvier 2025", "janvier 2025", "2025-01-01", "2025-01-31", "month", "in", False, False),
    ("fin 2016", "fin 2016", "2016-01-01", "2016-12-31", "year", "in", False, False),
    ("à la mi-2016", "mi-2016", "2016-01-01", "2016-12-31", "year", "in", False, False),
    ("pendant l'été 2016", "l'été 2016", "2016-06-01", "2016-08-31", "month", "in", False, False),
    ("l'hiver 2016 fut rude", "l'hiver 2016", "2016-12-01", "2017-02-28", "month", "in", False, False),
    ("dans les années 1990", "les années 1990", "1990-01-01", "1999-12-31", "year", "in", False, False),
    ("publié le 05/12/2016", "05/12/2016", "2016-12-05", "2016-12-05", "day", "in", False, False),
    ("publié le 2016-12-05", "2016-12-05", "2016-12-05", "2016-12-05", "day", "in", False, False),
    ("le bilan de 2016-12", "2016-12", "2016-12-01", "2016-12-31", "month", "in", False, False),
    # relations and ranges
    ("Les dernières nouvelles sur Alep depuis 2015", "depuis 2015", "2015-01-01", "2026-11-30", "year", "since", False, False),
    ("avant 2015", "avant 2015", "0001-01-01", "2014-12-31", "year", "before", False, False),
    ("après 2015", "après 2015", "2016-01-01", "2026-11-30", "year", "after", False, False),
    ("jusqu'en 2010", "jusqu'en 2010", "0001-01-01", "2010-12-31", "year", "until", False, False),
    ("avant le 12 décembre 2016", "avant le 12 décembre 2016", "0001-01-01", "2016-12-11", "day", "before", False, False),
    ("entre 2015 et 2018", "entre 2015 et 2018", "2015-01-01", "2018-12-31", "year", "between", False, False),
    ("la guerre de 1914-1918", "1914-1918", "1914-01-01", "1918-12-31", "year", "between", False, False),
    ("d'avril 2015 à mai 2016", "d'avril 2015 à mai 2016", "2015-04-01", "2016-05-31", "month", "between", False, False),
    ("du 3 au 5 mars 2016", "du 3 au 5 mars 2016", "2016-03-03", "2016-03-05", "day", "between", False, False),
    ("entre le 3 et le 5 mars", "entre le 3 et le 5 mars", "2026-03-03", "2026-03-05", "day", "between", False, True),
    # relative, French (TODAY is Monday 30 November 2026)
    ("Qu'est-il arrivé hier à Lyon ?", "hier", "2026-11-29", "2026-11-29", "day", "in", True, False),
    ("avant-hier soir", "avant-hier", "2026-11-28", "2026-11-28", "day", "in", True, False),
    ("aujourd'hui à Paris", "aujourd'hui", "2026-11-30", "2026-11-30", "day", "in", True, False),
    ("Qu'a-t-on appris la semaine dernière ?", "la semaine dernière", "2026-11-23", "2026-11-29", "week", "in", True, False),
    ("la semaine passée", "la semaine passée", "2026-11-23", "2026-11-29", "week", "in", True, False),
    ("cette semaine", "cette semaine", "2026-11-30", "2026-12-06", "week", "in", True, False),
    ("ce mois-ci", "ce mois-ci", "2026-11-01", "2026-11-30", "month", "in", True, False),
    ("le mois dernier", "le mois dernier", "2026-10-01", "2026-10-31", "month", "in", True, False),
    ("cette année", "cette année", "2026-01-01", "2026-12-31", "year", "in", True, False),
    ("l'an dernier", "l'an dernier", "2025-01-01", "2025-12-31", "year", "in", True, False),
    ("l'année passée", "l'année passée", "2025-01-01", "2025-12-31", "year", "in", True, False),
    ("il y a trois jours", "il y a trois jours", "2026-11-27", "2026-11-27", "day", "in", True, False),
    ("il y a 2 mois", "il y a 2 mois", "2026-09-01", "2026-09-30", "month", "in", True, False),
    ("il y a dix ans", "il y a dix ans", "2016-01-01", "2016-12-31", "year", "in", True, False),
    ("mardi dernier", "mardi dernier", "2026-11-24", "2026-11-24", "day", "in", True, False),
    ("Mercredi, le ministre a annoncé", "Mercredi", "2026-11-25", "2026-11-25", "day", "in", True, False),
    ("le week-end dernier", "le week-end dernier", "2026-11-28", "2026-11-29", "day", "in", True, False),
    ("depuis hier", "depuis hier", "2026-11-29", "2026-11-30", "day", "since", True, False),
    ("Qu'a fait la BCE depuis janvier ?", "depuis janvier", "2026-01-01", "2026-11-30", "month", "since", False, True),
    ("avant décembre", "avant décembre", "0001-01-01", "2025-11-30", "month", "before", False, True),
    # English
    ("What happened in Aleppo in December 2016?", "December 2016", "2016-12-01", "2016-12-31", "month", "in", False, False),
    ("On December 12, 2016 the ceasefire", "December 12, 2016", "2016-12-12", "2016-12-12", "day", "in", False, False),
    ("Wednesday, December 14, 2016", "Wednesday, December 14, 2016", "2016-12-14", "2016-12-14", "day", "in", False, False),
    ("the 12th of December 2016", "the 12th of December 2016", "2016-12-12", "2016-12-12", "day", "in", False, False),
    ("What happened on March 3?", "March 3", "2026-03-03", "2026-03-03", "day", "in", False, True),
    ("in May", "in May", "2026-05-01", "2026-05-31", "month", "in", False, True),
    ("last December", "last December", "2025-12-01", "2025-12-31", "month", "in", False, True),
    ("Who won in 1998?", "in 1998", "1998-01-01", "1998-12-31", "year", "in", False, False),
    ("since March 2016", "since March 2016", "2016-03-01", "2026-11-30", "month", "since", False, False),
    ("between 2015 and 2018", "between 2015 and 2018", "2015-01-01", "2018-12-31", "year", "between", False, False),
    ("from 2010 to 2012", "from 2010 to 2012", "2010-01-01", "2012-12-31", "year", "between", False, False),
    ("in the 1990s", "the 1990s", "1990-01-01", "1999-12-31", "year", "in", False, False),
    ("the summer of 2016", "the summer of 2016", "2016-06-01", "2016-08-31", "month", "in", False, False),
    ("What happened last week?", "last week", "2026-11-23", "2026-11-29", "week", "in", True, False),
    ("What did the minister say this month?", "this month", "2026-11-01", "2026-11-30", "month", "in", True, False),
    ("yesterday", "yesterday", "2026-11-29", "2026-11-29", "day", "in", True, False),
    ("last year", "last year", "2025-01-01", "2025-12-31", "year", "in", True, False),
    ("three days ago", "three days ago", "2026-11-27", "2026-11-27", "day", "in", True, False),
    ("2 weeks ago", "2 weeks ago", "2026-11-16", "2026-11-22", "week", "in", True, False),
    ("last Tuesday", "last Tuesday", "2026-11-24", "2026-11-24", "day", "in", True, False),
    ("last weekend", "last weekend", "2026-11-28", "2026-11-29", "day", "in", True, False),
]


@pytest.mark.parametrize(
    ("text", "mention_text", "first", "last", "granularity", "relation", "relative", "inferred"), CASES
)
def test_mention(
    finder: DateFinder, text: str, mention_text: str, first: str, last: str, granularity: str,
    relation: str, relative: bool, inferred: bool,
) -> None:
    mention = only(finder, text)
    assert mention.text == mention_text
    assert str(mention.period) == f"{first}..{last}"
    assert mention.granularity == granularity
    assert mention.relation == relation
    assert mention.relative is relative
    assert mention.year_inferred is inferred


@pytest.mark.parametrize(
    "text",
    [
        "Quelle est la population de Paris ?",
        "plus de 2000 personnes ont fui",
        "1500 soldats sont arrivés",
        "130 000 civils ont fui Alep",
        "1 956 morts selon l'ONU",
        "Il a 45 ans et 3 enfants.",
        "une hausse de 2016,5 euros",
        "May he come back soon.",
        "It may 5 times be said",
        "in may",
        "Il y a quelques jours à peine",
        "the Mars rover",
        "sept personnes",
        "Black Friday sales rose",
        "le mardi gras à Nice",
    ],
)
def test_not_a_date(finder: DateFinder, text: str) -> None:
    assert finder.find(text, TODAY) == ()
    assert not finder.has_date(text)


def test_a_relation_keeps_the_period_named(finder: DateFinder) -> None:
    since = only(finder, "depuis 2015")
    assert since.anchor == Period.year(2015) and since.period.last == TODAY
    assert only(finder, "en 2015").anchor == Period.year(2015)


def test_several_mentions_in_order_without_overlap(finder: DateFinder) -> None:
    text = "Le 12 décembre 2016, Alep-Est tombe ; en 2017 la ville est reconstruite, depuis hier on vote."
    mentions = finder.find(text, TODAY)
    assert [m.text for m in mentions] == ["Le 12 décembre 2016", "en 2017", "depuis hier"]
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In 2015 and 2016, sales rose", ["In 2015", "2016"]),
        ("A quoi servent les lois de 1884 et 1896 ?", ["1884", "1896"]),  # "de ... et" is no range
        ("entre 2015 à 2018", ["2015", "2018"]),
    ],
)
def test_years_without_a_range_stay_apart(finder: DateFinder, text: str, expected: list[str]) -> None:
    assert [m.text for m in finder.find(text, TODAY)] == expected


def test_relative_dates_follow_the_day_passed_in(finder: DateFinder) -> None:
    # In an article published on 14 December 2016, "hier" is the 13th, not the bot's yesterday.
    mention = only(finder, "Hier, les bus verts sont entrés dans Alep-Est.", date(2016, 12, 14))
    assert mention.period == Period.day(date(2016, 12, 13))
    # A day without a year is the latest such day on or before that day.
    assert only(finder, "le 20 décembre", date(2016, 12, 14)).period.first == date(2015, 12, 20)
    assert only(finder, "le 20 décembre", date(2016, 12, 24)).period.first == date(2016, 12, 20)
    assert only(finder, "le 29 février", date(2026, 3, 1)).period.first == date(2024, 2, 29)


def test_an_article_may_speak_of_the_coming_month(finder: DateFinder) -> None:
    published = date(2024, 10, 15)
    text = "Le musée fermera ses portes le 4 novembre pour deux ans."
    assert finder.find(text, published)[0].period.first == date(2023, 11, 4)  # a question: the past
    assert finder.find(text, published, nearest=True)[0].period.first == date(2024, 11, 4)
    # Nearest, not always later: in December, last July is closer than next July.
    assert finder.find("en juillet", date(2024, 12, 20), nearest=True)[0].period.first == date(2024, 7, 1)
    assert finder.find("en janvier", date(2024, 12, 20), nearest=True)[0].period.first == date(2025, 1, 1)


def test_many_clocks_do_not_mix(finder: DateFinder) -> None:
    days = [date(2020, 1, 1) + (date(2020, 1, 2) - date(2020, 1, 1)) * i for i in range(20)]
    for day in days:
        assert only(finder, "hier", day).period.first.toordinal() == day.toordinal() - 1


def test_question_period_and_latest(finder: DateFinder) -> None:
    question = finder.question("Les dernières nouvelles sur Alep entre 2015 et 2016 ?", TODAY)
    assert question.latest
    assert question.period == Period(date(2015, 1, 1), date(2016, 12, 31))
    assert finder.question("What is the latest on Aleppo?", TODAY).latest
    assert finder.question("Quoi de neuf à Alep ?", TODAY).latest
    plain = finder.question("Combien de civils ont fui Alep ?", TODAY)
    assert not plain.latest and plain.period is None and plain.mentions == ()
    spread = finder.question("Qu'est-ce qui a changé entre mars 2016 et hier ?", TODAY)
    assert spread.period == Period(date(2016, 3, 1), date(2026, 11, 29))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-12", Period(date(2016, 12, 1), date(2016, 12, 31))),
        ("2016-12-14", Period.day(date(2016, 12, 14))),
        ("2016-12-14T08:30:00+01:00", Period.day(date(2016, 12, 14))),
        ("2016-12-14 08:30", Period.day(date(2016, 12, 14))),
        ("2016", Period.year(2016)),
        ("2016-13", None),
        ("2016-02-30", None),
        ("décembre", None),
        (None, None),
    ],
)
def test_publication_dates(value: str | None, expected: Period | None) -> None:
    assert Period.from_publication(value) == expected


def test_period_arithmetic() -> None:
    december = Period.month(2016, 12)
    assert december.days == 31
    assert december.contains(date(2016, 12, 31)) and not december.contains(date(2017, 1, 1))
    assert december.overlaps(Period.year(2016)) and not december.overlaps(Period.year(2017))
    assert Period.week_of(date(2026, 12, 3)) == Period(date(2026, 11, 30), date(2026, 12, 6))


def test_today_in_a_timezone() -> None:
    # 23:30 UTC on 31 December is already 1 January in Paris, still 31 December in New York.
    moment = datetime(2016, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert today_in("Europe/Paris", moment) == date(2017, 1, 1)
    assert today_in("America/New_York", moment) == date(2016, 12, 31)
    # A naive time is read in the zone itself.
    assert today_in("Europe/Paris", datetime(2016, 12, 31, 23, 30)) == date(2016, 12, 31)


def test_no_network_needed(no_network: None) -> None:
    # dateparser's language data ships in its package: a new finder works with the network cut.
    finder = DateFinder()
    assert only(finder, "il y a deux semaines").granularity == "week"
    assert only(finder, "two weeks ago").granularity == "week"
