"""A measure asked for is stated in its units, French and English."""

from __future__ import annotations

import pytest

from answering.measures import is_measure, states_measure


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
