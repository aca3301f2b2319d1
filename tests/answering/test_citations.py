from __future__ import annotations

from dataclasses import replace

from answering.citations import verify
from answering.followups import carry_over, continues_subject, needs_rewrite, speaks_of_own_terms
from answering.language import detect_language
from answering.protocol import Turn
from answering.sentences import parse_marked
from retrieval.models import Passage


def passage(n: int, text: str) -> Passage:
    return Passage(chunk_id=n, article_id=f"a{n}.txt", title=f"Titre {n}", date="2016-12",
                   start=0, end=len(text), text=text, score=1.0 / n)


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


def test_follow_up_detection_and_offline_rewrite() -> None:
    history = [Turn("Combien de civils ont fui Alep ?", "130 000 [1]")]
    assert needs_rewrite("Et à Alep-Ouest ?", history)
    assert not needs_rewrite("Et à Alep-Ouest ?", [])
    assert not needs_rewrite("Qui dirige l'Observatoire syrien des droits de l'Homme ?", history)
    assert not needs_rewrite("🤔🤔🤔", history) and not needs_rewrite("?", history)  # nothing to lean on
    rewritten = carry_over("Et à Alep-Ouest ?", history)
    assert rewritten.startswith("Et à Alep-Ouest ?") and "civils" in rewritten and "fui" in rewritten


def test_a_follow_up_must_find_its_own_terms_in_the_passages() -> None:
    aleppo = [passage(1, "Selon l'OSDH, 415 civils à Alep-Est et 130 à Alep-Ouest.")]
    assert speaks_of_own_terms("Et à Alep-Ouest ?", aleppo, "fr")
    assert not speaks_of_own_terms("Quelle est la capitale du Japon ?", aleppo, "fr")
    assert speaks_of_own_terms("Et pourquoi ?", aleppo, "fr")  # nothing of its own to look for
    assert speaks_of_own_terms("And in West Aleppo?", aleppo, "en")  # no shared words across languages


def test_a_follow_up_in_other_words_continues_when_close_in_meaning_to_the_same_article() -> None:
    rewritten = [passage(1, "L'opération aurait coûté la vie à plus de 415 civils.")]
    close = [replace(passage(1, "…"), dense_score=0.84)]
    assert continues_subject(rewritten, close, floor=0.80)
    assert not continues_subject(rewritten, [replace(close[0], dense_score=0.76)], floor=0.80)
    elsewhere = [replace(passage(2, "…"), dense_score=0.90)]  # close, but to another article
    assert not continues_subject(rewritten, elsewhere, floor=0.80)
    assert not continues_subject(rewritten, [passage(1, "…")], floor=0.80)  # BM25 only: no meaning to compare
