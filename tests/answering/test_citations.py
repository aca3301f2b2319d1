from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pytest

from answering.citations import apply, verify, verify_sentences
from answering.extractive import from_scored, quoted
from answering.protocol import SentenceScore
from answering.query import detect_language, plain_query
from answering.sentences import (
    MarkedSentence,
    candidates,
    content_terms,
    content_terms_of,
    parse_marked,
    render_marked,
)
from tests.answering.passages import passage
from tests.conftest import SEEDS

PASSAGES = [
    passage(1, "Depuis le début de l’offensive, 130 000 civils ont fui Alep."),
    passage(2, "Les forces pro-Assad contrôlaient 90% des quartiers Est d’Alep."),
    passage(3, "Ban Ki-moon a dénoncé des atrocités contre des civils."),
]


def test_marker_to_a_passage_not_shown_is_removed_and_citations_renumbered() -> None:
    result = verify("Ban Ki-moon a dénoncé des atrocités [3][7]. 130 000 civils ont fui Alep [1].", PASSAGES)
    assert result.removed_markers == 1
    assert [(s.text, s.cites) for s in result.sentences] == [
        ("Ban Ki-moon a dénoncé des atrocités.", (1,)), ("130 000 civils ont fui Alep.", (2,)),
    ]
    assert [(c.n, c.passage.chunk_id) for c in result.citations] == [(1, 3), (2, 1)]


def test_unsupported_sentence_is_dropped() -> None:
    result = verify("130 000 civils ont fui Alep [1]. 250 000 soldats russes sont arrivés à Tokyo [2].", PASSAGES)
    assert [s.text for s in result.sentences] == ["130 000 civils ont fui Alep."]
    assert result.dropped_sentences == 1
    assert [c.passage.chunk_id for c in result.citations] == [1]


def test_a_wrong_number_is_not_supported_even_with_the_right_words() -> None:
    result = verify("Depuis le début de l’offensive, 150 000 civils ont fui Alep [1].", PASSAGES)
    assert result.sentences == []


def test_uncited_sentence_is_dropped() -> None:
    result = verify("Voici ce que je pense. 130 000 civils ont fui Alep [1].", PASSAGES)
    assert [s.text for s in result.sentences] == ["130 000 civils ont fui Alep."]


def test_marker_forms() -> None:
    parsed = parse_marked("Un fait [1, 2]. Un autre [3][1] Et la fin [2]")
    assert [p.cites for p in parsed] == [(1, 2), (3, 1), (2,)]


def test_a_marker_inside_a_sentence_cites_the_whole_sentence() -> None:
    shown = [PASSAGES[0], passage(2, "Selon l’OSDH, l’opération aurait coûté la vie à plus de 415 civils à Alep-Est.")]
    result = verify("Selon l'OSDH [2], 415 civils ont perdu la vie à Alep-Est. Selon [1], 130 000 civils ont fui Alep.", shown)
    assert [(s.text, s.cites) for s in result.sentences] == [
        ("Selon l'OSDH, 415 civils ont perdu la vie à Alep-Est.", (1,)), ("Selon, 130 000 civils ont fui Alep.", (2,)),
    ]
    assert parse_marked("Ban Ki-moon [1] a dénoncé des atrocités.")[0].text == "Ban Ki-moon a dénoncé des atrocités."


def test_language_detection() -> None:
    assert detect_language("Combien de civils ont fui Alep ?") == "fr"
    assert detect_language("How many civilians fled Aleppo?") == "en"
    assert detect_language("ok") == "fr"  # too short to tell: French


# Quoted sentences whose text, written with markers and read back, would not be the same:
# "RER E. Le maire" reads as one sentence (an initial's full stop before a capital).
RER = "Le projet inclut le prolongement du tunnel afin de rendre aisée la correspondance avec le RER E."
MAYOR = "Le maire de Paris s'est prononcé contre le projet de liaison de 2008."


def test_the_extractive_answerers_sentences_are_verified_as_it_quoted_them() -> None:
    passages = [passage(1, RER), passage(2, MAYOR)]
    chosen = [SentenceScore(1, RER, 0.9, {}), SentenceScore(2, MAYOR, 0.8, {})]
    raw = from_scored(plain_query("Que dit le maire de Paris du projet ?", "fr"), chosen)
    assert raw.text == ""  # the body is written once, by the check, from the sentences it verified
    answer = apply(raw, plain_query(raw.question, "fr"), passages, None)
    assert answer.marked == (MarkedSentence(RER, (1,)), MarkedSentence(MAYOR, (2,)))
    assert answer.text == f"{RER} [1] {MAYOR} [2]"
    assert answer.verified and [c.passage.chunk_id for c in answer.citations] == [1, 2]


@pytest.mark.parametrize("text", [
    "Syndrome d'apnées du sommeil",  # a heading: gets its full stop
    "Les facteurs liés aux risques (prédation, rivaux, etc.)",
    "« La bataille d’Alep touche à sa fin », a affirmé à l’AFP Rami Abdel Rahmane.",
    "Il a lancé aux journalistes : « Partons ! »",
    "Depuis le début de l’offensive, 130 000 civils ont fui Alep.",
])
def test_a_quoted_sentence_is_verified_as_its_written_text_reads_back(text: str) -> None:
    """The answer shown is the one the parsed-back body gave: the sentence handed to the check
    is the one its `[n]`-marked text reads as."""
    marked = list(quoted([SentenceScore(1, text, 0.9, {})]))
    assert parse_marked(render_marked(marked)) == marked


def test_an_articles_footnote_numbers_are_not_quoted_as_citations() -> None:
    """A wiki's footnotes ("en 1960[3]") would read as a citation of passage 3 in the answer."""
    text = "Il est élu meilleur joueur européen en 1960[3], puis entraîne l'Inter[4][5]."
    raw = from_scored(plain_query("Quand a-t-il été élu ?", "fr"), [SentenceScore(1, text, 0.9, {})])
    answer = apply(raw, plain_query(raw.question, "fr"), [passage(1, text)], None)
    assert answer.text == "Il est élu meilleur joueur européen en 1960, puis entraîne l'Inter. [1]"
    assert answer.verified and [c.passage.chunk_id for c in answer.citations] == [1]


def test_a_quoted_candidate_is_checked_with_the_terms_it_was_read_with(monkeypatch: pytest.MonkeyPatch) -> None:
    """The judge's candidates were analysed once; the check analyses only the passages (and a
    sentence whose quote lost a footnote marker, whose words may differ), with the same verdict."""
    footnoted = "Il est élu meilleur joueur européen en 1960[3]."
    passages = [*PASSAGES, passage(4, footnoted)]
    found = candidates(passages)
    chosen = [SentenceScore(c.passage_number, c.text, 0.9, {}, terms=c.terms) for c in found]
    analysed: list[str] = []

    def spied(texts: Iterable[str]) -> dict[str, set[str]]:
        texts = list(texts)
        analysed.extend(texts)
        return content_terms_of(texts)

    monkeypatch.setattr("answering.citations.content_terms_of", spied)
    carried = verify_sentences(quoted(chosen), passages)
    assert analysed == ["Il est élu meilleur joueur européen en 1960.", *(p.text for p in passages)]
    analysed.clear()
    read_again = verify_sentences(quoted([replace(s, terms=None) for s in chosen]), passages)
    assert len(analysed) == 2 * len(passages)
    assert carried == read_again and len(carried.sentences) == len(passages)


def test_a_candidates_terms_are_its_quotes_terms() -> None:
    """What lets the check take a candidate's terms for its quote's: the full stop a quote may
    gain is no word, over every sentence of the seed article."""
    text = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    found = candidates([passage(1, text)])
    assert len(found) > 10
    for marked, candidate in zip(quoted([SentenceScore(1, c.text, 0.5, {}, terms=c.terms) for c in found]), found,
                                 strict=True):
        assert marked.terms == candidate.terms == frozenset(content_terms(marked.text))
