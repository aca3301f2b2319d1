"""What a sentence offers a question: the first look's lexical score and the judge's features.

The first look (the question's key terms a sentence shares, weighted by rarity; figures when the
question asks for one and the numbers it names; passage rank) is cheap and runs on every
candidate sentence; it serves the logistic judge's shortlist and the plain extractive answerer.
The other features are read on the shortlist only (spaCy's facts and lemmas, the embedder's
closeness in meaning); `sentence_features` is the one function that turns them into the judge's
inputs, for fitting (evaluation.judge_data) and answering alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from answering.facts import Fact, SentenceFacts
from answering.query import Query
from answering.sentences import Candidate, numbers_in

_DIGIT = re.compile(r"\d")
CARRIED_TERM_WEIGHT = 0.5
FIGURE_BONUS = 0.2  # a figure when the question asks for one; a number the question names
PASSAGE_PRIOR = 0.15  # the first look's nudge towards the better-ranked passages
FOCUS_PENALTY = 1.0  # a sentence without what a follow-up adds, when another has it

# The model's inputs, in order (evaluation.fit_judge fits one weight each).
FEATURES = (
    "lexical",  # IDF-weighted share of the question's stems in the sentence (first look)
    "lemma_coverage",  # share of the question's lemmas in the sentence's ("lancée" = "lancer")
    "expects_fact",  # the question asks for a person, place, date, number...
    "holds_kind",  # ...and the sentence holds one the question does not name
    "misses_kind",  # ...and the sentence holds none
    "focus",  # the sentence holds the question's focus word ("population", "porte-parole")
    "semantic",  # cosine similarity of sentence and question (the embedder)
    "semantic_gap",  # that similarity less the best of the shortlist's
    "passage_rank",  # 1 / the passage's rank
    "passage_dense",  # the passage's dense similarity to the question
    "best_dense",  # the best passage's (how close retrieval came at all)
    "idf_match",  # the share of the question's rare vocabulary the best passage holds
    "first_look_rank",  # 1 / the sentence's rank in the first look
    "kind_and_focus",  # holds the kind asked for and the focus word ("porte-parole, Stepjane Dujarric")
    "has_focus",  # the question names what it asks about
)


def lexical_scores(query: Query, sentences: Sequence[str], sentence_terms: Sequence[AbstractSet[str]]) -> list[float]:
    """Share of the question's key terms in each sentence (`sentence_terms`: their analysed
    terms), rarer terms weighing more (terms carried over from the conversation count half),
    with a bonus for figures when the question asks for one and for the numbers it names."""
    own = query.terms
    wanted = own | query.carried_terms
    n = len(sentences)
    weight = {
        t: math.log(1 + n / (1 + sum(t in s for s in sentence_terms))) * (1.0 if t in own else CARRIED_TERM_WEIGHT)
        for t in wanted
    }
    total = sum(weight.values()) or 1.0
    scores = []
    for sentence, terms in zip(sentences, sentence_terms, strict=True):
        score = sum(weight[t] for t in wanted & terms) / total
        if query.asks_figure and _DIGIT.search(sentence):
            score += FIGURE_BONUS
        if query.numbers and query.numbers & numbers_in(sentence):
            score += FIGURE_BONUS
        scores.append(score)
    return scores


def held_back_without_added_terms(
    query: Query, lexical: list[float], sentence_terms: Sequence[AbstractSet[str]]
) -> list[float]:
    """`lexical` less FOCUS_PENALTY for the sentences without what a follow-up adds to the
    earlier question ("ouest" in "Et à Alep-Ouest ?") when some sentence has it."""
    added = query.added_terms
    holding = [bool(added & terms) for terms in sentence_terms]
    if not any(holding):
        return lexical
    return [score if hit else score - FOCUS_PENALTY for score, hit in zip(lexical, holding, strict=True)]


def first_look(lexical: Sequence[float], passage_numbers: Sequence[int]) -> list[int]:
    """The candidates' indices, best first: lexical score with a nudge for the passage's rank."""
    return sorted(range(len(lexical)), key=lambda i: -(lexical[i] + PASSAGE_PRIOR / passage_numbers[i]))


def shortlist(query: Query, found: Sequence[Candidate], size: int) -> tuple[list[int], list[float]]:
    """The first look a sentence scorer takes at the passages' sentences: the indices of the
    `size` best in `found`, best first, and every sentence's lexical score (a follow-up's
    sentences without what it adds held back)."""
    texts = [c.text for c in found]
    terms = [c.terms for c in found]
    lexical = held_back_without_added_terms(query, lexical_scores(query, texts, terms), terms)
    return first_look(lexical, [c.passage_number for c in found])[:size], lexical


def sentence_features(
    query: Query,
    candidate: Candidate,
    facts: SentenceFacts,
    expected: Sequence[Fact],
    question_lemmas: frozenset[str],
    *,
    lexical: float,
    semantic: float,
    best_semantic: float,
    passage_dense: float,
    best_dense: float,
    idf_match: float,
    first_look_rank: int,
) -> dict[str, float]:
    """The judge's inputs for one sentence, `candidate` (its terms as `candidates` read them),
    the same function serving fitting and answering. `facts`: spaCy's reading of it,
    `expected`: the facts of the kind asked for it holds (answering.facts.holds)."""
    expects_fact = query.expects_fact
    has_focus = bool(query.kind.focus_terms & candidate.terms)
    lemma_coverage = len(question_lemmas & facts.lemmas) / len(question_lemmas) if question_lemmas else 0.0
    return {
        "lexical": lexical,
        "lemma_coverage": lemma_coverage,
        "expects_fact": float(expects_fact),
        "holds_kind": float(expects_fact and bool(expected)),
        "misses_kind": float(expects_fact and not expected),
        "focus": float(has_focus),
        "semantic": semantic,
        "semantic_gap": semantic - best_semantic,
        "passage_rank": 1.0 / candidate.passage_number,
        "passage_dense": passage_dense,
        "best_dense": best_dense,
        "idf_match": idf_match,
        "first_look_rank": 1.0 / first_look_rank,
        "kind_and_focus": float(expects_fact and bool(expected) and has_focus),
        "has_focus": float(bool(query.kind.focus)),
    }
