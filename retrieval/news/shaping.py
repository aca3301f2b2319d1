"""What news adds after fusion, the same for every index backend: a question's period or "the
latest" reorders the candidates (retrieval.news.temporal), and one copy of each story (a group of
near-duplicate articles, retrieval.news.duplicates) is kept, with where else it was published.

Each backend answers a few questions about its candidates through its view of the index
(retrieval.search.IndexView: the local generation from SQLite, Qdrant from payloads and
filters); the decisions are made here once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.dates import QuestionDates
from retrieval.models import Copy, Headline, SearchQuery
from retrieval.news import temporal
from retrieval.news.aliases import other_names
from retrieval.news.temporal import DateOutcome
from retrieval.text import analyze, fold

if TYPE_CHECKING:  # the search pipeline (retrieval.search) runs these steps over its view
    from retrieval.search import Fused, IndexView, SearchIndex


# How a question asks for news or a timeline ("que s'est-il passé", "dernières nouvelles", "le
# dernier article sur … parle de quoi", "chronologie", "what happened", "how did … unfold")
# analysed: these words say what is asked, not what about, so no article need hold them.
NEWS_WORDS = frozenset(analyze(
    "passé passe arrivé changé nouvelles nouvelle neuf dernier dernière derniers dernières article articles "
    "parle parlent quoi actualité actualités info infos chronologie chronologique étapes déroulé déroulée "
    "déroulés déroulées évolué happened happening new news latest going stand timeline "
    "chronology unfold unfolded steps stages evolve evolved develop developed "
    # ... and in which order ("depuis le début", "dans l'ordre", "from the start"), or where in its
    # period ("à la mi-janvier", "fin mars", "early May": the date finder names the month alone).
    "depuis début ordre start beginning outset order chronological mi fin courant mid early late end"
))
# English function words the French analyser keeps (it drops only the commonest): in an English
# question they say nothing of its subject ("at" in "What happened at SNCF?").
ENGLISH_FUNCTION_WORDS = frozenset(analyze(
    "at on for with by from about into onto over under after before since during has have had been being "
    "there any this that these those it its their his her they them we our you your be will would can could"
))
# A story is about the question's subject when it holds at least this share of the subject's
# weight (each term weighs its IDF: the names and rare words an article on the subject must
# hold count most, "affaire" or "prix" little), a name counting only where it is written.
ABOUT_SHARE = 0.5
# Sums of float weights compared with a share of them: a story holding exactly ABOUT_SHARE of
# the weight (one of two equal terms) must not fall short by a rounding error.
_ROUNDING = 1e-9

_WORDS = re.compile(r"\w+(?:['’]\w+)*")


def subject_terms(query: SearchQuery) -> frozenset[str]:
    """The question's analysed terms without its date words and its news wording: what an
    article must speak of to be about it ("sncf" in "Que s'est-il passé à la SNCF en décembre
    2024 ?"); empty for "Que s'est-il passé hier ?", about its period alone."""
    dates = query.dates
    dated = {t for m in dates.mentions for t in analyze(m.text)} if dates is not None else set()
    return frozenset(query.terms) - dated - NEWS_WORDS - ENGLISH_FUNCTION_WORDS


@dataclass(frozen=True, slots=True)
class Subject:
    """What a story must speak of to be about a question, the one test retrieval (is anything
    in the period about it?) and answering (which stories does a digest or a timeline show?)
    apply:
    - `terms`: subject_terms, a number beside a word ("6" in "Ariane 6") left aside;
    - `names`: the words the question writes with a capital, not as its first word ("Tours",
      "SNCF", "Logivert"), accents folded, each with its analysed term. A name is matched as
      written, not by its stem: "La Tour" or "au premier tour" are not "Tours"; and names are
      what a question and an article in two languages share; an institution the other
      language names differently is also written as it does (retrieval.news.aliases: "ECB" for
      "BCE", with the term of "BCE");
    - `weights`: each term's IDF over the index (1 when unknown);
    - `alias_terms`: the analysed terms of those other names ("ecb"), which an article in the
      other language holds instead of the subject's (the cheap test before its text is read);
    - `unindexed`: the names, the question's or their other forms, the analyser keeps no term
      of ("UN", "WHO": its stop words "un", "who"), which no stored terms hold: an article is
      seen to write one by its text (a question naming one has its other form's term instead:
      "onu" for "What did the UN decide?")."""

    terms: frozenset[str]
    names: Mapping[str, str]
    weights: Mapping[str, float]
    alias_terms: frozenset[str] = frozenset()
    unindexed: frozenset[str] = frozenset()

    @classmethod
    def of(cls, query: SearchQuery, weights: Mapping[str, float] | None = None) -> Subject:
        terms = subject_terms(query)
        words = frozenset(t for t in terms if not t.isdigit())
        terms = words or terms
        # An acronym the analyser keeps no term of ("UN", "WHO") is still what the question
        # asks about: the term of its other language's name ("onu") stands for it.
        dropped = _unanalysed_names(query.text)
        terms = terms | frozenset(dropped.values())
        names = {**dropped, **_names(query.text, terms)}
        aliases = {other: term for written, term in names.items() for other in other_names(written)}
        alias_terms = frozenset(t for other in aliases for t in analyze(other)) - terms
        everywhere = {**aliases, **names}
        unindexed = frozenset(name for name in everywhere if not analyze(name))
        return cls(terms, everywhere, weights or {}, alias_terms, unindexed)

    @property
    def markers(self) -> frozenset[str]:
        """The analysed terms a story about the subject holds at least one of: the subject's
        own, or an alias's (see `alias_terms`)."""
        return self.terms | self.alias_terms

    def marked_by(self, held: AbstractSet[str], text: str) -> bool:
        """Whether a story holding these analysed terms, whose title and text are `text`, holds
        one of the `markers` or writes one of the `unindexed` names."""
        return bool(self.markers & held) or self.writes_unindexed(text)

    def writes_unindexed(self, text: str) -> bool:
        """Whether `text` writes one of the `unindexed` names, as written (case kept)."""
        if not self.unindexed:
            return False
        folded = fold(text)
        return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded) for name in self.unindexed)

    def weight(self, terms: AbstractSet[str]) -> float:
        return sum(self.weights.get(term, 1.0) for term in terms)

    def share(self, held: AbstractSet[str]) -> float:
        """The share of the subject's weight a story holding these analysed terms holds (0..1)."""
        total = self.weight(self.terms)
        return self.weight(self.terms & held) / total if total else 0.0

    def shows_names(self, text: str) -> bool:
        """`text` writes at least ABOUT_SHARE of the names' weight (what two languages share)."""
        names = frozenset(self.names.values())
        return bool(names) and self.weight(self._written(text)) >= ABOUT_SHARE * self.weight(names) - _ROUNDING

    def held_by(self, held: AbstractSet[str], text: str) -> bool:
        """A story holding these analysed terms, whose title and text are `text`, is about the
        subject by its words: at least ABOUT_SHARE of the weight, a name only where written
        (and held where written in another language's form: "ECB" holds "BCE")."""
        written = self._written(text)
        unwritten = frozenset(self.names.values()) - written
        return self.share((frozenset(held) | written) - unwritten) >= ABOUT_SHARE - _ROUNDING

    def wholly_held_by(self, held: AbstractSet[str], text: str) -> bool:
        """Whether these terms and `text` (a story's headline and lede) hold every term of the
        subject, a name where written: what the story says it is about is the subject."""
        written = self._written(text)
        unwritten = frozenset(self.names.values()) - written
        return self.share((frozenset(held) | written) - unwritten) >= 1.0 - _ROUNDING

    def topic_held_by(self, held: AbstractSet[str]) -> bool:
        """Whether these terms hold one of the subject's common words, those not names
        ("sécheresse" in "la sécheresse dans les Pyrénées-Orientales"): what is asked about, the
        names only saying where or who. True when the subject is names alone ("Tours")."""
        common = self.terms - frozenset(self.names.values())
        return not common or bool(common & held)

    def _written(self, text: str) -> frozenset[str]:
        folded = fold(text)
        return frozenset(
            term for written, term in self.names.items() if re.search(rf"(?<!\w){re.escape(written)}(?!\w)", folded)
        )


def _names(text: str, terms: AbstractSet[str]) -> dict[str, str]:
    """The question's names (see Subject) among its subject `terms`: written form -> term. The
    first word is capitalised as any sentence's; an acronym ("SNCF") counts anywhere."""
    names: dict[str, str] = {}
    for position, token in enumerate(_WORDS.findall(text)):
        word = re.split(r"['’]", token)[-1]
        acronym = len(word) >= 2 and word.isupper()
        if not (acronym or (position > 0 and len(word) >= 2 and word[0].isupper())):
            continue
        analysed = analyze(word)
        if len(analysed) == 1 and analysed[0] in terms:
            names[fold(word)] = analysed[0]
    return names


def _unanalysed_names(text: str) -> dict[str, str]:
    """The question's acronyms the analyser keeps no term of whose other language's name it
    does ("UN", "ONU"): written form -> the other name's term ("onu")."""
    found: dict[str, str] = {}
    for token in _WORDS.findall(text):
        word = fold(re.split(r"['’]", token)[-1])
        if len(word) < 2 or not word.isupper() or analyze(word):
            continue
        for other in sorted(other_names(word)):
            if len(analysed := analyze(other)) == 1:
                found[word] = analysed[0]
    return found


def shape(
    fused: list[Fused], k: int, query: SearchQuery, view: IndexView, weights: Mapping[str, float] | None = None
) -> tuple[list[Fused], DateOutcome | None, dict[str, tuple[Copy, ...]]]:
    """The k candidates to show, reordered for the question's dates, one per story; how the
    dates shaped them (None when the question names none); each kept article's other copies.
    `weights`: the IDF of the question's terms (Subject)."""
    outcome = None
    dates = query.dates
    if dates is not None and (dates.period is not None or dates.latest):
        dating = view.dating([f.chunk_id for f in fused], dates.period)
        fused, outcome = temporal.rerank(fused, dating, dates, related(view, Subject.of(query, weights), fused, news=query.news))
    kept, copies = one_copy_per_story(view, fused, k)
    return kept, outcome, copies


def one_copy_per_story(
    view: IndexView, fused: list[Fused], k: int
) -> tuple[list[Fused], dict[str, tuple[Copy, ...]]]:
    """The k best candidates with one article per near-duplicate group (its best-ranked copy),
    and for each such article where else the story was published."""
    groups = view.duplicate_groups()
    if not groups:
        return fused[:k], {}
    articles = view.chunk_articles([f.chunk_id for f in fused])
    chosen_for: dict[str, str] = {}  # group name -> the article kept for it
    kept: list[Fused] = []
    for candidate in fused:
        article = articles.get(candidate.chunk_id)
        if article is None:
            continue
        group = groups.get(article)
        name = group[0] if group else article
        if chosen_for.setdefault(name, article) != article:
            continue  # another copy of a story already kept
        kept.append(candidate)
        if len(kept) == k:
            break
    others = {
        article: [a for a in groups[article] if a != article]
        for article in chosen_for.values()
        if article in groups
    }
    published = view.copies(sorted({a for group in others.values() for a in group}))
    copies = {article: tuple(published[a] for a in group if a in published) for article, group in others.items()}
    return kept, copies


def related(view: IndexView, subject: Subject, fused: Sequence[Fused], *, news: bool) -> Callable[[Fused], bool]:
    """Whether a candidate is about the question's subject: Subject.held_by on its stored terms
    and text, or it shows the question's names; for a fact question, also when it comes as
    close in meaning as the best (temporal.RELATED_DENSE_MARGIN). When no candidate holds any of the subject's terms (a
    question in another language than the articles: "Aleppo" for "Alep"), only the closest in
    meaning are. A question with no subject but its period ("Que s'est-il passé hier ?") is
    about whatever the period holds."""
    if not subject.terms:
        return lambda candidate: True
    ids = [f.chunk_id for f in fused]
    held = view.stored_terms(ids)
    best_dense = max((f.dense_score for f in fused if f.dense_score is not None), default=None)

    def close(candidate: Fused) -> bool:
        return close_in_meaning(candidate.dense_score, best_dense)

    markers = subject.markers
    # A name no stored terms hold ("UN" for "ONU"): every candidate's text is read for it.
    by_text = bool(subject.unindexed)
    if not by_text and not any(markers & held.get(i, set()) for i in ids):
        return close
    texts: dict[int, str] | None = None

    def text_of(chunk_id: int) -> str:
        # The texts of every candidate sharing a subject term, read in one call on the first
        # need (one query, not one per candidate: a round trip each on Qdrant).
        nonlocal texts
        if texts is None:
            sharing = [i for i in ids if by_text or markers & held.get(i, set())]
            texts = {i: f"{row.title}\n{row.text}" for i, row in view.chunks(sharing).items()}
        return texts.get(chunk_id, "")

    def marked(chunk_id: int) -> bool:
        terms = held.get(chunk_id, set())
        return bool(markers & terms) or (by_text and subject.writes_unindexed(text_of(chunk_id)))

    if by_text and not any(marked(i) for i in ids):
        return close

    def is_related(candidate: Fused) -> bool:
        terms = held.get(candidate.chunk_id, set())
        if not marked(candidate.chunk_id):
            return not news and close(candidate)  # most candidates stop here, before any text is read
        text = text_of(candidate.chunk_id)
        # Showing the names is enough: an article in another language than the question shares
        # nothing else with it (answering.stories then weighs meaning). A fact's answer may also
        # sit in an article its words miss ("Combien de romains a-t-on dénombré en 2016 ?": the
        # Rome article holds neither word): meaning may say it is about the subject.
        return subject.held_by(terms, text) or subject.shows_names(text) or (not news and close(candidate))

    return is_related


def close_in_meaning(dense: float | None, best: float | None) -> bool:
    """Whether a dense similarity comes within temporal.RELATED_DENSE_MARGIN of the best: what
    makes a candidate about a subject whose words no candidate holds (a question in another
    language than the articles). Retrieval (`related`) and answering (answering.stories) both
    fall back on it; without a dense score (BM25 alone, or not a dense candidate) nothing is."""
    return best is not None and dense is not None and dense >= best - temporal.RELATED_DENSE_MARGIN


def latest_headlines(index: SearchIndex, limit: int = 5, topic: str | None = None) -> list[Headline]:
    """The newest articles (on `topic`: the newest of those about it), one per story."""
    if topic:
        asked = SearchQuery(topic, tuple(analyze(topic)), QuestionDates((), latest=True))
        found = index.search(asked, k=limit * 3).passages
        ids = list(dict.fromkeys(p.article_id for p in found))[:limit]
        # Search order: the relevant ones newest first, then the less relevant.
        by_id = {h.article_id: h for h in index.headlines(ids)}
        return [by_id[a] for a in ids if a in by_id]
    groups = index.duplicate_groups()
    seen: set[str] = set()
    newest: list[Headline] = []
    for headline in index.headlines(newest=limit * 4):
        story = groups.get(headline.article_id, [headline.article_id])[0]
        if story not in seen:
            seen.add(story)
            newest.append(headline)
    return newest[:limit]
