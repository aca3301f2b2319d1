"""Citation verification, after any answerer.

1. A `[n]` that does not point at a passage shown to the user is removed.
2. A cited sentence must be supported by one of its passages: every number in it appears in
   the passage, and most of its key terms do; a sentence in another language than the articles
   (an English answer over French passages) shares no words with them, so for it alone the
   embedding must be close enough to the passage's instead. Unsupported citations
   are removed; a sentence left with none is dropped.
3. Sentences without any citation are dropped: every claim is cited.
4. Citations are renumbered 1..k in order of first use; only cited passages are returned.
Nothing left means the answer declines.

An answer still being streamed is checked the same way, sentence by sentence as each one is
complete (`complete_sentences`, `verify_sentences`): what a reader sees of it while the model
writes has passed this check (answering.service.CheckedPreview).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import numpy as np

from answering.protocol import Answer, Citation
from answering.query import Query, detect_language
from answering.refusal import ARTICLES_LANGUAGE
from answering.sentences import (
    MarkedSentence,
    content_terms_of,
    numbers_in,
    parse_marked,
    render_marked,
)
from retrieval.encoders.embedding import Embedder
from retrieval.models import Passage

MIN_TERM_OVERLAP = 0.5
# multilingual-e5 similarities sit high (unrelated text ~0.7); a sentence restating its passage
# in another language scores above 0.8.
MIN_SEMANTIC_SUPPORT = 0.8


def crosses_languages(sentence: str) -> bool:
    """Whether a sentence is in another language than the articles, so that shared words cannot
    be asked of it. Only then may closeness in meaning stand in for them: between two French
    texts it cannot tell support from invention (on the seed, invented sentences score 0.81-0.83
    against their passage, faithful paraphrases 0.82-0.89, and a contradiction as high as either)."""
    return detect_language(sentence, default=ARTICLES_LANGUAGE) != ARTICLES_LANGUAGE


@dataclass(frozen=True, slots=True)
class Verification:
    sentences: list[MarkedSentence]
    citations: list[Citation]
    removed_markers: int
    dropped_sentences: int


def lexically_supported(sentence: str, passage: str, terms: Mapping[str, AbstractSet[str]]) -> bool:
    """Every number of `sentence` is in `passage`, and most of its key terms (`terms`: both
    texts' content terms, read once for the whole check)."""
    if not numbers_in(sentence) <= numbers_in(passage):
        return False
    held = terms[sentence]
    if not held:
        return True
    return len(held & terms[passage]) / len(held) >= MIN_TERM_OVERLAP


def verify(
    answer_text: str, passages: Sequence[Passage], embedder: Embedder | None = None, language: str = ARTICLES_LANGUAGE
) -> Verification:
    """`language`: the question's. Only an answer to a question in another language than the
    articles can hold sentences that cross languages."""
    return verify_sentences(parse_marked(answer_text), passages, embedder, language)


def verify_sentences(
    sentences: Sequence[MarkedSentence], passages: Sequence[Passage], embedder: Embedder | None = None,
    language: str = ARTICLES_LANGUAGE,
) -> Verification:
    """`verify` on an answer already split into its sentences. Each sentence is judged on its
    own, so the sentences kept of a beginning are those kept of the whole, numbered alike."""
    removed = 0
    candidates: list[MarkedSentence] = []
    for sentence in sentences:
        valid = tuple(dict.fromkeys(n for n in sentence.cites if 1 <= n <= len(passages)))
        removed += len(sentence.cites) - len(valid)
        candidates.append(MarkedSentence(sentence.text, valid, sentence.terms))

    pending: list[tuple[int, int]] = []  # (sentence index, passage number) needing the embedder
    support: dict[tuple[int, int], bool] = {}
    # Each cited passage, and each cited sentence not read before (a quoted candidate was),
    # analysed once, together.
    cited = [s for s in candidates if s.cites]
    terms = content_terms_of(
        [*(s.text for s in cited if s.terms is None), *(passages[n - 1].text for s in cited for n in s.cites)]
    )
    terms.update((s.text, set(s.terms)) for s in cited if s.terms is not None)
    for i, sentence in enumerate(candidates):
        foreign: bool | None = None  # detected once per sentence, and only when words fall short
        for n in sentence.cites:
            ok = lexically_supported(sentence.text, passages[n - 1].text, terms)
            support[(i, n)] = ok
            if ok or not numbers_in(sentence.text) <= numbers_in(passages[n - 1].text):
                continue
            if foreign is None:
                foreign = language != ARTICLES_LANGUAGE and crosses_languages(sentence.text)
            if foreign:
                pending.append((i, n))
    if pending and embedder is not None:
        texts = list(dict.fromkeys(candidates[i].text for i, _ in pending))
        vectors = dict(zip(texts, embedder.embed_passages(texts), strict=True))
        needed = sorted({n for _, n in pending})
        passage_vectors = dict(zip(needed, embedder.embed_passages([passages[n - 1].text for n in needed]), strict=True))
        for i, n in pending:
            similarity = float(np.dot(vectors[candidates[i].text], passage_vectors[n]))
            support[(i, n)] = similarity >= MIN_SEMANTIC_SUPPORT

    kept: list[MarkedSentence] = []
    dropped = 0
    for i, sentence in enumerate(candidates):
        cites = tuple(n for n in sentence.cites if support.get((i, n)))
        removed += len(sentence.cites) - len(cites)
        if cites:
            kept.append(MarkedSentence(sentence.text, cites, sentence.terms))
        else:
            dropped += 1

    numbering: dict[int, int] = {}
    for sentence in kept:
        for n in sentence.cites:
            numbering.setdefault(n, len(numbering) + 1)
    renumbered = [MarkedSentence(s.text, tuple(numbering[n] for n in s.cites), s.terms) for s in kept]
    citations = [Citation(new, passages[old - 1]) for old, new in numbering.items()]
    return Verification(renumbered, citations, removed, dropped)


def complete_sentences(partial: str) -> list[MarkedSentence]:
    """The sentences of an answer still being written that cannot change any more: all but the
    last, which may still grow or get its markers ("… fui Alep." then " [1]")."""
    return parse_marked(partial)[:-1]


def apply(answer: Answer, query: Query, passages: Sequence[Passage], embedder: Embedder | None) -> Answer:
    """The answer to `query` with only verified sentences and citations; declined when none
    is left."""
    if not answer.answered:
        return replace(answer, citations=[])
    # The extractive answerer's sentences are verified as it quoted them, and the body is written
    # from them here, once; only a body that arrives as text (a language model's) is split into
    # sentences first.
    if answer.marked is not None:
        result = verify_sentences(answer.marked, passages, embedder, query.language)
    else:
        result = verify(answer.text, passages, embedder, query.language)
    if not result.sentences:
        return replace(answer, text="", citations=[], answered=False, verified=False, marked=())
    return replace(
        answer,
        text=render_marked(result.sentences),
        marked=tuple(result.sentences),
        citations=result.citations,
        verified=result.dropped_sentences == 0 and result.removed_markers == 0,
    )
