"""What a story must speak of to be about a question (retrieval.news.shaping.Subject): the subject's
terms weighed by their IDF, and the names the question writes, matched as written."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.dates import DateFinder
from retrieval.news.shaping import Subject
from retrieval.text import QuestionReader, analyze


@pytest.fixture(scope="module")
def read() -> QuestionReader:
    return QuestionReader(DateFinder(), clock=lambda: date(2025, 12, 18))


def test_the_names_are_the_capitalised_words_after_the_first(read: QuestionReader) -> None:
    assert dict(Subject.of(read("Que s'est-il passé à Tours en février 2025 ?")).names) == {"Tours": "tour"}
    # "December" is the period's word, not the subject's; "What" opens the question.
    english = Subject.of(read("What happened in Tours in December 2025?"))
    assert english.terms == {"tour"} and dict(english.names) == {"Tours": "tour"}
    assert dict(Subject.of(read("Quoi de neuf à la SNCF ?")).names) == {"SNCF": "sncf"}
    assert dict(Subject.of(read("Où en est l'AS Valmont ?")).names) == {"AS": "as", "Valmont": "valmont"}


def test_english_function_words_are_no_part_of_the_subject(read: QuestionReader) -> None:
    # The French analyser keeps "at": an English question would need it in every article.
    assert Subject.of(read("What happened at SNCF in December 2024?")).terms == {"sncf"}


def test_where_in_the_period_is_no_part_of_the_subject(read: QuestionReader) -> None:
    # The date finder names "janvier 2025"; "mi" says where in it, not what about.
    assert Subject.of(read("Quelle était la situation de la grippe à la mi-janvier 2025 ?")).terms == {"situat", "gripp"}


def test_a_name_counts_only_where_it_is_written(read: QuestionReader) -> None:
    subject = Subject.of(read("Que s'est-il passé à Tours en février 2025 ?"))
    painter = "« Le Nouveau-né » de Georges de La Tour est exposé au Louvre jusqu'en septembre."
    election = "Claire Dumoulin est arrivée en tête du premier tour."
    # Same stem ("tour"), another word: neither is about Tours.
    assert not subject.held_by(frozenset(analyze(painter)), painter)
    assert not subject.held_by(frozenset(analyze(election)), election)
    # The name may be in the title alone.
    tram = "Tours : le viaduc du tramway posé avant Noël\nLe tablier du viaduc a été posé au-dessus du Cher."
    assert subject.held_by(frozenset(analyze(tram)), tram)


def test_rare_words_weigh_more_than_common_ones(read: QuestionReader) -> None:
    weights = {"incend": 2.02, "affair": 3.9, "logivert": 2.67, "entrepot": 2.84}
    subject = Subject.of(read("Où en est l'affaire de l'incendie de l'entrepôt Logivert ?"), weights)
    trial = "Le procès de l'incendie de l'entrepôt Logivert s'ouvre à Amiens."
    budget = "L'affaire des comptes de campagne revient devant le Conseil constitutionnel."
    fire = "Un incendie a détruit un entrepôt de pneus à Rouen."
    assert subject.held_by(frozenset(analyze(trial)), trial)  # holds all but "affaire"
    assert not subject.held_by(frozenset(analyze(budget)), budget)
    assert not subject.held_by(frozenset(analyze(fire)), fire)  # the common words, not the name
    assert subject.shows_names(trial) and not subject.shows_names(fire)


def test_exactly_half_the_weight_is_enough_despite_rounding(read: QuestionReader) -> None:
    # 0.01 + 0.06 over 0.01 + 0.06 + 0.07 is a half a float sum puts a hair under 0.5.
    subject = Subject.of(read("Où en est la grève des éboueurs de Lyon ?"), {"grev": 0.01, "eboueur": 0.06, "lyon": 0.07})
    strike = "Grève des éboueurs : les poubelles s'accumulent."
    assert subject.held_by(frozenset(analyze(strike)), strike)


def test_an_institution_is_named_in_either_language_as_written(read: QuestionReader) -> None:
    subject = Subject.of(read("Qu'a décidé l'ONU en mars 2025 ?"))
    assert subject.unindexed == {"UN"}  # no stored term holds it: "un" is a stop word
    english = "UN votes to extend its mission\nThe UN Security Council voted on Tuesday."
    french = "Un vote a eu lieu mardi\nUn conseil a voté un texte."
    assert subject.held_by(frozenset(analyze(english)), english) and subject.shows_names(english)
    # The French article "un" is not "UN": the other language's name counts only as written.
    assert not subject.held_by(frozenset(analyze(french)), french) and not subject.shows_names(french)
    un = Subject.of(read("What did the UN decide in March 2025?"))
    assert "onu" in un.terms and un.unindexed == {"UN"}  # "un" is a stop word: "ONU"'s term stands for it
    assert un.held_by(frozenset(analyze(english)), english)
    ecb = Subject.of(read("What did the ECB decide in March 2023?"))
    assert ecb.alias_terms == {"bce"}
    bce = "La BCE abaisse ses taux\nLa BCE a abaissé son taux de dépôt."
    assert ecb.held_by(frozenset(analyze(bce)), bce) and ecb.shows_names(bce)
