"""The bold lead: the fact a sentence leads with, and whether it is sure enough to be shown.

The lead model here is written by hand (a weight says what the test is about); the shipped,
fitted one is checked for its shape, and on the newsroom trial's articles in
test_reader_leads.py.
"""

from __future__ import annotations

import json

import numpy as np

from answering.judge import Judge, JudgeModel
from answering.lead import LEAD_FEATURES, LeadModel, pick, read_lead, shipped_lead_model, trim
from answering.protocol import SentenceScore
from answering.query import Kind, plain_query
from answering.sentence_features import Fact
from answering.sentences import content_terms
from evaluation import fit_judge, fit_lead

FIRE = "Soixante pompiers ont combattu l'incendie de l'entrepôt de 3 000 m² toute la nuit."


def facts_in(sentence: str, *texts: str, kind: Kind = Kind.NUMBER) -> list[Fact]:
    return [Fact(kind, t, sentence.index(t), sentence.index(t) + len(t)) for t in texts]


def test_a_lead_never_ends_on_a_dangling_word() -> None:
    assert trim("1,8 million de") == "1,8 million"
    assert trim("412 km.") == "412 km"
    assert trim(" ; ") is None and trim(None) is None


def test_the_figure_followed_by_the_noun_asked_about_leads() -> None:
    """"Combien de pompiers ?": the figure that counts firefighters, not the warehouse's m²,
    which sits nearer the question's other words ("incendie", "entrepôt")."""
    query = plain_query("Combien de pompiers pour l'incendie de l'entrepôt ?", "fr")
    chosen = pick(facts_in(FIRE, "Soixante", "3 000"), FIRE, query.terms, query.kind.focus_terms)
    assert chosen is not None and chosen.fact.text == "Soixante" and chosen.counts_focus
    assert chosen.terms == content_terms("Soixante")  # read with the sentence's words, in one call
    # Without the noun asked about, the figure nearest the question's words.
    nearest = pick(facts_in(FIRE, "Soixante", "3 000"), FIRE, content_terms("entrepôt"))
    assert nearest is not None and nearest.fact.text == "3 000"


def test_the_leads_features_are_the_models_inputs() -> None:
    query = plain_query("Combien de pompiers ont combattu l'incendie ?", "fr")
    row = SentenceScore(1, FIRE, 0.8, {"semantic_gap": 0.0, "lemma_coverage": 0.5})
    lead = read_lead(query, row, facts_in(FIRE, "Soixante", "3 000"))
    assert lead is not None and lead.text == "Soixante" and set(lead.features) == set(LEAD_FEATURES)
    assert lead.features["counts_focus"] == 1.0 and lead.features["single"] == 0.0
    assert lead.features["probability"] == 0.8 and lead.features["repeats_question"] == 0.0
    assert read_lead(query, row, []) is None  # no fact of the kind asked for: nothing to lead with


def lead_row(probability: float, confidence: float) -> SentenceScore:
    return SentenceScore(1, "Le 15 novembre, l'offensive commence.", probability, {"lead_confidence": confidence},
                         short_answer="15 novembre")


def test_a_lead_under_the_bar_is_absent_and_the_sentence_still_quoted() -> None:
    judge = Judge(JudgeModel({}, 0.0, 0.3), None, None, lead=LeadModel({}, 0.0, bar=0.7))
    unsure = judge.choose([lead_row(0.9, 0.69)], 3)
    assert [r.text for r in unsure] == ["Le 15 novembre, l'offensive commence."] and unsure[0].short_answer is None
    sure = judge.choose([lead_row(0.9, 0.7)], 3)
    assert sure[0].short_answer == "15 novembre"


def test_the_lead_model_is_plain_json_and_the_shipped_one_reads_the_features() -> None:
    model = LeadModel({"nearness": 2.0}, -1.0, 0.6, {"fitted_by": "hand"})
    assert LeadModel.from_json(model.to_json()) == model
    features = dict.fromkeys(LEAD_FEATURES, 0.0)
    assert model.confidence({**features, "nearness": 1.0}) > model.confidence(features)
    shipped = shipped_lead_model()
    assert set(shipped.weights) == set(LEAD_FEATURES) and 0 < shipped.bar <= 1.01
    assert shipped.meta["fitted_by"] == "python -m evaluation.fit_lead"


def example(key: str, right: bool, nearness: float) -> fit_lead.Example:
    features = {**dict.fromkeys(LEAD_FEATURES, 0.0), "nearness": nearness}
    return fit_lead.Example(key, "answerable", "?", ("x",), "x" if right else "y", features, 1.0 if right else 0.0)


def test_the_bar_is_the_lowest_that_keeps_wrong_leads_under_the_target() -> None:
    items = [example(f"a{n}", right=n >= 4, nearness=n / 20) for n in range(20)]
    confidence = np.array([n / 20 for n in range(20)])
    assert fit_lead.choose_bar(items, confidence, target=0.0) == 0.2  # the first right one and all above
    assert fit_lead.choose_bar(items, confidence, target=0.2) == 0.0  # 4 wrong of 20
    figures = fit_lead.figures(items, confidence >= 0.2)
    assert figures["short_answer_shown"] == 0.8 and figures["short_answer_wrong"] == 0.0


def test_cross_validation_shows_only_held_out_leads_with_the_fold_s_bar() -> None:
    """Leads near the question's words are right, far ones wrong: out of fold, by article, the
    near ones are shown and no wrong one is."""
    items = [example(f"a{n % 25}", right=n % 2 == 0, nearness=0.9 if n % 2 == 0 else 0.1) for n in range(200)]
    shown, per_fold = fit_lead.cross_validate(items)
    assert len(per_fold) == fit_judge.FOLDS
    figures = fit_lead.figures(items, shown)
    assert figures["short_answer_wrong"] == 0.0 and figures["short_answer_shown"] == 0.5
    json.dumps(per_fold)  # the report is plain JSON
