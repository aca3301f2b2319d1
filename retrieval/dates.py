"""Dates and periods mentioned in French or English text: the one date component of qabot.

`DateFinder.find(text, today)` returns typed mentions: where the mention sits in the text
(character offsets), the period it names (first and last day, both included), its granularity,
whether it was resolved against the clock (`relative`), and how it relates to that period ("in
December 2016", "since 2015", "before 2015", "between 2015 and 2018").

Regular expressions find the mentions, so their spans are exact and nothing that is not a date
becomes one (dateparser's own `search_dates` reads "Il a 45 ans et 3" as a date and returns
spans such as "hier à"). Relative expressions ("il y a trois jours", "last week", "mardi",
"l'année dernière") are resolved by dateparser's `DateDataParser` against the day passed in,
after the regexes map the phrasings it does not know ("l'an dernier", "la semaine passée",
"lundi dernier") onto ones it does. Absolute dates are computed here: a day, a month or a year
needs no parser. dateparser's language data ships inside its package: nothing is downloaded.

`today` is the bot's clock (`today_in(BOT_TIMEZONE)`) for a question, or an article's
publication day for a sentence of that article ("hier" in an article means the day before it
was published). A day or month without a year ("le 12 décembre", "en décembre") is the latest
such day on or before `today`, with `year_inferred` set.
"""

from __future__ import annotations

import calendar
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

Granularity = Literal["day", "week", "month", "year"]
# in: the period itself; since: from it to `today`; until: up to its end; before: up to its
# start (excluded); after: from its end (excluded) to `today`; between: from one to another.
Relation = Literal["in", "since", "until", "before", "after", "between"]

__all__ = [
    "DateFinder",
    "DateMention",
    "Granularity",
    "Period",
    "QuestionDates",
    "Relation",
    "today_in",
]


@dataclass(frozen=True, slots=True)
class Period:
    """Days from `first` to `last`, both included."""

    first: date
    last: date

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(day, day)

    @classmethod
    def week_of(cls, day: date) -> Period:
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def from_publication(cls, value: str | None) -> Period | None:
        """An article's date as stored: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (a time after it is ignored)."""
        if not value:
            return None
        match = _PUBLICATION.match(value.strip())
        if not match:
            return None
        year, month, day = match.group(1), match.group(2), match.group(3)
        try:
            if day:
                return cls.day(date(int(year), int(month), int(day)))
            if month:
                return cls.month(int(year), int(month))
            return cls.year(int(year))
        except ValueError:
            return None

    def overlaps(self, other: Period) -> bool:
        return self.first <= other.last and other.first <= self.last

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def hull(self, other: Period) -> Period:
        return Period(min(self.first, other.first), max(self.last, other.last))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


_PUBLICATION = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$")


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date or period named in a text: `text[start:end]` is the mention."""

    start: int
    end: int
    text: str
    period: Period
    granularity: Granularity  # of the date named ("depuis 2015": year)
    relative: bool  # resolved against `today` ("hier", "last week", "il y a 3 ans")
    relation: Relation = "in"
    year_inferred: bool = False  # "le 12 décembre": the year comes from `today`
    # The period as named, before the relation stretched it ("depuis 2015": 2015); None when
    # the relation is "in" or "between" (then it is `period`).
    named: Period | None = None

    @property
    def anchor(self) -> Period:
        """The period the text actually names: "avant 2015" names 2015."""
        return self.named or self.period


@dataclass(frozen=True, slots=True)
class QuestionDates:
    """What a question says about time: its date mentions, and whether it asks for the latest."""

    mentions: tuple[DateMention, ...]
    latest: bool

    @property
    def period(self) -> Period | None:
        """The period the question asks about (the span of all its mentions), or None."""
        if not self.mentions:
            return None
        period = self.mentions[0].period
        for mention in self.mentions[1:]:
            period = period.hull(mention.period)
        return period


def today_in(timezone: str, now: datetime | None = None) -> date:
    """Today's date in `timezone` (an IANA name such as Europe/Paris); `now` fixes the clock."""
    zone = ZoneInfo(timezone)
    moment = now if now is not None else datetime.now(zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone).date()


# --- vocabulary ---------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "janvier janv jan january",
        "février fevrier févr fevr fév fev february feb",
        "mars march mar",
        "avril avr april apr",
        "mai may",
        "juin june jun",
        "juillet juil july jul",
        "août aout august aug",
        "septembre sept sep september",
        "octobre oct october",
        "novembre nov november",
        "décembre decembre déc dec december",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number
# Abbreviations are months only beside a day or a year; alone, "mar", "sept" or "may" are words.
_FULL_MONTH_NAMES = _words(
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre "
    "décembre decembre january february march april may june july august september october "
    "november december"
)
_WEEKDAYS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        ["lundi monday", "mardi tuesday", "mercredi wednesday", "jeudi thursday",
         "vendredi friday", "samedi saturday", "dimanche sunday"]
    )
    for name in names.split()
}
_NUMBER_WORDS: dict[str, int] = {
    name: number
    for number, names in {
        1: "un une a an one", 2: "deux two", 3: "trois three", 4: "quatre four", 5: "cinq five",
        6: "six", 7: "sept seven", 8: "huit eight", 9: "neuf nine", 10: "dix ten",
        11: "onze eleven", 12: "douze twelve", 15: "quinze fifteen", 20: "vingt twenty",
        30: "trente thirty", 50: "cinquante fifty", 100: "cent hundred",
    }.items()
    for name in names.split()
}
_SEASONS: dict[str, tuple[int, int]] = {  # first and last month; winter runs into the next year
    "printemps": (3, 5), "spring": (3, 5), "été": (6, 8), "ete": (6, 8), "summer": (6, 8),
    "automne": (9, 11), "autumn": (9, 11), "fall": (9, 11), "hiver": (12, 2), "winter": (12, 2),
}


def _alternation(words: object) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))  # type: ignore[attr-defined]


_APOS = "['’]"
_SP = r"[ \t\u00a0\u202f]+"  # spaces, no newline: a date does not run across lines
_MONTH = rf"(?P<month>{_alternation(_MONTHS)})\.?"
_MONTH2 = rf"(?P<month2>{_alternation(_MONTHS)})\.?"
_WEEKDAY = rf"(?:(?P<weekday>{_alternation(_WEEKDAYS)}),?{_SP})"
_DAY = r"(?P<day>[0-3]?\d)(?:er|re|e|ème|eme|st|nd|rd|th)?"
_DAY2 = r"(?P<day2>[0-3]?\d)(?:er|re|e|ème|eme|st|nd|rd|th)?"
# A year, not part of a longer number ("1 956 morts", "2016,5", "20165").
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})(?![0-9]|[.,][0-9]|[ \u00a0\u202f][0-9]{3}(?![0-9]))"
_YEAR2 = r"(?P<year2>1[0-9]{3}|20[0-9]{2})(?![0-9]|[.,][0-9]|[ \u00a0\u202f][0-9]{3}(?![0-9]))"
_NOT_AFTER_NUMBER = r"(?<![0-9.,/\-])(?<![0-9][ \u00a0\u202f])"
_L = r"(?<![\w\-])"  # a word starts here
_R = r"(?![\w\-])"  # a word ends here

# Words before a year. Those kept in the mention ("en 1956", "fin 2016") make it a year; so do
# those left outside it for the range and relation steps ("entre", "depuis", "avant"); after a
# weak one ("de", "à", "et") or none, a number may be a count ("plus de 2000 personnes").
_YEAR_CUES_KEPT = (
    r"en|in|fin|début|debut|mi-|mid-|mid|early|late|l['’]année|l['’]annee|année|annee|"
    r"the year|year|courant|pendant|durant|during|vers|around|by"
)
_YEAR_CUES_OUTSIDE = (
    r"depuis|since|avant|before|après|apres|after|jusqu['’]en|jusqu['’]à|until|till|from|dès|"
    r"entre|between"
)
_YEAR_CUES_WEAK = r"à|au|et|and|ou|or|de|du|of|to"
# What may follow a bare year without making it a count: punctuation, the end, a function word
# or a capitalised word ("En 2016 Alep ..."). "2000 personnes" / "1500 soldiers" stay numbers.
_YEAR_FOLLOWERS = _words(
    "le la les l un une des du de d à a au aux et ou en dans par pour sur avec sans sous vers "
    "puis quand lors alors qui que qu il elle ils elles on ce cette ces son sa ses leur leurs "
    "est était fut a ont avait avaient sera seront the a an and or in on at to of for by with "
    "from was were is are has had have will when after before as it he she they this that "
    "these those its their his her which who during until since"
)


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    resolve: Callable[[re.Match[str], date], DateMention | None]
    priority: int  # among equally long candidates at one place, the higher wins


class DateFinder:
    """Finds date mentions; build once (it warms dateparser's language data) and share."""

    def __init__(self, relative_cache_size: int = 8) -> None:
        self._settings_base = {
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "DATE_ORDER": "DMY",
        }
        # One dateparser parser per clock day (its reference day is fixed at construction);
        # questions of one day share it. Retrieval runs in worker threads, hence the lock.
        self._parsers: OrderedDict[date, DateDataParser] = OrderedDict()
        self._parsers_lock = threading.Lock()
        self._cache_size = relative_cache_size
        self._patterns = self._build_patterns()
        # dateparser loads a language's data on first use (~130 ms for French): pay it now,
        # not on the first question.
        self._relative("hier", date(2000, 1, 1))
        self._relative("yesterday", date(2000, 1, 1))

    # --- public API -----------------------------------------------------------------------

    def find(self, text: str, today: date, *, nearest: bool = False) -> tuple[DateMention, ...]:
        """Every date mention in `text`, in order, none overlapping another.

        A day or month without a year is the latest one on or before `today` (a question asks
        about the past); with `nearest`, the one closest to `today`, before or after (an
        article published on 15 October that says "fermera le 4 novembre" means that November).
        """
        candidates: list[tuple[DateMention, int]] = []
        for pattern in self._patterns:
            for match in pattern.regex.finditer(text):
                mention = pattern.resolve(match, today)
                if mention is not None:
                    candidates.append((mention, pattern.priority))
        candidates.sort(key=lambda c: (c[0].start, -(c[0].end - c[0].start), -c[1]))
        chosen: list[DateMention] = []
        for mention, _ in candidates:
            if chosen and mention.start < chosen[-1].end:
                continue
            chosen.append(_nearest_year(mention, today) if nearest and mention.year_inferred else mention)
        return tuple(self._combine(text, chosen, today))

    def has_date(self, text: str, today: date | None = None) -> bool:
        """Whether `text` names a date or period at all."""
        return bool(self.find(text, today or date(2000, 1, 1)))

    def question(self, text: str, today: date) -> QuestionDates:
        """The dates a question asks about, and whether it asks for the latest news."""
        return QuestionDates(self.find(text, today), bool(_LATEST.search(text)))

    # --- relations and ranges -------------------------------------------------------------

    def _combine(self, text: str, mentions: list[DateMention], today: date) -> list[DateMention]:
        """Join "entre 2015 et 2018" into one range, then apply "depuis", "avant", ... ."""
        joined: list[DateMention] = []
        for mention in mentions:
            if joined and (merged := _join_range(text, joined[-1], mention)) is not None:
                joined[-1] = merged
                continue
            joined.append(mention)
        return [_apply_relation(text, mention, today) for mention in joined]

    # --- dateparser for relative expressions ----------------------------------------------

    def _relative(self, phrase: str, today: date) -> tuple[date, str] | None:
        with self._parsers_lock:
            parser = self._parsers.get(today)
            if parser is None:
                settings = dict(self._settings_base, RELATIVE_BASE=datetime.combine(today, time(12)))
                parser = DateDataParser(languages=["fr", "en"], settings=settings)
                self._parsers[today] = parser
                if len(self._parsers) > self._cache_size:
                    self._parsers.popitem(last=False)
            else:
                self._parsers.move_to_end(today)
        data = parser.get_date_data(phrase)
        if data.date_obj is None:
            return None
        return data.date_obj.date(), data.period or "day"

    # --- the patterns ---------------------------------------------------------------------

    def _build_patterns(self) -> list[_Pattern]:
        def compile_(source: str) -> re.Pattern[str]:
            return re.compile(source, re.IGNORECASE)

        return [
            _Pattern(compile_(rf"{_NOT_AFTER_NUMBER}{_YEAR}-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)(?![0-9])"), _iso_day, 5),
            _Pattern(compile_(rf"{_NOT_AFTER_NUMBER}{_YEAR}-(?P<m>0[1-9]|1[0-2])(?![0-9\-])"), _iso_month, 4),
            _Pattern(
                compile_(rf"{_NOT_AFTER_NUMBER}(?P<a>[0-3]?\d)(?P<sep>[/.\-])(?P<b>[01]?\d)(?P=sep){_YEAR}"),
                _numeric_day, 5,
            ),
            _Pattern(
                compile_(
                    rf"{_L}(?:{_WEEKDAY})?(?:(?:le|the){_SP})?{_DAY}{_SP}(?:(?:de|of){_SP})?{_MONTH}"
                    rf"(?:,?{_SP}(?:(?:de|of){_SP})?{_YEAR})?{_R}"
                ),
                _day_month, 5,
            ),
            _Pattern(
                compile_(rf"{_L}(?:{_WEEKDAY})?{_MONTH}{_SP}{_DAY}(?:,?{_SP}{_YEAR})?{_R}"),
                _month_day, 4,
            ),
            _Pattern(
                compile_(
                    rf"{_L}(?:(?:du|from|entre{_SP}le|between){_SP})?{_DAY2}(?:{_SP})?(?:au|-|–|à|to|and|et{_SP}le|et)"
                    rf"(?:{_SP})?{_DAY}{_SP}{_MONTH}(?:,?{_SP}{_YEAR})?{_R}"
                ),
                _day_range, 6,
            ),
            _Pattern(
                compile_(rf"(?:(?<=mi-)|(?<=mid-)|{_L}){_MONTH}(?:,?{_SP}|{_SP}(?:de|of){_SP}){_YEAR}{_R}"),
                _month_year, 3,
            ),
            _Pattern(
                compile_(
                    rf"{_L}(?P<cue>en|in|au{_SP}mois{_SP}de|au{_SP}mois{_SP}d['’]|durant|pendant|during|"
                    rf"début|debut|fin|mi-|mid-|early|late|courant|last|this|ce{_SP}mois{_SP}de|"
                    rf"ce{_SP}mois{_SP}d['’]|(?P<rel>depuis|since|avant|before|après|apres|after|"
                    rf"jusqu['’]en|until|from|dès|à{_SP}partir{_SP}de))(?:{_SP}|(?<=-)|(?<=['’])){_MONTH}"
                    rf"(?:{_SP}(?P<last>dernier|passé|passe|last))?{_R}"
                    rf"(?!,?{_SP}(?:(?:de|of){_SP})?(?:1[0-9]{{3}}|20[0-9]{{2}})(?!\w)|{_SP}[0-3]?\d(?!\w))"
                ),
                _month_alone, 2,
            ),
            _Pattern(
                compile_(
                    rf"{_L}(?:(?:l{_APOS}|le{_SP}|au{_SP}|à{_SP}l{_APOS}|en{_SP}|the{_SP}|in{_SP}(?:the{_SP})?)?)"
                    rf"(?P<season>{_alternation(_SEASONS)})(?:{_SP}(?:de{_SP}|d{_APOS}|of{_SP})?|(?<=s){_APOS}?(?:{_SP})?){_YEAR}{_R}"
                ),
                _season, 3,
            ),
            _Pattern(
                compile_(rf"{_L}(?:(?:les{_SP})?années{_SP}(?P<d1>(?:1[0-9]|20)[0-9]0)|(?:the{_SP})?(?P<d2>(?:1[0-9]|20)[0-9]0)['’]?s){_R}"),
                _decade, 3,
            ),
            # A year may touch a dash ("1914-1918", "mi-2016"); longer patterns win over it.
            _Pattern(
                compile_(
                    rf"(?:{_L}(?<!['’])(?P<cue>{_YEAR_CUES_KEPT})(?:{_SP}|(?<=-)))?"
                    rf"(?<![\w.,/])(?<![0-9][ \u00a0\u202f]){_YEAR}(?!\w)"
                ),
                _year, 1,
            ),
            *self._relative_patterns(),
        ]

    def _relative_patterns(self) -> list[_Pattern]:
        def fixed(source: str, phrase: str) -> _Pattern:
            def resolve(match: re.Match[str], today: date) -> DateMention | None:
                return self._resolved(match, phrase, today)

            return _Pattern(re.compile(rf"{_L}(?:{source}){_R}", re.IGNORECASE), resolve, 2)

        def ago(match: re.Match[str], today: date) -> DateMention | None:
            count = _count(match.group("n"))
            unit = _UNITS[match.group("unit").lower()]
            if count is None or count > 200:
                return None
            return self._resolved(match, f"{count} {unit}s ago", today)

        def weekday(match: re.Match[str], today: date) -> DateMention | None:
            name = match.group("wd")
            # English weekdays are capitalised, French ones are not.
            if name.lower() in _ENGLISH_WEEKDAYS and not name[0].isupper():
                return None
            if _NAMED_DAY.search(match.string, max(0, match.start() - 8), min(len(match.string), match.end() + 12)):
                return None  # "Black Friday", "mardi gras": a name, not last week's day
            day = today - timedelta(days=(today.weekday() - _WEEKDAYS[name.lower()]) % 7 or 7)
            return _mention(match, Period.day(day), "day", relative=True)

        def weekend(match: re.Match[str], today: date) -> DateMention | None:
            saturday = today - timedelta(days=(today.weekday() - 5) % 7)
            if match.group("past"):
                saturday -= timedelta(days=7) if saturday >= today - timedelta(days=1) else timedelta(0)
            return _mention(match, Period(saturday, saturday + timedelta(days=1)), "day", relative=True)

        return [
            fixed(rf"aujourd{_APOS}hui|today|ce{_SP}matin|ce{_SP}soir|cet{_SP}après-midi|cette{_SP}nuit|"
                  rf"this{_SP}morning|this{_SP}afternoon|this{_SP}evening|tonight", "today"),
            fixed(rf"hier(?:{_SP}(?:matin|soir|après-midi))?|yesterday(?:{_SP}(?:morning|afternoon|evening))?", "yesterday"),
            fixed(rf"avant-hier|avant{_SP}hier|the{_SP}day{_SP}before{_SP}yesterday", "2 days ago"),
            fixed(r"demain|tomorrow", "tomorrow"),
            fixed(rf"cette{_SP}semaine|this{_SP}week", "this week"),
            fixed(rf"la{_SP}semaine{_SP}(?:dernière|derniere|passée|passee)|last{_SP}week|the{_SP}previous{_SP}week", "last week"),
            fixed(rf"la{_SP}semaine{_SP}prochaine|next{_SP}week", "next week"),
            fixed(rf"ce{_SP}mois(?:-ci)?|this{_SP}month", "this month"),
            fixed(rf"le{_SP}mois{_SP}(?:dernier|passé|passe)|last{_SP}month|the{_SP}previous{_SP}month", "last month"),
            fixed(rf"cette{_SP}année|cette{_SP}annee|this{_SP}year", "this year"),
            fixed(rf"l{_APOS}an{_SP}(?:dernier|passé|passe)|l{_APOS}ann[ée]e{_SP}(?:derni[èe]re|pass[ée]e)|"
                  rf"last{_SP}year|the{_SP}previous{_SP}year", "last year"),
            _Pattern(
                re.compile(rf"{_L}il{_SP}y{_SP}a{_SP}(?P<n>\d+|{_alternation(_NUMBER_WORDS)}){_SP}(?P<unit>{_alternation(_UNITS)}){_R}", re.IGNORECASE),
                ago, 3,
            ),
            _Pattern(
                re.compile(rf"{_L}(?P<n>\d+|{_alternation(_NUMBER_WORDS)}){_SP}(?P<unit>{_alternation(_UNITS)}){_SP}ago{_R}", re.IGNORECASE),
                ago, 3,
            ),
            _Pattern(
                re.compile(
                    rf"{_L}(?:(?:last|this{_SP}past){_SP})?(?P<wd>{_alternation(_WEEKDAYS)})(?:{_SP}(?:dernier|passé|passe))?{_R}",
                    re.IGNORECASE,
                ),
                weekday, 1,
            ),
            _Pattern(
                re.compile(
                    rf"{_L}(?:(?:ce|this){_SP}week-?end|(?P<past>le{_SP}week-?end{_SP}(?:dernier|passé|passe)|last{_SP}week-?end)){_R}",
                    re.IGNORECASE,
                ),
                weekend, 3,
            ),
        ]

    def _resolved(self, match: re.Match[str], phrase: str, today: date) -> DateMention | None:
        resolved = self._relative(phrase, today)
        if resolved is None:
            return None
        day, period_name = resolved
        granularity: Granularity
        if period_name == "year":
            period, granularity = Period.year(day.year), "year"
        elif period_name == "month":
            period, granularity = Period.month(day.year, day.month), "month"
        elif period_name == "week":
            period, granularity = Period.week_of(day), "week"
        else:
            period, granularity = Period.day(day), "day"
        return _mention(match, period, granularity, relative=True)


_UNITS = {
    "jour": "day", "day": "day", "semaine": "week", "week": "week", "mois": "month",
    "month": "month", "an": "year", "année": "year", "annee": "year", "year": "year",
}
# Plurals ("jours", "années"); "mois" is its own plural.
_UNITS.update({f"{name}s": value for name, value in list(_UNITS.items()) if name != "mois"})
_NAMED_DAY = re.compile(
    rf"{_L}(?:(?:black|good|cyber|super|ash|holy|maundy|easter|whit){_SP}(?:monday|tuesday|wednesday|thursday|friday|sunday)"
    rf"|mardi{_SP}gras|(?:jeudi|vendredi){_SP}saint|(?:lundi|dimanche){_SP}de{_SP}(?:pâques|paques|pentecôte|pentecote)"
    rf"|(?:lundi|dimanche){_SP}des{_SP}rameaux){_R}",
    re.IGNORECASE,
)
_ENGLISH_WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word.lower())


def _fold_month_key(name: str) -> str:
    return name.lower().rstrip(".")


# --- resolvers for absolute dates -----------------------------------------------------------


def _mention(
    match: re.Match[str],
    period: Period,
    granularity: Granularity,
    *,
    relative: bool = False,
    year_inferred: bool = False,
) -> DateMention:
    start, end = match.start(0), match.end(0)
    return DateMention(start, end, match.string[start:end], period, granularity, relative, "in", year_inferred)


def _safe_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _latest_day(month: int, day: int, today: date) -> date | None:
    """The latest `day` of `month` on or before `today` (29 February: the latest leap year)."""
    for year in range(today.year, today.year - 8, -1):
        candidate = _safe_day(year, month, day)
        if candidate is not None and candidate <= today:
            return candidate
    return None


def _nearest_year(mention: DateMention, today: date) -> DateMention:
    """The mention a year later when that brings it closer to `today`."""
    try:
        later = Period(mention.period.first.replace(year=mention.period.first.year + 1),
                       mention.period.last.replace(year=mention.period.last.year + 1))
    except ValueError:  # 29 February
        return mention
    if abs((later.first - today).days) < abs((today - mention.period.last).days):
        return replace(mention, period=later)
    return mention


def _iso_day(match: re.Match[str], today: date) -> DateMention | None:
    day = _safe_day(int(match.group("year")), int(match.group("m")), int(match.group("d")))
    return None if day is None else _mention(match, Period.day(day), "day")


def _iso_month(match: re.Match[str], today: date) -> DateMention | None:
    return _mention(match, Period.month(int(match.group("year")), int(match.group("m"))), "month")


def _numeric_day(match: re.Match[str], today: date) -> DateMention | None:
    a, b, year = int(match.group("a")), int(match.group("b")), int(match.group("year"))
    # Day first (French, British); month first only when day first is impossible (US 12/31/2016).
    day = _safe_day(year, b, a) or _safe_day(year, a, b)
    return None if day is None else _mention(match, Period.day(day), "day")


def _day_month(match: re.Match[str], today: date) -> DateMention | None:
    month = _MONTHS[_fold_month_key(match.group("month"))]
    day_number = int(match.group("day"))
    if match.group("year"):
        day = _safe_day(int(match.group("year")), month, day_number)
        return None if day is None else _mention(match, Period.day(day), "day")
    name = match.group("month")
    if name.lower() in {"may", "mar"} and not name[0].isupper():
        return None  # "the 5 may have": a number and a verb
    day = _latest_day(month, day_number, today)
    return None if day is None else _mention(match, Period.day(day), "day", year_inferred=True)


def _month_day(match: re.Match[str], today: date) -> DateMention | None:
    name = match.group("month")
    # "May 5" and "March 3" are dates; "may 5" in running English is a verb and a number.
    if name.lower() in {"may", "mar", "march"} and not name[0].isupper():
        return None
    return _day_month(match, today)


def _day_range(match: re.Match[str], today: date) -> DateMention | None:
    month = _MONTHS[_fold_month_key(match.group("month"))]
    first_day, last_day = int(match.group("day2")), int(match.group("day"))
    if first_day >= last_day:
        return None
    if match.group("year"):
        year = int(match.group("year"))
        first, last = _safe_day(year, month, first_day), _safe_day(year, month, last_day)
        inferred = False
    else:
        last = _latest_day(month, last_day, today)
        first = None if last is None else _safe_day(last.year, month, first_day)
        inferred = True
    if first is None or last is None:
        return None
    mention = _mention(match, Period(first, last), "day", year_inferred=inferred)
    return replace(mention, relation="between")


def _month_year(match: re.Match[str], today: date) -> DateMention | None:
    month = _MONTHS[_fold_month_key(match.group("month"))]
    return _mention(match, Period.month(int(match.group("year")), month), "month")


def _month_alone(match: re.Match[str], today: date) -> DateMention | None:
    name = _fold_month_key(match.group("month"))
    if name not in _FULL_MONTH_NAMES:
        return None
    cue = match.group("cue").lower()
    if name in {"may", "march"} and not match.group("month")[0].isupper():
        return None
    if cue in {"this", "last", "early", "late", "in", "during", "mid-"} and name in {"mai", "mars"}:
        return None  # English cue, French month: not a date ("in mai" is not English)
    month = _MONTHS[name]
    year = today.year if month <= today.month else today.year - 1
    if cue == "last" or (match.group("last") and month >= today.month):
        year = today.year - 1 if month >= today.month else today.year
    mention = _mention(match, Period.month(year, month), "month", year_inferred=True)
    if match.group("rel"):  # "depuis janvier": the relation step reads the cue before the month
        start = match.start("month")
        mention = replace(mention, start=start, text=match.string[start:match.end()])
    return mention


def _season(match: re.Match[str], today: date) -> DateMention | None:
    first_month, last_month = _SEASONS[match.group("season").lower()]
    year = int(match.group("year"))
    last_year = year + 1 if last_month < first_month else year
    period = Period(Period.month(year, first_month).first, Period.month(last_year, last_month).last)
    return _mention(match, period, "month")


def _decade(match: re.Match[str], today: date) -> DateMention | None:
    start = int(match.group("d1") or match.group("d2"))
    return _mention(match, Period(date(start, 1, 1), date(start + 9, 12, 31)), "year")


def _year(match: re.Match[str], today: date) -> DateMention | None:
    year = int(match.group("year"))
    if match.group("cue") is None:
        before = _CUE_BEFORE.search(match.string, max(0, match.start() - 20), match.start())
        strong = before is not None and before.group("weak") is None
        if not strong:
            lowest = 1000 if before is not None else 1800
            if year < lowest or not _year_can_stand_alone(match.string, match.end("year")):
                return None
    return _mention(match, Period.year(year), "year")


_CUE_BEFORE = re.compile(
    rf"{_L}(?:(?P<strong>{_YEAR_CUES_OUTSIDE})|(?P<weak>{_YEAR_CUES_WEAK})){_SP}$", re.IGNORECASE
)


def _year_can_stand_alone(text: str, end: int) -> bool:
    following = _NEXT_WORD.match(text, end)
    if following is None:
        return True  # punctuation or the end of the text
    word = following.group(1)
    return word[0].isupper() or word.lower() in _YEAR_FOLLOWERS


_NEXT_WORD = re.compile(r"[ \t\u00a0\u202f]*([^\W\d_]+)")


# --- ranges and relations -------------------------------------------------------------------

# A range opens with one word and joins with its partner: "entre ... et", "de ... à", "du ... au".
_RANGE_OPEN = re.compile(rf"(?:{_L}(?:(?P<between>entre|between)|de|du|from)|d{_APOS})(?:{_SP})?$", re.IGNORECASE)
_RANGE_JOIN_BETWEEN = re.compile(rf"^(?:{_SP})?(?:et|and)(?:{_SP})?$", re.IGNORECASE)
_RANGE_JOIN_FROM = re.compile(
    rf"^(?:{_SP})?(?:à|a|au|to|until|till|through|jusqu{_APOS}(?:en|à|au))(?:{_SP})?$", re.IGNORECASE
)
_DASH = frozenset("-–—")
_RELATION_CUES: list[tuple[re.Pattern[str], Relation]] = [
    (re.compile(rf"{_L}(?:depuis|since|à{_SP}partir{_SP}de|a{_SP}partir{_SP}de|starting{_SP}(?:in|from)|dès|from){_SP}$", re.IGNORECASE), "since"),
    (re.compile(rf"{_L}(?:jusqu{_APOS}(?:en|à|au|a)|until|till|up{_SP}to|through){_SP}$", re.IGNORECASE), "until"),
    (re.compile(rf"{_L}(?:avant|before|prior{_SP}to){_SP}$", re.IGNORECASE), "before"),
    (re.compile(rf"{_L}(?:après|apres|after){_SP}$", re.IGNORECASE), "after"),
]
def _join_range(text: str, left: DateMention, right: DateMention) -> DateMention | None:
    """`left` and `right` as one period when the text between and before them says so."""
    if left.relative or right.relative or right.period.last < left.period.first:
        return None
    between = text[left.end:right.start]
    start = left.start
    if between.strip() in _DASH and not between.strip(" -–—"):
        if left.granularity != "year" or right.granularity != "year":
            return None  # "1914-1918"; "12-13" is no range of dates
    else:
        opener = _RANGE_OPEN.search(text, max(0, left.start - 12), left.start)
        if opener is None:
            return None
        join = _RANGE_JOIN_BETWEEN if opener.group("between") else _RANGE_JOIN_FROM
        if not join.match(between):
            return None
        start = opener.start()
    period = Period(left.period.first, right.period.last)
    granularity = left.granularity if left.granularity == right.granularity else "day"
    return DateMention(start, right.end, text[start:right.end], period, granularity, False, "between",
                       left.year_inferred or right.year_inferred)


def _apply_relation(text: str, mention: DateMention, today: date) -> DateMention:
    """"depuis 2015" is 2015 to today; "avant 2015" everything up to 2014; the cue joins the span."""
    if mention.relation != "in":
        return mention
    start = mention.start
    relation: Relation | None = None
    for cue, cue_relation in _RELATION_CUES:
        found = cue.search(text, max(0, mention.start - 30), mention.start)
        if found is not None:
            start, relation = found.start(), cue_relation
            break
    if relation is None:
        return mention
    period = mention.period
    if relation == "since":
        period = Period(period.first, max(today, period.last))
    elif relation == "until":
        period = Period(date.min, period.last)
    elif relation == "before":
        period = Period(date.min, period.first - timedelta(days=1))
    elif relation == "after":
        period = Period(period.last + timedelta(days=1), max(today, period.last + timedelta(days=1)))
    return replace(
        mention, start=start, text=text[start:mention.end], period=period, relation=relation,
        named=mention.period,
    )


# --- "the latest" ---------------------------------------------------------------------------

_LATEST = re.compile(
    rf"{_L}(?:derni[eè]res?{_SP}(?:nouvelles|infos?|informations|actualités?|actus?|articles?|news|"
    rf"évolutions|evolutions|développements|developpements)"
    rf"|derniers{_SP}(?:articles|développements|developpements|événements|evenements|rebondissements)"
    rf"|quoi{_SP}de{_SP}neuf|récemment|recemment|dernièrement|dernierement|actualité{_SP}récente"
    rf"|plus{_SP}récente?s?|plus{_SP}recente?s?|latest|most{_SP}recent|newest|recently|lately"
    rf"|recent{_SP}news|what{_APOS}s{_SP}new|breaking{_SP}news){_R}",
    re.IGNORECASE,
)
