"""Sentence splitting keeps a quotation of several sentences whole; candidate sentences are read once."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering.sentences import (
    candidate_texts,
    candidates,
    content_terms,
    content_terms_of,
    split_sentences,
)
from tests.answering.passages import passage

QUOTED = (
    "Le ministre a déclaré : « L'offensive entre dans sa phase finale. Nous avançons vers le centre. » "
    "Les combats ont repris à l'aube. Il a ajouté : “Rien n'est joué. Vraiment rien.” Fin."
)


def test_a_quotation_of_several_sentences_stays_whole() -> None:
    spans = split_sentences(QUOTED)
    assert [s.text for s in spans] == [
        "Le ministre a déclaré : « L'offensive entre dans sa phase finale. Nous avançons vers le centre. »",
        "Les combats ont repris à l'aube.",
        "Il a ajouté : “Rien n'est joué. Vraiment rien.”",
        "Fin.",
    ]
    assert all(QUOTED[s.start : s.end] == s.text for s in spans)
    assert all(s.text.count("«") == s.text.count("»") for s in spans)


def test_a_quotation_never_closed_does_not_swallow_the_next_line() -> None:
    text = "Il a dit : « Nous partons. Demain matin.\nUn autre paragraphe. Et la suite."
    assert [s.text for s in split_sentences(text)] == [
        "Il a dit : « Nous partons. Demain matin.", "Un autre paragraphe.", "Et la suite.",
    ]


def test_the_seed_quotation_is_not_cut_inside() -> None:
    from tests.conftest import SEED_ARTICLE

    text = SEED_ARTICLE.read_text(encoding="utf-8")
    quoted = [s.text for s in split_sentences(text) if "phase finale" in s.text and "«" in s.text]
    assert quoted and quoted[0].endswith("a-t-il souligné.") and quoted[0].count("«") == quoted[0].count("»")


ECB = Path(__file__).parent / "data" / "ecb-rates.txt"


def test_no_sentence_is_cut_inside_a_number() -> None:
    spans = [s.text for s in split_sentences(ECB.read_text(encoding="utf-8"))]
    rate = next(s for s in spans if "deposit rate" in s)
    assert rate == "The European Central Bank kept its deposit rate unchanged at 2.25% on Thursday, after eight cuts in a row since June 2024."
    assert any(s.startswith("Its main refinancing rate stays at 2.40%") and s.endswith("at 14.30 in Frankfurt.") for s in spans)
    assert not [s for s in spans if s[:1].isdigit()]  # no remainder of a figure cut in two


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Le taux passe à 2.25 %. Il était de 2,5 % en mai.", ["Le taux passe à 2.25 %.", "Il était de 2,5 % en mai."]),
        ("Le train part à 14.30. Il arrive à 18 h.", ["Le train part à 14.30.", "Il arrive à 18 h."]),
        ("Elle compte 130.000 habitants. La version 3.1", ["Elle compte 130.000 habitants.", "La version 3.1"]),
        ("George W. Bush et M. Dupont sont venus. Fin.", ["George W. Bush et M. Dupont sont venus.", "Fin."]),
        ("En 52 av. J.-C. la Gaule tombe. Fin.", ["En 52 av. J.-C. la Gaule tombe.", "Fin."]),
        ("Les U.S. officials ont parlé. Fin.", ["Les U.S. officials ont parlé.", "Fin."]),
        ("« Partons ! » a-t-il dit. Des fruits, des légumes, etc. et du pain.",
         ["« Partons ! » a-t-il dit.", "Des fruits, des légumes, etc. et du pain."]),
        ("Il l'a dit.\nla ligne suivante.", ["Il l'a dit.", "la ligne suivante."]),
    ],
)
def test_full_stops_that_end_no_sentence(text: str, sentences: list[str]) -> None:
    spans = split_sentences(text)
    assert [s.text for s in spans] == sentences
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_each_candidate_sentence_is_read_once_with_its_terms() -> None:
    """The judge's first look, its features and the extractive answerer read a sentence's terms
    from its `Candidate`: the terms its own analysis gives, each sentence once across passages."""
    first = "L'offensive a commencé le 15 novembre 2016. Jusqu'au 12 décembre, 415 civils sont morts à Alep-Est."
    passages = [passage(1, first), passage(2, "Les combats ont repris à l'aube ce lundi. " + first)]
    found = candidates(passages)
    assert [(c.passage_number, c.text) for c in found] == [
        (1, "L'offensive a commencé le 15 novembre 2016."),
        (1, "Jusqu'au 12 décembre, 415 civils sont morts à Alep-Est."),
        (2, "Les combats ont repris à l'aube ce lundi."),
    ]
    assert all(c.terms == content_terms(c.text) for c in found)
    assert found[0].terms == {"offens", "commenc", "15", "novembr", "2016"}
    assert candidate_texts(passages) == [c.text for c in found]  # the same sentences, without their analysis


def test_texts_checked_together_get_each_its_own_terms() -> None:
    """The citation check reads its sentences and passages in one call: each distinct text once."""
    texts = ["Soixante pompiers sont intervenus.", "Les pompiers ont éteint l'incendie.", "Soixante pompiers sont intervenus."]
    held = content_terms_of(texts)
    assert list(held) == texts[:2]
    assert all(held[text] == content_terms(text) for text in texts)
