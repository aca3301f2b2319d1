"""What a question asks for, French and English, written by hand (no fitted number)."""

from __future__ import annotations

import pytest

from answering.question_kind import Kind, question_kind


@pytest.mark.parametrize(
    ("question", "kind", "focus"),
    [
        ("Quelle est la population d'Alep ?", Kind.NUMBER, "population"),
        ("Qui est le porte-parole de Ban Ki-moon ?", Kind.PERSON, "porte-parole"),
        ("Quand l'offensive a-t-elle commencé ?", Kind.DATE, None),
        ("Combien de civils ont fui Alep ?", Kind.NUMBER, "civils"),
        ("Combien d'habitants compte Lyon ?", Kind.NUMBER, "habitants"),
        ("Où est né Victor Hugo ?", Kind.PLACE, None),
        ("Dans quelle ville se trouve le siège ?", Kind.PLACE, "ville"),
        ("En quelle année est-il mort ?", Kind.DATE, "annee"),
        ("Combien de temps a duré le siège ?", Kind.DURATION, "temps"),
        ("Quel pourcentage des quartiers est tenu par le régime ?", Kind.PERCENTAGE, "pourcentage"),
        ("Combien coûte le billet ?", Kind.MONEY, "coute"),
        ("Pourquoi la ville est-elle assiégée ?", Kind.REASON, None),
        ("Quelle serait la cause de cette utilisation ?", Kind.REASON, "cause"),
        ("Quel est le nom du fondateur ?", Kind.PERSON, "fondateur"),
        ("Comment s'appelle le directeur de l'OSDH ?", Kind.PERSON, "directeur"),
        ("Par qui a-t-il été remplacé ?", Kind.PERSON, None),
        ("Quelle entreprise a construit le pont ?", Kind.ORGANISATION, "entreprise"),
        ("Est-ce que la trêve tient ?", Kind.YES_NO, None),
        ("Y a-t-il des victimes ?", Kind.YES_NO, None),
        ("Qu'est-ce que le mycélium ?", Kind.DEFINITION, None),
        ("De quelle langue est issu le mot mycélium ?", Kind.OTHER, "langue"),
        ("Le vin ou la bière ?", Kind.OTHER, None),  # "ou" (or) is not "où" (where)
        ("Who is the spokesman of Ban Ki-moon?", Kind.PERSON, "spokesman"),
        ("When did the offensive begin?", Kind.DATE, None),
        ("How many civilians fled Aleppo?", Kind.NUMBER, "civilians"),
        ("Where was he born?", Kind.PLACE, None),
        ("Why did they flee?", Kind.REASON, None),
        ("What is the capital of Japan?", Kind.PLACE, "capital"),
        ("Which company built it?", Kind.ORGANISATION, "company"),
        ("How long did the siege last?", Kind.DURATION, None),
        ("What percentage of voters turned out?", Kind.PERCENTAGE, "percentage"),
        ("How much did it cost?", Kind.MONEY, None),
        ("Is the truce holding?", Kind.YES_NO, None),
        ("What does mycelium mean?", Kind.DEFINITION, None),
    ],
)
def test_kind_and_focus(question: str, kind: Kind, focus: str | None) -> None:
    found = question_kind(question)
    assert (found.kind, found.focus) == (kind, focus)


def test_fact_kinds_are_the_ones_a_sentence_can_be_seen_to_hold() -> None:
    assert question_kind("Qui dirige l'OSDH ?").expects_fact
    assert question_kind("Quand la bataille a-t-elle eu lieu ?").expects_fact
    assert not question_kind("Pourquoi les pourparlers ont-ils échoué ?").expects_fact
    assert not question_kind("Qu'est-ce que l'OSDH ?").expects_fact


def test_the_focus_is_analysed_once_with_the_question() -> None:
    """The judge's features and the lead read the focus's terms from the question's kind."""
    assert question_kind("Qui est le porte-parole de Ban Ki-moon ?").focus_terms == {"port", "parol"}
    assert question_kind("Combien d'habitants compte Lyon ?").focus_terms == {"habit"}
    assert question_kind("Quand l'offensive a-t-elle commencé ?").focus_terms == frozenset()  # no focus
