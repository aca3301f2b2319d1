"""Sentence splitting keeps a quotation of several sentences whole."""

from __future__ import annotations

from answering.sentences import split_sentences

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
