"""Understanding the question (answering.query), French and English: the kind of answer it
expects and its focus, written by hand (no fitted number); its intent (fact, open news,
timeline), read once from its wording onto the `Query`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from answering.query import Kind, plain_query, question_kind, read_intent, small_talk


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


# --- The intent ------------------------------------------------------------------------------

OPEN = [
    "Que s'est-il passé à la SNCF en décembre 2024 ?",
    "Que s’est-il passé hier ?",
    "Qu'est-ce qui s'est passé à Alep ?",
    "Quoi de neuf sur Ariane 6 ?",
    "Où en est la grève des trams ?",
    "Où en était l'épidémie de grippe en décembre 2024 ?",
    "Quelles sont les dernières nouvelles de l'OL ?",
    "Quel est le dernier article sur la grève des trams ?",
    "Le dernier article sur la grève des trams parle de quoi ?",
    "Qu'est-il arrivé à Ariane 6 en 2022 ?",
    "What happened in Aleppo in December 2016?",
    "What's new with the ECB?",
    "What is the latest on the tram strike?",
    "Latest on Ariane 6?",
    "Where does the budget stand?",
]
TIMELINE = [
    "Chronologie de la grève SNCF",
    "Quelle est la chronologie des décisions de la BCE ?",
    "Comment la grève s'est-elle déroulée ?",
    "Comment s'est déroulée la crue de la Seine ?",
    # The question turned around, as French writes it with a noun subject.
    "Comment la sécheresse dans les Pyrénées-Orientales a-t-elle évolué ?",
    "Comment les prix du gazole ont-ils évolué en 2025 ?",
    "Comment le chantier a évolué ?",
    "Quelles ont été les étapes de la réforme ?",
    "Les grandes étapes du chantier de Notre-Dame",
    "How did the Aleppo siege unfold?",
    "Timeline of the ECB rate cuts",
    "Give me a timeline for Ariane 6.",
]
FACT = [
    "Combien de TGV circulaient pendant la grève SNCF d'octobre 2024 ?",
    "Qui a reçu le prix Goncourt en novembre 2024 ?",
    "Quand Notre-Dame de Paris a-t-elle rouvert en décembre 2024 ?",
    "Comment s'est terminé le match de l'OL le 15 septembre 2024 ?",
    "Quel est le dernier vainqueur du Goncourt ?",  # "dernier" alone is no news digest
    "What did the ECB decide in September 2024?",
    "How many people were evacuated?",
    "Où se trouve Alep ?",
    # PIAF: "retrace" names what a work is about, not a request for a timeline.
    "Quelle œuvre retrace les représailles françaises sur les insurgés madrilènes ?",
]


@pytest.mark.parametrize("question", OPEN)
def test_open_news_wordings(question: str) -> None:
    assert read_intent(question) == "open"


@pytest.mark.parametrize("question", TIMELINE)
def test_timeline_wordings(question: str) -> None:
    assert read_intent(question) == "timeline"


@pytest.mark.parametrize("question", FACT)
def test_anything_else_is_a_fact_question(question: str) -> None:
    assert read_intent(question) == "fact"


def test_from_the_start_is_read_onto_the_query() -> None:
    assert plain_query("Que s'est-il passé au procès Logivert depuis le début ?", "fr").from_the_start
    assert plain_query("What happened at SNCF from the start?", "en").alone().from_the_start
    assert not plain_query("Quoi de neuf sur le procès Logivert ?", "fr").from_the_start
    assert not plain_query("Quand le procès a-t-il débuté ?", "fr").from_the_start
    # A fact question's own words, not an order for a digest it does not get.
    assert not plain_query("Combien de civils ont fui Alep depuis le début de l'offensive ?", "fr").from_the_start


def test_the_intent_is_read_once_onto_the_query_and_kept_alone() -> None:
    query = plain_query("Que s'est-il passé à Alep ?", "fr")
    assert query.intent == "open"
    assert query.alone().intent == "open"
    assert plain_query("Qui dirige la BCE ?", "fr").intent == "fact"
    # Retrieval counts a news question's period by its subject (retrieval.news.related).
    assert query.search.news and not plain_query("Qui dirige la BCE ?", "fr").search.news


@pytest.mark.parametrize("message", ["Bonjour", "bonjour !", "Merci beaucoup 🙏", "Très bien, merci !",
                                     "Salut, ça va ?", "Bonne journée !", "Au revoir", "Hello qabot",
                                     "Thanks, bye", "thank you very much", "How are you?", "Hi there",
                                     "Bonjour tout le monde"])
def test_greetings_and_thanks_alone_are_small_talk(message: str) -> None:
    assert small_talk(message) == ("thanks" if message.lower().startswith(("merci", "très", "bonne", "au", "thank"))
                                   else "greeting")


@pytest.mark.parametrize("message", ["Bonjour, combien de civils ont fui Alep ?", "merci, et ensuite ?",
                                     "Comment va l'économie ?", "Qui ?", "2016 ?", "Merci 2", "", "😀",
                                     "Hello, what happened in Aleppo?",
                                     # a follow-up's fragments, or a newspaper's name
                                     "How much?", "Ok, how much?", "Comment ?", "Plus ?", "Tous ?", "All?",
                                     "Le Monde ?", "Et ensuite ?", "Au plus ?"])
def test_a_message_with_anything_else_is_not_small_talk(message: str) -> None:
    assert small_talk(message) is None


def test_no_question_of_the_evaluation_sets_is_small_talk() -> None:
    """Every question the figures are measured on (dev, the English and news sets) is asked."""
    root = Path(__file__).resolve().parents[2]
    sets = [*(root / "evaluation" / "data").rglob("*.jsonl"), root.parent / "shared" / "eval" / "dev.jsonl"]
    questions = [row["question"] for path in sets if path.exists()
                 for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if "question" in row]
    assert len(questions) > 2000
    assert [q for q in questions if small_talk(q)] == []
