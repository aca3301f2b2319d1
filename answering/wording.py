"""The words an answer is framed with, in French or English: the templates in prompts/ (the
extractive framing, refusals, notes, a language model's prompts), loaded by name, and dates as a
reader reads them.

Prompt templates live as files in prompts/ (`<name>.<lang>.md`), loaded by name (`load`,
`render`). Dates: one formatting function for every date the bot, the CLI and the answers show
("5 décembre 2026", "du 11 août 2016 au 5 décembre 2026"); month names are written out here, so
the output does not depend on the machine's locale.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from importlib.resources import files

# A package of its own, so the templates ship inside a wheel as package data.
PROMPTS = files("prompts")
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@lru_cache(maxsize=64)
def load(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The template `name` in `language` (French when that language has none), stripped."""
    for candidate in (f"{name}.{language}.md", f"{name}.{DEFAULT_LANGUAGE}.md", f"{name}.md"):
        resource = PROMPTS / candidate
        if resource.is_file():
            return resource.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(f"no prompt {name!r} in the prompts package")


def render(name: str, language: str = DEFAULT_LANGUAGE, **values: str) -> str:
    return load(name, language).format(**values)


# --- Dates as a reader reads them --------------------------------------------------------------

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
# An article's date as stored: a year, a month, a day, or a timestamp ("2026-12-05T08:10+01:00").
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?![\d-])")


def _date_parts(iso: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a stored date, 0 for what it leaves out; None if it is not one."""
    match = _ISO_DATE.match(iso.strip())
    if not match:
        return None
    year, month, day = (int(g) if g else 0 for g in match.groups())
    return (year, month, day) if month <= 12 and day <= 31 else None


def reader_date(iso: str, lang: str) -> str:
    """A stored date as a reader reads it, month names written out (no locale needed): "5 décembre
    2026" / "5 December 2026" (a timestamp's time and offset left out), "décembre 2016" for a
    month, "2016" for a year; anything else as given."""
    parts = _date_parts(iso)
    if parts is None:
        return iso
    year, month, day = parts
    months = MONTHS["en" if lang == "en" else "fr"]
    if not month:
        return str(year)
    if not day:
        return f"{months[month - 1]} {year}"
    first = "1er" if day == 1 and lang != "en" else str(day)
    return f"{first} {months[month - 1]} {year}"


def moment_words(when: datetime, lang: str) -> str:
    """A moment with its time and zone: "5 décembre 2026 à 08:10 UTC" / "5 December 2026 at
    08:10 UTC"."""
    day = reader_date(when.date().isoformat(), lang)
    return f"{day} {'at' if lang == 'en' else 'à'} {when:%H:%M} {when.tzname() or ''}".rstrip()


def until_words(last: str, lang: str) -> str:
    """Up to a stored date: "jusqu'au 31 mars 2015" / "until 31 March 2015"."""
    end = reader_date(last, lang)
    if lang == "en":
        return f"until {end}"
    parts = _date_parts(last)
    return f"jusqu'au {end}" if parts and parts[2] else f"jusqu'à {end}"


def period_words(first: str, last: str | None, lang: str) -> str:
    """From one stored date to another as a sentence says it: "du 11 août 2016 au 5 décembre
    2026", "de décembre 2016 à mars 2021", "d'avril 2016…" / "from 11 August 2016 to 5 December
    2026"; one date alone: "le 5 décembre 2026", "en mars 2021" / "on…", "in…"."""
    start, end = reader_date(first, lang), reader_date(last or first, lang)
    has_day = [bool((p := _date_parts(d)) and p[2]) for d in (first, last or first)]
    if lang == "en":
        return f"{'on' if has_day[0] else 'in'} {start}" if start == end else f"from {start} to {end}"
    if start == end:
        return f"{'le' if has_day[0] else 'en'} {start}"
    opening = "du " if has_day[0] else ("d'" if start[0] in "aeiouyéèâ" else "de ")
    closing = "au " if has_day[1] else "à "
    return f"{opening}{start} {closing}{end}"
