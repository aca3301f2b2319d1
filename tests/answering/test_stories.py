"""Which retrieved stories are about a question's subject (answering.stories.stories_about): its
words weighed by IDF, its names as written, and, for an encoder calibrated for it, meaning:
within a margin of the closest story in the question's language, a wider one across languages.
Real analyser, real language identification; the dense scores are retrieval's, set here."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np

from answering.query import plain_query
from answering.stories import UNCALIBRATED, Margins, anything_about, published_in, stories_about
from retrieval.dates import Period
from retrieval.models import Passage
from tests.answering.passages import passage

# The margins calibrated for the default encoder (qabot.calibration).
E5 = Margins(same_language=0.04, cross_language=0.09)


def story(n: int, title: str, text: str, dense: float | None, published: str = "2025-03-03") -> Passage:
    return replace(passage(n, f"{title}\n{text}", dense), title=title, date=published)


def kept(question: str, language: str, passages: list[Passage], margins: Margins) -> list[str]:
    query = plain_query(question, language)
    return [s.first.article_id for s in stories_about(query, passages, None, margins)]


LOGIVERT = [
    story(1, "Logivert fined over deadly warehouse fire",
          "A French court fined Logivert over the warehouse fire that killed three workers.", 0.846),
    story(2, "Incendie de l'entrepôt Logivert : le procès s'ouvre à Amiens",
          "Le procès de l'incendie de l'entrepôt Logivert s'est ouvert lundi devant le tribunal d'Amiens.", 0.822),
    story(3, "Logivert : le parquet requiert deux ans de prison",
          "Le parquet a requis deux ans de prison avec sursis contre l'ancien directeur de Logivert.", 0.799),
    # Shows the name, far in meaning: a column on logistics that cites the trial in passing.
    story(4, "La logistique recrute",
          "Les entrepôts de la région recrutent, de Logivert à ses concurrents, des caristes.", 0.70),
    # Close in meaning, no name: another fire, another trial.
    story(5, "Procès de l'incendie de Lubrizol", "Le procès de l'incendie de l'usine de Rouen s'est ouvert.", 0.83),
]


def test_across_languages_the_names_and_meaning_decide() -> None:
    assert kept("How did the Logivert trial unfold?", "en", LOGIVERT, E5) == ["a1.txt", "a2.txt", "a3.txt"]


def test_an_uncalibrated_encoder_leaves_it_to_the_names() -> None:
    # No margin known for its similarity scale: every story in another language showing the name.
    assert kept("How did the Logivert trial unfold?", "en", LOGIVERT, UNCALIBRATED) == [
        "a1.txt", "a2.txt", "a3.txt", "a4.txt"]


EBOUEURS = [
    story(1, "Lyon : les éboueurs en grève", "Les éboueurs de la Métropole de Lyon sont en grève depuis lundi.", 0.907),
    story(2, "Lyon : la grève des éboueurs prend fin", "La grève des éboueurs de Lyon a pris fin vendredi.", 0.891),
    # Holds "grève" and "Lyon" (most of the weight), but is about the railways.
    story(3, "Grève à la SNCF", "La grève des cheminots perturbe le trafic en gare de Lyon Part-Dieu.", 0.859),
]


def test_in_the_same_language_meaning_sets_apart_a_story_sharing_the_common_words() -> None:
    question = "Chronologie de la grève des éboueurs de Lyon"
    assert kept(question, "fr", EBOUEURS, E5) == ["a1.txt", "a2.txt"]
    assert kept(question, "fr", EBOUEURS, UNCALIBRATED) == ["a1.txt", "a2.txt", "a3.txt"]


def test_a_story_published_in_the_period_comes_before_one_that_only_speaks_of_it() -> None:
    strike = story(1, "SNCF : grève des contrôleurs", "Les contrôleurs de la SNCF sont en grève.", 0.9, "2024-12-18")
    cost = story(2, "SNCF : la grève a coûté 50 millions",
                 "La grève de la SNCF de décembre 2024 a coûté 50 millions d'euros.", 0.9, "2025-01-10")
    query = plain_query("Que s'est-il passé à la SNCF ?", "fr")
    stories = stories_about(query, [cost, strike])
    december = Period(date(2024, 12, 1), date(2024, 12, 31))
    assert [s.first.article_id for s in published_in(stories, december)] == ["a1.txt"]
    # None published in it: those that speak of it are what there is.
    assert [s.first.article_id for s in published_in(stories[:1], december)] == ["a2.txt"]
    assert len(published_in(stories, None)) == 2


def test_a_story_writing_the_names_makes_the_subject_covered() -> None:
    # No ECB story holds "decide" (the question's verb weighs most): none is about the question
    # by its words, but the articles write its name, so a period without one is "no article in
    # the period", not "nothing on this".
    ecb = [story(1, "ECB trims deposit rate to 3%", "The European Central Bank, the ECB, lowered its deposit rate.", 0.84)]
    question = plain_query("What did the ECB decide in March 2023?", "en")
    weights = {"ecb": 3.44, "decid": 4.8}
    assert not stories_about(question, ecb, weights, E5)
    assert anything_about(question, ecb, weights, E5)
    # A story sharing a common word ("prix") and no name: nothing is about the stamp.
    fuel = [story(1, "Le gazole au plus haut", "Le prix moyen du gazole a atteint 1,853 euro le litre.", 0.86)]
    stamp = plain_query("Quel était le prix du timbre-poste ?", "fr")
    assert not anything_about(stamp, fuel, {"prix": 2.62, "timbr": 5.49, "post": 3.05}, E5)


def test_when_no_story_holds_the_subjects_words_the_closest_in_meaning_are_about_it() -> None:
    # "Aleppo" is "Alep" in the articles: no term in common, meaning alone decides, within the
    # margin retrieval uses for a period (retrieval.news.temporal.RELATED_DENSE_MARGIN, 0.02).
    alep = [
        story(1, "Alep : les combats reprennent", "Les combats ont repris dans les faubourgs d'Alep.", 0.86),
        story(2, "Alep : un cessez-le-feu fragile", "Un cessez-le-feu a été conclu à Alep samedi.", 0.845),
        story(3, "Damas : un nouveau gouvernement", "Un gouvernement de transition a été nommé à Damas.", 0.83),
    ]
    assert kept("What happened in Aleppo?", "en", alep, E5) == ["a1.txt", "a2.txt"]
    # Without dense scores (BM25 alone) nothing comes close in meaning.
    assert kept("What happened in Aleppo?", "en", [replace(p, dense_score=None) for p in alep], E5) == []


class SetMeaning:
    """An embedder whose headlines' similarity to the question is set here, as the dense scores
    are (the default encoder's, measured on the news set): a headline and lede starting with a
    key of `similarity` gets that cosine with the question's vector."""

    backend, name, dimension, max_tokens = "fake", "fake/set-meaning", 2, 512

    def __init__(self, similarity: dict[str, float]) -> None:
        self.similarity = similarity

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        cosines = [next(c for head, c in self.similarity.items() if text.startswith(head)) for text in texts]
        return np.array([[c, math.sqrt(1.0 - c * c)] for c in cosines], dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.array([1.0, 0.0], dtype=np.float32)


def kept_reading_ledes(question: str, passages: list[Passage], embedder: SetMeaning | None) -> list[str]:
    query = plain_query(question, "fr")
    if embedder is not None:
        query = query.with_vector(embedder.embed_query(question))
    return [s.first.article_id for s in stories_about(query, passages, None, E5, embedder)]


def test_a_headline_and_lede_saying_the_whole_subject_need_no_margin() -> None:
    # The newest tram article is about a viaduct: its passage is 0.046 under the closest in
    # meaning, past the margin, but its headline and lede name the whole subject.
    tram = [
        story(1, "Tram de Tours : la première rame présentée",
              "La première rame de la deuxième ligne du tramway de Tours a été présentée à la gare.", 0.904),
        story(2, "Tours : le viaduc du tramway posé avant Noël",
              "Le tablier du viaduc de la deuxième ligne de tramway a été posé au-dessus du Cher.\n\n"
              "L'ouvrage, long de 260 mètres, pèse 3 800 tonnes.", 0.858),
    ]
    assert kept("Où en est la deuxième ligne de tramway de Tours ?", "fr", tram, E5) == ["a1.txt", "a2.txt"]


DROUGHT = [
    story(1, "Pyrénées-Orientales : la crise sécheresse levée",
          "Le préfet des Pyrénées-Orientales a levé la situation de crise sécheresse.", 0.905),
    story(2, "Pyrénées-Orientales : la sécheresse s'aggrave",
          "Le préfet des Pyrénées-Orientales place le département en crise sécheresse.", 0.893),
    # Holds every word of the subject, the drought in its body only: a wildfire story.
    story(3, "Pyrénées-Orientales : 1 200 hectares brûlés près de Tautavel",
          "L'incendie déclaré samedi près de Tautavel (Pyrénées-Orientales) est fixé depuis lundi.\n\n"
          "La sécheresse persistante dans le département a favorisé la propagation.", 0.883),
]


def test_a_story_whose_headline_and_lede_miss_the_topic_is_weighed_by_them() -> None:
    question = "Comment la sécheresse dans les Pyrénées-Orientales a-t-elle évolué ?"
    # Its headline and lede are 0.057 under the closest, past the same-language margin.
    meaning = SetMeaning({"Pyrénées-Orientales : la crise": 0.912, "Pyrénées-Orientales : la séch": 0.898,
                          "Pyrénées-Orientales : 1 200": 0.855})
    assert kept_reading_ledes(question, DROUGHT, meaning) == ["a1.txt", "a2.txt"]
    # Without an embedder the words decide: the fire story holds them all.
    assert kept_reading_ledes(question, DROUGHT, None) == ["a1.txt", "a2.txt", "a3.txt"]


def test_a_lede_close_in_meaning_keeps_its_story_without_the_common_word() -> None:
    # The appeal never writes "procès" up top, but its headline and lede are the trial's.
    trial = [
        story(1, "Procès Logivert : l'ancien directeur condamné",
              "Le procès de l'incendie de l'entrepôt Logivert s'achève : l'ancien directeur est condamné.", 0.88),
        story(2, "Logivert fait appel de sa condamnation",
              "La société Logivert a fait appel de sa condamnation pour l'incendie de son entrepôt.\n\n"
              "Un nouveau procès se tiendra devant la cour d'appel d'Amiens.", 0.865),
    ]
    question = "Le dernier article sur le procès Logivert parle de quoi ?"
    meaning = SetMeaning({"Procès Logivert": 0.870, "Logivert fait appel": 0.865})
    assert kept_reading_ledes(question, trial, meaning) == ["a1.txt", "a2.txt"]
