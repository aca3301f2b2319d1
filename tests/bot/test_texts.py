"""What a reader reads around an answer: dates by one formatting function (month names written
out, no locale needed), citation buttons that can be told apart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from answering.protocol import Answer, Citation
from answering.wording import moment_words, period_words, reader_date, until_words
from bot.render import citation_label
from qabot.records import CitedPassage
from retrieval.models import Passage
from tests.bot.conftest import Harness


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
    assert until_words("2015-03-31", "fr") == "jusqu'au 31 mars 2015" and until_words("2015-03", "fr") == "jusqu'à mars 2015"
    assert until_words("2015-03-31", "en") == "until 31 March 2015"
    when = datetime(2026, 12, 5, 8, 10, tzinfo=UTC)
    assert moment_words(when, "fr") == "5 décembre 2026 à 08:10 UTC" and moment_words(when, "en") == "5 December 2026 at 08:10 UTC"


def test_a_citation_button_shows_the_date_alone() -> None:
    cited = CitedPassage(1, "a.txt", "Le tramway de Brest", "2025-02-14T08:30:00+01:00", "Texte.")
    assert citation_label(cited, "fr") == "[1] Le tramway de Brest (14 février 2025)"
    assert citation_label(cited, "en") == "[1] Le tramway de Brest (14 February 2025)"


LEDE = ("Le Secrétaire général de l'ONU, Ban Ki-moon, a demandé mardi un cessez-le-feu immédiat à Alep, "
        "où l'offensive des forces gouvernementales a fait fuir des dizaines de milliers de civils")


async def test_buttons_of_untitled_articles_can_be_told_apart(harness: Harness) -> None:
    """Two passages of one untitled article (its lede is its title) and a wire copy with the same
    lede: each button reads the passage's own words, not three times "Le Secrétaire général…"."""
    passages = [
        Passage(chunk_id=1, article_id="afp.txt", title=LEDE, date="2016-12-13", start=0, end=60,
                text="Depuis le début de l'offensive, 130 000 civils ont fui Alep-Est.", score=1.0),
        Passage(chunk_id=2, article_id="afp.txt", title=LEDE, date="2016-12-13", start=60, end=120,
                text="Selon l'Observatoire syrien, 415 civils ont été tués à Alep-Est.", score=0.9),
        Passage(chunk_id=3, article_id="reuters.txt", title=LEDE, date="2016-12-13", start=0, end=50,
                text="Les Nations unies réclament un accès humanitaire.", score=0.8),
        Passage(chunk_id=4, article_id="lyon.txt", title="Marchés de Lyon", date="2019-06", start=0, end=20,
                text="Les marchés de Lyon.", score=0.7),
    ]
    harness.services.answers.override = lambda q: Answer(
        question=q, text="Des civils ont fui [1], d'autres ont été tués [2]. L'ONU réclame un accès [3]. Lyon [4].",
        citations=[Citation(n, p) for n, p in enumerate(passages, 1)], answered=True, language="fr",
        answerer="extractive")
    answer = await harness.answer_to("Que se passe-t-il à Alep ?")
    labels = [b["text"] for b in answer.buttons()][:4]
    assert labels == [
        "[1] « Depuis le début de l'offensive, 130 000 civils… »",
        "[2] « Selon l'Observatoire syrien, 415 civils ont… »",
        "[3] « Les Nations unies réclament un accès… »",
        "[4] Marchés de Lyon (juin 2019)",
    ]
