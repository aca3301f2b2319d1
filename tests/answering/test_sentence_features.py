"""A sentence's features (answering.sentence_features): what a sentence holds, values by
regular expression, entities and lemmas by spaCy; a measure asked for is stated in its units,
French and English."""

from __future__ import annotations

import pytest

from answering.judge import shared_date_finder
from answering.query import Kind
from answering.sentence_features import (
    Fact,
    SentenceAnalyzer,
    holds,
    is_measure,
    states_measure,
    value_facts,
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind.value, f.text) for f in value_facts(text, shared_date_finder())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'offensive lancée le 15 novembre, 130 000 civils ont fui", [("date", "le 15 novembre"), ("number", "130 000")]),
        ("Le taux atteint 12,5 % en 2016.", [("percentage", "12,5 %"), ("date", "en 2016")]),
        ("les forces contrôlaient 90% des quartiers", [("percentage", "90%")]),
        ("un budget de 3 millions d'euros", [("money", "3 millions d'euros")]),
        ("The cost was $4.5 million in March 2010.", [("money", "$4.5 million"), ("date", "March 2010")]),
        ("Il a régné trente-deux ans, de 1815 à 1847.", [("duration", "trente-deux ans"), ("date", "de 1815 à 1847")]),
        ("La tour mesure 324 mètres.", [("number", "324")]),
        ("Le 1er janvier 1999, l'euro naît.", [("date", "Le 1er janvier 1999")]),
        ("Aucun chiffre ici.", []),
    ],
)
def test_values(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


def test_a_number_question_takes_any_figure_a_date_question_only_dates() -> None:
    facts = value_facts("En 2016, 415 civils sont morts en 30 jours.", shared_date_finder())
    assert [f.text for f in holds(facts, Kind.NUMBER, "Combien de civils ?")] == ["415", "30 jours"]
    assert [f.text for f in holds(facts, Kind.DATE, "Quand ?")] == ["En 2016"]


def test_a_fact_the_question_names_does_not_answer_it() -> None:
    facts = [Fact(Kind.PERSON, "Ban Ki-moon", 0, 11), Fact(Kind.PERSON, "Stéphane Dujarric", 20, 37)]
    assert [f.text for f in holds(facts, Kind.PERSON, "Qui est le porte-parole de Ban Ki-moon ?")] == ["Stéphane Dujarric"]


def test_spacy_finds_people_places_organisations_and_lemmas(analyzer: SentenceAnalyzer) -> None:
    [facts] = analyzer.analyse(["Selon Rami Abdel Rahmane, directeur de l'OSDH, l'offensive a été lancée à Alep."])
    found = {(f.kind, f.text) for f in facts.facts}
    assert (Kind.PERSON, "Rami Abdel Rahmane") in found
    assert (Kind.PLACE, "Alep") in found
    assert "lancer" in facts.lemmas  # "lancée" and "lancer" meet
    assert "lancer" in analyzer.lemmas("Quand l'offensive a-t-elle été lancée ?")


# --- A measure asked for is stated in its units --------------------------------------------


@pytest.mark.parametrize(("sentence", "measure"), [
    ("En 1600, Rome avait atteint 110 000 habitants.", "population"),
    ("Berlin compte environ 3,8 millions d’habitants.", "population"),
    ("La population de la ville est estimée à 2 millions.", "population"),  # the measure named
    ("L'agglomération s'étend sur 892 km2.", "superficie"),
    ("Le mycélium peut couvrir plusieurs mètres carrés.", "surface"),
    ("Ils courent jusqu'à 50 km/h.", "vitesse"),
    ("Le navire file 22 nœuds.", "vitesse"),
    ("Son altitude varie entre 209 et 323 mètres.", "altitude"),
    ("Une coudée et demie pour sa largeur.", "largeur"),
    ("Le billet coûte 3 €.", "prix"),
    ("The city has 1.2 million inhabitants.", "population"),
    ("The lake covers 30 square kilometres.", "area"),
])
def test_the_measure_is_stated(sentence: str, measure: str) -> None:
    assert states_measure(sentence, measure)


@pytest.mark.parametrize(("sentence", "measure"), [
    ("Depuis le début de l’offensive, 130 000 civils ont fui Alep.", "population"),
    ("12 millions de touristes visitent la ville.", "population"),
    ("Le match a réuni 40 000 spectateurs.", "superficie"),
    ("Elle a 45 ans.", "vitesse"),
    ("415 civils à Alep-Est, et 130 à Alep-Ouest.", "population"),
])
def test_a_figure_of_something_else_does_not_state_it(sentence: str, measure: str) -> None:
    assert not states_measure(sentence, measure)


def test_only_measures_whose_units_are_unambiguous() -> None:
    assert is_measure("population") and is_measure("superficie") and is_measure("height")
    # The size of a horn (cm) or of an army (men); seats or litres: left to the judge.
    assert not is_measure("taille") and not is_measure("capacite") and not is_measure(None)
