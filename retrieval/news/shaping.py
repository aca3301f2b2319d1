"""What news adds after fusion, the same for every index backend: a question's period or "the
latest" reorders the candidates (retrieval.news.temporal), and one copy of each story (a group of
near-duplicate articles, retrieval.news.duplicates) is kept, with where else it was published.

Each backend answers a few questions about its candidates through its view of the index
(retrieval.search.IndexView: the local generation from SQLite, Qdrant from payloads and
filters); the decisions are made here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from retrieval.dates import QuestionDates
from retrieval.fusion import Fused
from retrieval.models import Copy, Headline, SearchQuery
from retrieval.news import temporal
from retrieval.news.temporal import DateOutcome
from retrieval.text import analyze

if TYPE_CHECKING:  # the search pipeline (retrieval.search) runs these steps over its view
    from retrieval.search import IndexView, SearchIndex


# How a question asks for news or a timeline ("que s'est-il passé", "dernières nouvelles", "le
# dernier article sur … parle de quoi", "chronologie", "what happened", "how did … unfold"),
# analysed: these words say what is asked, not what about, so no article need hold them.
NEWS_WORDS = frozenset(analyze(
    "passé passe arrivé changé nouvelles nouvelle neuf dernier dernière derniers dernières article articles "
    "parle parlent quoi actualité actualités info infos chronologie chronologique étapes déroulé déroulée "
    "déroulés déroulées évolué happened happening new news latest going stand timeline "
    "chronology unfold unfolded steps stages evolve evolved develop developed"
))


def subject_terms(query: SearchQuery) -> frozenset[str]:
    """The question's analysed terms without its date words and its news wording: what an
    article must speak of to be about it ("sncf" in "Que s'est-il passé à la SNCF en décembre
    2024 ?"); empty for "Que s'est-il passé hier ?", about its period alone."""
    dates = query.dates
    dated = {t for m in dates.mentions for t in analyze(m.text)} if dates is not None else set()
    return frozenset(query.terms) - dated - NEWS_WORDS


def shape(
    fused: list[Fused], k: int, query: SearchQuery, view: IndexView
) -> tuple[list[Fused], DateOutcome | None, dict[str, tuple[Copy, ...]]]:
    """The k candidates to show, reordered for the question's dates, one per story; how the
    dates shaped them (None when the question names none); each kept article's other copies."""
    outcome = None
    dates = query.dates
    if dates is not None and (dates.period is not None or dates.latest):
        dating = view.dating([f.chunk_id for f in fused], dates.period)
        fused, outcome = temporal.rerank(fused, dating, dates, related(view, query, fused))
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


def related(view: IndexView, query: SearchQuery, fused: list[Fused]) -> Callable[[Fused], bool]:
    """Whether a candidate is about the question's subject, the date and news words aside: it
    holds another of the question's terms, or is about as close in meaning as the best one. A
    question with no subject but its period ("Que s'est-il passé hier ?") is about whatever
    the period holds."""
    topic = subject_terms(query)
    best_dense = max((f.dense_score for f in fused if f.dense_score is not None), default=None)
    held: dict[int, set[str]] = {}

    def is_related(candidate: Fused) -> bool:
        if not topic:
            return True
        if best_dense is not None and candidate.dense_score is not None and (
            candidate.dense_score >= best_dense - temporal.RELATED_DENSE_MARGIN
        ):
            return True
        if candidate.chunk_id not in held:
            held.update(view.stored_terms([candidate.chunk_id]))
        return bool(topic & held.get(candidate.chunk_id, set()))

    return is_related


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
