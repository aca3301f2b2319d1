"""Dates a reader reads: one formatting function for every date the bot shows, month names
written out (no locale on the machine is needed)."""

from __future__ import annotations

import pytest

from bot.render import CitedPassage, citation_label
from bot.texts import period_words, reader_date


@pytest.mark.parametrize(("stored", "fr", "en"), [
    ("2026-12-05T08:10+01:00", "5 décembre 2026", "5 December 2026"),
    ("2016-08-11", "11 août 2016", "11 August 2016"),
    ("2020-01-01", "1er janvier 2020", "1 January 2020"),
    ("2016-12", "décembre 2016", "December 2016"),
    ("2016", "2016", "2016"),
    ("hier", "hier", "hier"),  # not a date the index writes: shown as given
    ("2016-13-01", "2016-13-01", "2016-13-01"),
])
def test_a_stored_date_reads_as_words(stored: str, fr: str, en: str) -> None:
    assert reader_date(stored, "fr") == fr and reader_date(stored, "en") == en


def test_a_period_reads_as_a_sentence_says_it() -> None:
    assert period_words("2016-08-11", "2026-12-05T08:10+01:00", "fr") == "du 11 août 2016 au 5 décembre 2026"
    assert period_words("2016-08-11", "2026-12-05T08:10+01:00", "en") == "from 11 August 2016 to 5 December 2026"
    assert period_words("2016-04", "2021-08", "fr") == "d'avril 2016 à août 2021"
    assert period_words("2016-12", "2021-03-02", "fr") == "de décembre 2016 au 2 mars 2021"
    assert period_words("2021-03-02", None, "fr") == "le 2 mars 2021"
    assert period_words("2021-03", "2021-03", "en") == "in March 2021"


def test_a_citation_button_shows_the_date_alone() -> None:
    cited = CitedPassage(1, "a.txt", "Le tramway de Brest", "2025-02-14T08:30:00+01:00", "Texte.")
    assert citation_label(cited, "fr") == "[1] Le tramway de Brest (14 février 2025)"
    assert citation_label(cited, "en") == "[1] Le tramway de Brest (14 February 2025)"
