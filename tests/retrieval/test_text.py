"""The French analyser: many texts analysed in one call are analysed exactly as one at a time."""

from __future__ import annotations

from retrieval.text import analyze, analyze_each

TEXTS = [
    "Jusqu'au 12 décembre, l’offensive a fait 415 morts à Alep-Est.",
    "",  # no word at all
    "les de la",  # stop words only
    "ﬁnancement ½ Économie",  # NFKC changes the words (the ligature, the fraction)
    "Le porte-parole, Stepjane Dujarric, l'a confirmé aujourd'hui.",
]


def test_analysing_texts_together_gives_each_texts_own_terms() -> None:
    assert analyze_each(TEXTS) == [analyze(text) for text in TEXTS]
    assert analyze_each([]) == []
    # The words of a sentence, one by one (the lead reads them so): each its own terms.
    words = TEXTS[0].replace(",", " ").split()
    assert analyze_each(words) == [analyze(word) for word in words]
    assert analyze("Jusqu'au 12 décembre") == ["12", "decembr"]
