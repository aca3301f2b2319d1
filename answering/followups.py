"""Follow-up questions: turn one that leans on the conversation into a standalone `Query`.

Only when it needs it (a fragment: it opens with a connective, a pronoun of it stands for what
was said before, or it has no verb and almost no key terms; a complete question stands alone),
and only on answered turns: a question the articles could not answer gives nothing to lean on (its
terms are never carried over).
A `Condenser` writes the standalone form: offline by carrying over the previous question's key
words (`CarryOver`), or through the LLM's condense prompt (`llm.LlmCondenser`). The user's own
wording is what the answer shows. When the passages a carried-over question finds hold none of
the question's own terms and the question alone is not close in meaning to their articles, it
is taken as a new question (`speaks_of_own_terms`, `continues_subject`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

from answering.protocol import FallbackCause, Turn
from answering.query import Query
from answering.refusal import ARTICLES_LANGUAGE
from retrieval.models import Passage, SearchQuery
from retrieval.text import analyze, search_query

_CONNECTIVE = re.compile(r"^\s*(et|mais|puis|alors|aussi|ensuite|and|but|also|what about|how about|same)\b", re.I)
# Pronouns that stand for something said before, wherever they sit ("Qui lui a succédé ?").
_REFERS_BACK = re.compile(
    r"\b(celui|celle|celles|ceux|cela|ça|eux|lui|he|she|they|it|him|them|those|this|that|his|her|its|their)\b", re.I
)
# A French subject pronoun: the subject of its question only when nothing before its verb names
# one ("Quand a-t-elle commencé ?"); after a subject of its own it merely repeats it, as the
# inverted question does ("Quand l'offensive a-t-elle commencé ?", "a t il" typed unhyphenated).
_SUBJECT_PRONOUN = re.compile(r"\b(il|elle|ils|elles)\b", re.I)
# "il" of no one: "Combien y a-t-il d'habitants ?", "Il faut combien de temps ?", "Que s'est-il
# passé à Tours ?" (what happened, asked of the articles: a news question, not a follow-up).
_IMPERSONAL = re.compile(
    r"\by\s+a[\s-]+t[\s-]+il\b|\bil\s+(?:y|faut|s[’']agit|se\s+passe)\b|\b(?:faut|agit)[\s-]+il\b"
    r"|\bs[’'](?:est|était)[\s-]+il\s+pass|\bse\s+passe[\s-]+t[\s-]+il\b",
    re.I,
)
# Words of a sequence that continue the story told before ("Que s'est-il passé ensuite ?").
_CONTINUES = re.compile(r"\b(?:ensuite|après\s+(?:cela|ça)|then|afterwards)\b", re.I)
_BEFORE_PRONOUN = re.compile(r"[\w’']+(?:-t-|\s+t\s+|[\s-])*$")  # the verb (and "-t-") before it
# Whether a question has a verb of its own, read on closed classes: an inverted verb ("a-t-il",
# "est-ce"), the verb after "qui"/"que" ("Qui dirige…"), a reflexive or negated one ("se
# trouve", "n'a"), the commonest French forms, the English auxiliaries and a few English verbs.
# A question without one ("Combien de morts ?", "How many dead?") is a fragment of the
# conversation.
_HAS_VERB = re.compile(
    r"\w-(?:t-)?(?:il|elle|ils|elles|on|ce|je|tu|nous|vous)\b|\s+t\s+(?:il|elle|ils|elles|on)\b"
    r"|\b(?:qui|que|qu[’'])\s*(?!(?:le|la|les|l[’']|un|une|des|de|du|d[’'])\b)[^\W\d_]{2,}"
    r"|\b(?:se|s[’']|ne|n[’'])\s*[^\W\d_]{2,}"
    r"|\b(?:est|sont|était|étaient|sera|seront|serait|fut|furent|a|ont|avait|avaient|aura|auront|aurait|eu|été"
    r"|fait|font|faisait|peut|peuvent|pouvait|doit|doivent|va|vont|allait|faut|fallait|veut|veulent|dit|disent"
    r"|compte|comptent|signifie|s[’']appelle|appelle|vit|vivent|habite|habitent|mesure|coûte|dure|dirige|possède"
    r"|is|are|was|were|be|been|did|does|do|has|have|had|will|would|can|could|should|may|might|must"
    # and the commonest English verbs of news questions asked without an auxiliary ("What happened
    # in Aleppo?", "Who won the election?"), in forms that are no nouns
    r"|happened|happens|happening|said|says|won|began|started|ended|announced|decided|resigned|elected|launched)\b"
    r"|\b(?:who|what)\s+[a-z]+ed\b",  # "Who killed David?", "What submerged the crater?"
    re.I,
)
_WORD = re.compile(r"[\w’'-]+")
# Words that name the kind of answer asked for ("Et en quelle année ?"), not what it is about:
# never among what a follow-up adds (any sentence saying "plusieurs années" would hold it).
_KIND_TERMS = frozenset(analyze(
    "année années an ans date jour mois heure siècle nombre chiffre montant pourcentage âge lieu endroit "
    "year years date day month hour century number amount percentage age place"
))
# "What happened?": the event asked about, when the question names nothing else, is the one
# talked about (a follow-up); "Que s'est-il passé à Tours ?" names where.
_EVENT_TERMS = frozenset(analyze("passé passer passe happened happen happens happening"))
_HAS_WORD = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A follow-up's standalone form. `carried`: the earlier question's words it borrowed
    (offline rewriting; empty when an LLM wrote it). `degraded`: why the LLM failed when the
    words were carried over instead (so the answer does not wait on it a second time)."""

    standalone: str
    carried: tuple[str, ...] = ()
    degraded: FallbackCause | None = None


class Condenser(Protocol):
    """Writes the standalone form of a follow-up question."""

    async def rewrite(self, question: Query, history: Sequence[Turn]) -> Rewrite: ...


class CarryOver:
    """Offline: the question plus the previous question's key words it lacks."""

    async def rewrite(self, question: Query, history: Sequence[Turn]) -> Rewrite:
        carried = tuple(carried_words(question, history))
        if not carried:
            return Rewrite(question.text)
        return Rewrite(f"{question.text.strip()} ({' '.join(carried)})", carried)


def answered(history: Sequence[Turn]) -> list[Turn]:
    """The turns a follow-up may lean on: a declined question gives nothing to lean on."""
    return [turn for turn in history if turn.answered]


def leans_on(question: Query, history: Sequence[Turn]) -> bool:
    """Whether the question leans on the conversation's answered turns."""
    if not answered(history) or not _HAS_WORD.search(question.text):
        return False  # "?" or "🤔🤔🤔" leans on nothing
    return _leans(question.text, question.terms)


def _leans(text: str, terms: AbstractSet[str]) -> bool:
    """A fragment of the conversation: it opens with a connective ("Et à Alep-Ouest ?"), one of
    its pronouns stands for what was said before ("Pourquoi a-t-il démissionné ?"), it goes on
    with the story ("Que s'est-il passé ensuite ?"), it has no verb and few key terms ("Combien
    de morts ?"), or it names nothing but what it asks for ("Que s'est-il passé ?"). A complete
    question ("Quand l'offensive a-t-elle commencé ?", "Quelle est la population d'Alep ?")
    stands alone: carrying the earlier question's words over would find the earlier answer
    again."""
    return bool(
        _CONNECTIVE.search(text)
        or _REFERS_BACK.search(text)
        or any(not _has_own_subject(text[: pronoun.start()]) for pronoun in _subject_pronouns(text))
        or _CONTINUES.search(text)
        or (len(terms) <= 2 and not _HAS_VERB.search(text))
        or not terms - _KIND_TERMS - _EVENT_TERMS
    )


def _subject_pronouns(text: str) -> list[re.Match[str]]:
    impersonal = [m.span() for m in _IMPERSONAL.finditer(text)]
    return [p for p in _SUBJECT_PRONOUN.finditer(text) if not any(a <= p.start() < b for a, b in impersonal)]


def _has_own_subject(before_pronoun: str) -> bool:
    """Whether the words before a subject pronoun's verb name something ("Quand l'offensive"
    before "a-t-elle"), not only what the question asks for ("Quel âge" before "a-t-il")."""
    return bool(set(analyze(_BEFORE_PRONOUN.sub("", before_pronoun))) - _KIND_TERMS)


def as_followup(
    question: Query, rewrite: Rewrite, history: Sequence[Turn], read: Callable[[str], SearchQuery] = search_query
) -> Query:
    """The follow-up's `Query`: retrieval searches with the standalone form (read here by
    `read`: the question's one more analysis, its dates included); the carried words and what
    the question adds to the earlier one ("ouest" in "Et à Alep-Ouest ?") weigh in when
    sentences are scored."""
    if rewrite.standalone == question.text:
        return question
    earlier = frozenset(analyze(answered(history)[-1].question))
    return Query(
        own=question.own, language=question.language, search=read(rewrite.standalone),
        kind=question.kind, numbers=question.numbers,
        followup=True, carried_terms=frozenset(analyze(" ".join(rewrite.carried))),
        added_terms=question.terms - earlier - _KIND_TERMS, intent=question.intent,
        from_the_start=question.from_the_start,
    )


def speaks_of_own_terms(question: Query, passages: Sequence[Passage]) -> bool:
    """Whether the passages found for a rewritten follow-up hold any key term of the question
    itself. "Et à Alep-Ouest ?" does; "Quelle est la capitale du Japon ?" asked after a question
    on Aleppo does not: the carried-over terms found Aleppo, and the question is a new one.
    A question with no key terms of its own ("Et pourquoi ?"), or in another language than the
    articles (no shared words to find), is given the benefit of the doubt."""
    own = question.terms
    if not own or question.language != ARTICLES_LANGUAGE:
        return True
    return any(own & passage.terms for passage in passages)


def continues_subject(rewritten: Sequence[Passage], alone: Sequence[Passage], floor: float) -> bool:
    """For a follow-up whose own terms the passages lack ("Combien de morts ?" when the article
    says "coûté la vie"): whether the question by itself still comes close in meaning (`floor`:
    the bar for meaning without shared words) to an article the rewritten question found."""
    scored = [(p.dense_score, p.article_id) for p in alone if p.dense_score is not None]
    if not scored:
        return False
    score, article = max(scored)
    return score >= floor and article in {p.article_id for p in rewritten}


def carried_words(question: Query, history: Sequence[Turn]) -> list[str]:
    """The conversation's key words that the question lacks: the previous answered question's,
    and while that one was itself a follow-up ("Et combien de morts ?"), the words of the ones
    before it, back to the question that set the subject ("Combien de civils ont fui Alep ?")."""
    own = question.terms
    carried: list[str] = []
    for turn in reversed(answered(history)):
        words = _WORD.findall(turn.question)
        stems = [analyze(word) for word in words]
        for word, word_stems in zip(words, stems, strict=True):
            if word_stems and not set(word_stems) <= own and word not in carried:
                carried.append(word)
        if not _leans(turn.question, {s for word_stems in stems for s in word_stems}):
            break
    return carried


