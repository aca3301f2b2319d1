"""The answering layer's one entry point: question in, verified cited answer out.

    understand (language, terms, a follow-up's standalone form: one `Query`) → retrieve (off
    the event loop) → decline, or answer (LLM, or extractive) → verify citations → frame in
    the question's language (the framing, the lead fact and the note as the Answer's fields:
    front ends compose them)

While the LLM writes, the caller's `on_partial` sees only sentences that already passed the
citation check (`CheckedPreview`), never the model's raw text.

An LLM failure falls back to the extractive answer with a one-line note naming its cause: the
model could not be reached, took too long, was busy, or gave an answer that could not be tied
to the passages (no `[n]`, or nothing left after the citation check). The cause travels on the
Answer. The service is built by the composition root (qabot.services) and holds no
per-conversation state: the caller passes the history.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from answering import citations, wording
from answering.digest import digest, digest_stories, story_passages
from answering.extractive import from_scored
from answering.followups import (
    Condenser,
    Rewrite,
    as_followup,
    continues_subject,
    leans_on,
    speaks_of_own_terms,
)
from answering.french_reading import AcrossLanguages, across_languages
from answering.llm import LlmUnavailable
from answering.protocol import (
    Answer,
    Answerer,
    FallbackCause,
    PartialCallback,
    SentenceScore,
    SentenceScorer,
    Turn,
)
from answering.query import Query, detect_language, plain_query, quote_framing
from answering.refusal import ARTICLES_LANGUAGE, RefusalPolicy
from answering.sentence_features import misses_asked_measure
from answering.sentences import MarkedSentence, render_marked
from answering.stories import UNCALIBRATED, Margins, anything_about, names_a_subject
from answering.timeline import timeline, timeline_stories
from answering.wording import DEFAULT_LANGUAGE, period_words, reader_date, until_words
from retrieval.dates import Period
from retrieval.encoders.embedding import Embedder
from retrieval.models import Passage, SearchQuery, SearchResult
from retrieval.news.temporal import DateOutcome
from retrieval.search import Searching
from retrieval.text import search_query

logger = logging.getLogger(__name__)

# Candidates retrieved for a digest or a timeline (a fact question reads the configured k): one
# passage per story, so up to this many stories to choose among or line up.
NEWS_CANDIDATES = 30

# Asked of the index at start-up, its answer thrown away: a question of the kind people ask.
WARM_UP_QUESTION = "Combien de personnes ont été touchées et quand cela a-t-il commencé ?"


class QuestionAnswering:
    """One instance per process; `answerer` is the LLM or the extractive answerer, `fallback`
    the extractive one that stands in when the LLM fails (None when `answerer` is extractive)."""

    def __init__(
        self,
        retriever: Searching,
        embedder: Embedder | None,
        policy: RefusalPolicy,
        answerer: Answerer,
        condenser: Condenser,
        fallback: Answerer | None = None,
        history_turns: int = 4,
        k: int | None = None,
        judge: SentenceScorer | None = None,
        max_sentences: int = 3,
        reader: Callable[[str], SearchQuery] | None = None,
        subject_margins: Margins = UNCALIBRATED,
    ) -> None:
        # Reads a question's text into terms and, with a QuestionReader, the period it asks about.
        self._read = reader or search_query
        # With a judge, whether some sentence answers decides the refusal; without one (a
        # model it was never fitted for), the retrieval bars do.
        self._judge = judge
        # Questions in another language than the articles': the French judge on their French
        # reading when the judge is the sentence judge (answering.french_reading).
        self._across = across_languages(judge, embedder)
        # ...whose reading also tells retrieval the French words of such a question (`_search`).
        self._reading = self._across if isinstance(self._across, AcrossLanguages) else None
        self._max_sentences = max_sentences
        self._retriever = retriever
        self._embedder = embedder
        self._policy = policy
        self._answerer = answerer
        self._condenser = condenser
        self._fallback = fallback
        self._history_turns = history_turns
        self._k = k
        # How far meaning decides whether a story is about the subject, for this encoder.
        self._margins = subject_margins

    @property
    def answerer_name(self) -> str:
        return self._answerer.name

    @property
    def judge(self) -> SentenceScorer | None:
        """The sentence judge the service was built with (None: the retrieval bars decide)."""
        return self._judge

    def retrieve(self, question: str, language: str) -> tuple[Query, SearchResult]:
        """`question` read as a first question in `language` and searched as a fact question is
        (the configured k), its Query carrying the question's vector: the stages before the
        judge, for the warm-up and the evaluation that tunes the judge (blocking)."""
        query = plain_query(question, language, self._read)
        search = self._search(query, self._k)
        return query.with_vector(search.query_vector), search

    def _search(self, query: Query, k: int | None) -> SearchResult:
        """The passages for `query` (blocking). A first fact question in another language than
        the articles' is searched twice when the judge reads it in French: its own words find
        passages (the multilingual encoder does most of it), the French words its reading finds
        in them are added to its terms, and it is searched again, so that BM25 and the IDF match
        the judge's evidence reads count the words the articles use, not only the names the two
        languages share (docs/EVALUATION.md, "English questions")."""
        search = self._retriever.search(query.search, k)
        if (
            self._reading is None or query.language == ARTICLES_LANGUAGE or query.followup
            or query.intent != "fact" or not search.passages
        ):
            return search
        return self._retriever.search(self._reading.searched_as(query.search, search.passages), k)

    async def warm_up(self, question: str = WARM_UP_QUESTION) -> None:
        """Take `question` through the stages that load or compile something on first use (its
        reading, the encoder, both searches, the judge's spaCy pipeline and sentence embeddings)
        without answering it: no model is asked, nothing is returned, so the first person to
        ask after a start does not wait seconds for them."""
        query, search = await asyncio.to_thread(self.retrieve, question, detect_language(question))
        if self._judge is not None and search.passages:
            await asyncio.to_thread(self._judge.score, query, search.passages, search.idf_match)

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_partial: PartialCallback | None = None
    ) -> Answer:
        started = time.perf_counter()
        question = question.strip()
        history = list(history)[-self._history_turns :] if self._history_turns else []
        if not question:
            return self._refusal(plain_query(question, DEFAULT_LANGUAGE), [], None)
        query, rewrite = await self._understand(question, history)
        retrieve_started = time.perf_counter()
        # A digest or a timeline chooses among the stories: it needs more of them than a fact.
        k = self._k if query.intent == "fact" else max(self._k or 0, NEWS_CANDIDATES)
        search = await asyncio.to_thread(self._search, query, k)
        if rewrite is not None and rewrite.carried and not speaks_of_own_terms(query, search.passages):
            alone = await asyncio.to_thread(self._retriever.search, query.own, k)
            if not continues_subject(search.passages, alone.passages, self._policy.related_floor):
                # A short new question, not a follow-up: the earlier question's terms found
                # passages on the earlier subject, which would answer it with something else.
                query, history, search = query.alone(), [], alone
        query = query.with_vector(search.query_vector)
        passages = search.passages
        generate_started = time.perf_counter()
        timings = {"retrieve": (generate_started - retrieve_started) * 1000}
        chosen: list[SentenceScore] | None = None
        # Follow-ups keep the earlier path (retrieval bars, the extractive answerer's own
        # ordering of what the last answer said): the judge was fitted on standalone questions.
        news = query.intent != "fact"
        # A digest or a timeline has no single sentence that answers: the judge, fitted on fact
        # questions, would decline it; the retrieval bars decide whether anything is about it.
        if self._judge is not None and passages and not query.followup and not news:
            judge_started = time.perf_counter()
            judge = self._judge if query.language == ARTICLES_LANGUAGE or self._across is None else self._across
            judged = await asyncio.to_thread(judge.score, query, passages, search.idf_match)
            if query.language == ARTICLES_LANGUAGE or judge.every_language:
                chosen = judge.choose(judged, self._max_sentences)
                declined = not chosen
            else:
                # The judge was fitted on French questions only (the evaluation set has no
                # other): across languages the retrieval bars decide, the judge only ranks.
                declined = self._policy.declines(query, passages, search.idf_match)
                chosen = self._judge.choose(judged, self._max_sentences, bar=0.0)
            if chosen:
                query = query.with_lead(chosen[0].short_answer, chosen[0].passage_number)
            # Part of "generate": the answerer's own time is generate minus judge.
            timings["judge"] = (time.perf_counter() - judge_started) * 1000
        elif news:
            # No retrieval bar: a digest or a timeline shows the stories about the subject
            # (answering.stories), and is declined when there is none.
            declined = False
        else:
            declined = self._policy.declines(query, passages, search.idf_match) or (
                self._judge is not None and misses_asked_measure(query, passages)
            )
        dates = search.dates
        llm_down = rewrite.degraded if rewrite is not None else None
        if dates is not None and dates.period is not None and not dates.in_period:
            # A question that names nothing but its period ("Que s'est-il passé hier ?") is about
            # the period alone: no article in it is the answer, whatever retrieval found.
            nothing_about = names_a_subject(query, search.term_weights) and (
                self._policy.declines(query, passages, search.idf_match) or not await asyncio.to_thread(
                    anything_about, query, passages, search.term_weights, self._margins, self._embedder
                )
            )
            if nothing_about:
                # Nothing is about the subject at any date (the passages were not narrowed to the
                # period): retrieval found nothing close, or no story holds the subject's words.
                # The date is not why there is no answer.
                answer = self._refusal(query, passages, search.idf_match)
            else:
                # Nothing published in the period asked about, nor speaking of it: say so rather
                # than answer from another period.
                answer = self._no_article_in_period(query, passages, search.idf_match, dates)
        elif declined:
            answer = self._refusal(query, passages, search.idf_match)
        elif news:
            answer = await self._news(query, search, dates, history, on_partial, llm_down)
        else:
            answer = await self._answer(query, passages, search.idf_match, history, on_partial, llm_down, chosen)
        finished = time.perf_counter()
        timings["generate"] = (finished - generate_started) * 1000
        timings["total"] = (finished - started) * 1000
        answer = replace(
            answer, timings_ms=timings, standalone_question=query.standalone if query.followup else None,
            intent=query.intent,
        )
        logger.info(
            "answered=%s answerer=%s fallback=%s language=%s citations=%d verified=%s total_ms=%.0f",
            answer.answered, answer.answerer, answer.fallback, query.language, len(answer.citations), answer.verified,
            timings["total"],
        )
        return answer

    async def _understand(self, question: str, history: Sequence[Turn]) -> tuple[Query, Rewrite | None]:
        """The question's `Query`, and for a follow-up how it was rewritten."""
        # A short follow-up ("Et à Alep-Ouest ?") is in the conversation's language.
        previous = detect_language(history[-1].question) if history else DEFAULT_LANGUAGE
        query = plain_query(question, detect_language(question, default=previous), self._read)
        if not leans_on(query, history):
            return query, None
        rewrite = await self._condenser.rewrite(query, history)
        return as_followup(query, rewrite, history, self._read), rewrite

    async def _answer(
        self,
        query: Query,
        passages: list[Passage],
        idf_match: float | None,
        history: Sequence[Turn],
        on_partial: PartialCallback | None,
        llm_down: FallbackCause | None = None,
        chosen: Sequence[SentenceScore] | None = None,
    ) -> Answer:
        """The answerer's answer, verified; with an LLM that fails (or just failed to condense
        the question: `llm_down`), the extractive one with the cause's note. The extractive
        answer quotes the sentences the judge `chosen` when there is a judge."""
        if self._fallback is None:
            raw = from_scored(query, chosen) if chosen else await self._answerer.answer(query, passages, history)
            verified = await asyncio.to_thread(citations.apply, raw, query, passages, self._embedder)
            return self._finish(verified, query, passages, idf_match)
        cause = llm_down
        if cause is None:
            # The judge's fact leads the model's answer too, when the model states it.
            lead = chosen[0].short_answer if chosen else None
            kept, cause = await self._from_model(query, passages, history, on_partial, lead)
            if kept is not None:
                return self._finish(kept, query, passages, idf_match)
        raw = from_scored(query, chosen) if chosen else await self._fallback.answer(query, passages, history)
        verified = await asyncio.to_thread(citations.apply, raw, query, passages, self._embedder)
        return self._finish(verified, query, passages, idf_match, cause)

    async def _news(
        self,
        query: Query,
        search: SearchResult,
        dates: DateOutcome | None,
        history: Sequence[Turn],
        on_partial: PartialCallback | None,
        llm_down: FallbackCause | None,
    ) -> Answer:
        """A timeline, or the digest of an open news question: with a language model, its cited
        summary of the digest's stories, else (or when it fails) the stories' own sentences."""
        passages, idf_match, weights = search.passages, search.idf_match, search.term_weights
        period = dates.period_found if dates is not None else None
        # Choosing the stories reads their texts (names, language identification): off the loop,
        # like anything_about in ask.
        if query.intent == "timeline":
            asked = describe_period(period, dates.named_as, query.language) if period and dates else None
            stories = await asyncio.to_thread(
                timeline_stories, query, passages, period, weights, self._margins, self._embedder
            )
            found = await asyncio.to_thread(timeline, query, stories, self._embedder, asked)
            return self._finish(found, query, passages, idf_match)
        # ANSWER_MAX_SENTENCES bounds a digest too: one sentence a story.
        stories = await asyncio.to_thread(
            digest_stories, query, passages, period, self._max_sentences, weights, self._margins, self._embedder
        )
        cause = llm_down
        if self._fallback is not None and cause is None and stories:
            # The model summarises the digest's stories, and only them.
            verified, cause = await self._from_model(query, story_passages(stories), history, on_partial)
            if verified is not None:
                return self._finish(verified, query, passages, idf_match)
        found = await asyncio.to_thread(digest, query, stories, self._embedder, self._max_sentences)
        return self._finish(found, query, passages, idf_match, cause)

    async def _from_model(
        self,
        query: Query,
        passages: list[Passage],
        history: Sequence[Turn],
        on_partial: PartialCallback | None,
        lead: str | None = None,
    ) -> tuple[Answer | None, FallbackCause | None]:
        """The language model's answer from `passages`, verified (or its own refusal); else None
        and why it could not be used. `lead`: the fact its answer leads with, when it states it."""
        try:
            preview = CheckedPreview(on_partial, query, passages, self._embedder) if on_partial else None
            raw = await self._answerer.answer(query, passages, history, preview)
        except LlmUnavailable as exc:
            logger.warning("language model answer replaced by the extractive one cause=%s reason=%s", exc.cause, exc,
                           extra={"cause": exc.cause})
            return None, exc.cause
        if lead:
            raw = replace(raw, short_answer=lead)
        verified = await asyncio.to_thread(citations.apply, raw, query, passages, self._embedder)
        if verified.answered or not raw.answered:  # kept, or the model itself declined
            return verified, None
        logger.warning(
            "language model answer replaced by the extractive one cause=%s reason=%s",
            "uncited", "no sentence passed the citation check", extra={"cause": "uncited"},
        )
        return None, "uncited"

    def _finish(
        self,
        verified: Answer,
        query: Query,
        passages: Sequence[Passage],
        idf_match: float | None,
        cause: FallbackCause | None = None,
    ) -> Answer:
        """The verified answer framed for the reader, with the fallback note; a refusal when
        nothing verifiable is left."""
        note = wording.load(f"llm_{cause}", query.language) if cause else None
        if not verified.answered:
            refusal = self._refusal(query, passages, idf_match)
            return replace(refusal, answerer=verified.answerer, note=note, fallback=cause)
        # Quotes are introduced as such (a digest's or a timeline's their own way); the model's
        # own sentences are not.
        framing = verified.framing or (
            wording.load(quote_framing(query.language, [c.passage.text for c in verified.citations]), query.language)
            if verified.answerer == "extractive" else None
        )
        short = verified.short_answer
        if short and short not in verified.text:
            short = None  # the fact leads only an answer that states it
        reported = reported_by(verified, query.language) if query.intent == "fact" else None
        return replace(verified, short_answer=short, framing=framing, note=note, fallback=cause, reported=reported)

    def _no_article_in_period(
        self, query: Query, passages: Sequence[Passage], idf_match: float | None, dates: DateOutcome
    ) -> Answer:
        assert dates.period is not None
        language = query.language
        text = wording.render("period_none", language, period=describe_period(dates.period, dates.named_as, language))
        others = list(dict.fromkeys(
            f"{p.title} ({reader_date(p.date, language)})" if p.date else p.title for p in passages
        ))[: self._policy.max_suggestions]
        if others and not self._policy.declines(query, passages, idf_match):
            text += "\n" + wording.load("period_other", query.language) + "\n" + "\n".join(f"• {t}" for t in others)
        return Answer(
            question=query.text, text=text, citations=[], answered=False, language=query.language,
            answerer=self._answerer.name, suggestions=others,
        )

    def _refusal(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> Answer:
        suggestions = self._policy.suggestions(query, passages, idf_match) if passages else []
        text = wording.load("refusal", query.language)
        if suggestions:
            text += "\n" + wording.load("suggestions", query.language) + "\n" + "\n".join(f"• {t}" for t in suggestions)
        return Answer(
            question=query.text, text=text, citations=[], answered=False, language=query.language,
            answerer=self._answerer.name, suggestions=suggestions,
        )


class CheckedPreview:
    """What of the model's answer the reader may see while it is written: its complete sentences
    that passed the citation check (`citations.verify_sentences`, the check the finished answer
    gets), numbered as the finished answer will number them; nothing before the first such
    sentence (the front end shows that it is typing). When the model stalls or fails mid-way,
    what was shown was never unverified model text."""

    def __init__(
        self, show: PartialCallback, query: Query, passages: Sequence[Passage], embedder: Embedder | None
    ) -> None:
        self._show = show
        self._query = query
        self._passages = passages
        self._embedder = embedder
        self._complete: list[MarkedSentence] = []
        self._shown = ""

    async def __call__(self, text: str) -> None:
        complete = citations.complete_sentences(text)
        if complete == self._complete:  # most pieces only lengthen the last sentence
            return
        self._complete = complete
        # The check may embed a sentence in another language than the articles: off the loop.
        checked = await asyncio.to_thread(
            citations.verify_sentences, complete, self._passages, self._embedder, self._query.language
        )
        shown = render_marked(checked.sentences)
        if shown and shown != self._shown:
            self._shown = shown
            await self._show(shown)


def reported_by(answer: Answer, language: str) -> str | None:
    """Who published the article a fact answer leads with, and when: "AFP, 12 décembre 2016"
    (the date as a reader of `language` reads it); None when that article is undated."""
    passage = answer.citations[0].passage if answer.citations else None
    if passage is None or not passage.date:
        return None
    return ", ".join(part for part in (passage.source, reader_date(passage.date, language)) if part)


def describe_period(period: Period, named_as: str, language: str) -> str:
    """The period as the question named it, with its days as a reader reads them: « décembre
    2024 », du 1er décembre 2024 au 31 décembre 2024."""
    if period.first.year <= 1:
        days = until_words(period.last.isoformat(), language)
    else:
        days = period_words(period.first.isoformat(), period.last.isoformat(), language)
    return f"« {named_as} », {days}" if named_as else days
