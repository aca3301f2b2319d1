"""The French reading of an English question (answering.french_reading): its alignment, with an
encoder whose word vectors are exact, and, with the real model on the seed, the English
questions the French judge now answers (issue 22's "Who is the director of …?")."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from answering.french_reading import (
    ALIGNMENT_BAR,
    AcrossLanguages,
    FrenchReading,
    WordVectors,
    across_languages,
    content_words,
    passage_vocabulary,
)
from answering.judge import Judge, JudgeModel
from answering.protocol import SentenceScore
from answering.query import Kind, plain_query
from qabot.services import Services
from retrieval.models import Passage
from retrieval.text import analyze, search_query
from tests.answering.passages import passage

DIMENSION = 512
# Each word's direction: a translation shares its English word's, a near word leans on it
# (cosine 0.8, under the bar), every other word has one of its own.
SAME = {"director": 0, "directeur": 0, "fled": 1, "fui": 1, "observatory": 2, "observatoire": 2}
NEAR = {"journalist": (0, 0.8, 3)}  # leans on "director" / "directeur"


class ExactWords:
    """An encoder whose word vectors are set above, counting the words it is asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[str] = []
        self._axes: dict[str, int] = {}

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.stack([self._vector(text) for text in texts])

    def _vector(self, word: str) -> np.ndarray:
        vector = np.zeros(DIMENSION, dtype=np.float32)
        if word in SAME:
            vector[SAME[word]] = 1.0
        elif word in NEAR:
            axis, cosine, own = NEAR[word]
            vector[axis], vector[own] = cosine, (1 - cosine**2) ** 0.5
        else:
            vector[self._axes.setdefault(word, 10 + len(self._axes))] = 1.0
        return vector


SEED_LIKE = [
    passage(1, "« La bataille d’Alep touche à sa fin », a affirmé Rami Abdel Rahmane, directeur de l’Observatoire syrien."),
    passage(2, "Depuis le début de l’offensive, 130 000 civils ont fui Alep."),
]


def test_english_content_words_leave_the_question_frame_out() -> None:
    assert content_words("Who is the director of the King's Observatory in 2016?") == [
        "director", "King", "Observatory", "2016"
    ]


def test_the_passages_vocabulary_is_their_french_content_words_without_elisions() -> None:
    vocabulary = passage_vocabulary(SEED_LIKE)
    assert {"directeur", "observatoire", "offensive", "civils", "alep"} <= vocabulary
    assert not {"l’observatoire", "de", "le", "à", "130", "000"} & vocabulary


def test_each_english_word_reads_as_the_french_word_closest_in_meaning_above_the_bar() -> None:
    reading = FrenchReading(WordVectors(ExactWords()))
    aligned = {a.english: (a.french, a.similarity) for a in reading.align("Who is the director of the observatory?", SEED_LIKE)}
    assert aligned["director"][0] == "directeur" and aligned["director"][1] == pytest.approx(1.0)
    assert aligned["observatory"][0] == "observatoire"


def test_a_word_only_near_in_meaning_is_dropped_and_names_and_numbers_stay() -> None:
    assert ALIGNMENT_BAR > 0.8  # the near word of ExactWords sits under the bar
    reading = FrenchReading(WordVectors(ExactWords()))
    aligned = reading.align("Which journalist said Alep had 130 000 civilians?", SEED_LIKE)
    assert [(a.english, a.french) for a in aligned] == [("Alep", "Alep"), ("130", "130"), ("000", "000")]


def test_the_reading_is_a_french_query_keeping_the_english_kind_numbers_and_vector() -> None:
    query = plain_query("How many civilians fled the observatory in 2016?", "en").with_vector(np.ones(3, dtype=np.float32))
    read = FrenchReading(WordVectors(ExactWords())).read(query, SEED_LIKE)
    assert read.terms == frozenset(analyze("fui observatoire 2016"))
    assert read.kind.kind == Kind.NUMBER and read.numbers == query.numbers == frozenset({"2016"})
    assert read.vector is query.vector and read.language == "en" and read.search == query.search


def test_retrieval_reads_the_french_words_beside_the_english_ones() -> None:
    """What an English question is searched with a second time: its own terms (a word no
    passage holds still counts against the IDF match), then the French words its reading finds."""
    asked = search_query("Who is the director of the observatory in Tokyo?")
    searched = FrenchReading(WordVectors(ExactWords())).searched_as(asked, SEED_LIKE)
    assert searched.terms == (*asked.terms, *analyze("directeur observatoire"))
    assert "tokyo" in searched.terms  # no passage holds it: the IDF match still counts it missing
    assert searched.text == asked.text and searched.dates == asked.dates  # the question's own embedding


def test_the_focus_is_read_in_french_too() -> None:
    query = plain_query("Who is the director of the observatory?", "en")
    assert query.kind.focus == "director"
    assert FrenchReading(WordVectors(ExactWords())).read(query, SEED_LIKE).kind.focus == "directeur"


def test_each_word_is_embedded_once_per_process() -> None:
    encoder = ExactWords()
    reading = FrenchReading(WordVectors(encoder))
    reading.align("Who is the director?", SEED_LIKE)
    first = len(encoder.embedded)
    reading.align("Who fled the director?", SEED_LIKE)
    assert encoder.embedded[first:] == ["fled"]
    assert len(encoder.embedded) == len(set(encoder.embedded))


class EveryLanguage:
    every_language = True

    def score(self, query: object, passages: Sequence[Passage], idf_match: float | None) -> list[SentenceScore]:
        return []

    def choose(self, scored: Sequence[SentenceScore], max_sentences: int, bar: float | None = None) -> list[SentenceScore]:
        return []


def test_across_languages_the_french_judge_reads_the_french_reading_with_a_lower_evidence_bar() -> None:
    judge = Judge(JudgeModel(weights={}, intercept=0.0, bar=0.5, evidence_bar=0.85), None, None)
    crossing = across_languages(judge, ExactWords())
    assert isinstance(crossing, AcrossLanguages) and crossing.every_language
    scorer = EveryLanguage()
    assert across_languages(scorer, ExactWords()) is scorer  # it reads every language itself
    assert across_languages(judge, None) is None  # no encoder: the retrieval bars decide
    assert across_languages(None, ExactWords()) is None


# Each declined before the French reading (the retrieval bars decided an English question).
# "Who is the director of the Syrian Observatory?" is answered at an evidence bar of 0.78 and
# declined at the shipped 0.80, the bar that declines off-corpus English questions as often as
# French ones (docs/EVALUATION.md).
@pytest.mark.seed
@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Who is the director of the OSDH?", "Rami Abdel Rahmane"),
        ("What share of the eastern districts did pro-Assad forces control?", "90%"),
    ],
)
async def test_an_english_question_on_the_french_seed_is_answered_with_the_sentence_that_holds_it(
    seed_services: Callable[..., Services], question: str, fact: str
) -> None:
    answer = await seed_services().ask(question)
    assert answer.answered, answer.text
    assert fact in answer.text.split("[1]")[0], answer.text  # the first quoted sentence


@pytest.mark.seed
def test_an_english_question_is_searched_again_with_its_french_words(seed_services: Callable[..., Services]) -> None:
    """Through the service's seam: the second search reads the French words of the reading, so
    the IDF match (the judge's evidence) counts "directeur" and "observatoire" the passages hold;
    a French question is searched once, as it always was."""
    services = seed_services()
    query, search = services.answers.retrieve("Who is the director of the Syrian Observatory?", "en")
    english_only = services.retriever.search(query.search, len(search.passages))
    assert search.term_weights is not None and english_only.term_weights is not None
    assert {"directeur", "observatoir"} <= set(search.term_weights) - set(english_only.term_weights)
    assert (search.idf_match or 0.0) > (english_only.idf_match or 0.0)
    french, found = services.answers.retrieve("Qui est le directeur de l'Observatoire syrien ?", "fr")
    assert found.term_weights == services.retriever.search(french.search, len(found.passages)).term_weights


@pytest.mark.seed
async def test_an_english_date_question_on_the_french_seed_quotes_the_date(seed_services: Callable[..., Services]) -> None:
    answer = await seed_services().ask("When did the offensive start?")
    assert answer.answered and "15 novembre" in answer.text, answer.text


@pytest.mark.seed
@pytest.mark.parametrize(
    "question",
    ["How many lines does the Tokyo metro have?", "Who won the 2018 World Cup?", "What is the capital of Australia?"],
)
async def test_an_english_question_off_the_seed_is_still_declined(
    seed_services: Callable[..., Services], question: str
) -> None:
    answer = await seed_services().ask(question)
    assert not answer.answered, answer.text


def test_a_measure_asked_for_stays_as_asked() -> None:
    query = plain_query("What is the population of Aleppo?", "en")
    assert FrenchReading(WordVectors(ExactWords())).read(query, SEED_LIKE).kind.focus == "population"


class BatchQuantised(ExactWords):
    """As the int8 encoder does, each vector moved by the batch it was embedded in (a share of
    the batch's mean direction)."""

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        exact = super().embed_passages(texts)
        moved: np.ndarray = exact + 0.2 * exact.mean(axis=0)
        normalised: np.ndarray = moved / np.linalg.norm(moved, axis=1, keepdims=True)
        return normalised


def test_a_words_vector_does_not_hang_on_the_words_embedded_with_it() -> None:
    """The same question's reading whatever was asked before: each word embedded alone."""
    first, second = WordVectors(BatchQuantised()), WordVectors(BatchQuantised())
    first.of(["directeur", "fui", "observatoire"])
    second.of(["directeur", "alpha"])
    assert np.array_equal(first.of(["directeur"]), second.of(["directeur"]))
    assert first.of(["directeur"])[0, 0] == pytest.approx(1.0)


def test_a_full_cache_answers_a_word_it_had_kept_longest_with_new_ones() -> None:
    """The least recently read word asked again together with new ones: adding the new ones
    must not evict it before it is read back (a bot's cache fills within weeks)."""
    encoder = ExactWords()
    words = WordVectors(encoder, size=3)
    words.of(["directeur", "fui", "observatoire"])
    vectors = words.of(["directeur", "journalist"])
    assert vectors.shape == (2, DIMENSION) and vectors[0, 0] == 1.0
    assert encoder.embedded[3:] == ["journalist"]
    # More new words at once than the cache holds: all answered, the last ones kept.
    assert words.of(["alpha", "beta", "gamma", "delta"]).shape == (4, DIMENSION)
