"""The answering layer's one entry point: question in, verified cited answer out.

    detect language → rewrite a follow-up → retrieve (off the event loop) → decline, or
    answer (LLM, or extractive) → verify citations → frame in the question's language

An LLM failure falls back to the extractive answer with a one-line note naming its cause: the
model could not be reached, took too long, or gave an answer that could not be tied to the
passages (no `[n]`, or nothing left after the citation check). The cause travels on the Answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from answering import citations, prompts
from answering.extractive import ExtractiveAnswerer
from answering.followups import carry_over, continues_subject, needs_rewrite, speaks_of_own_terms
from answering.language import detect_language
from answering.llm import LlmAnswerer, LlmUnavailable, OpenAIChat
from answering.prompts import DEFAULT_LANGUAGE
from answering.protocol import Answer, AnswererName, FallbackCause, PartialCallback, Turn
from answering.refusal import CALIBRATED_BARS, DEFAULT_EMBEDDING, RefusalPolicy, calibrated_bars
from qabot.settings import Settings
from retrieval.embedding import Embedder, identity
from retrieval.errors import QabotError
from retrieval.models import Passage, SearchResult

if TYPE_CHECKING:
    from answering.local_llm import LocalModel

logger = logging.getLogger(__name__)


class UnknownLlmProvider(QabotError, ValueError):
    """LLM_PROVIDER names no registered provider; the message lists the valid ones."""


class Searcher(Protocol):
    """What the service needs of retrieval.retriever.Retriever (sync, thread-safe)."""

    def search(self, question: str, k: int | None = None, mode: str | None = None) -> SearchResult: ...


class QuestionAnswering:
    """The AnswerService: one instance per process, no per-conversation state (the caller
    passes the history)."""

    def __init__(
        self,
        retriever: Searcher,
        embedder: Embedder | None,
        policy: RefusalPolicy,
        extractive: ExtractiveAnswerer,
        llm: LlmAnswerer | None = None,
        history_turns: int = 4,
        k: int | None = None,
        fallback: ExtractiveAnswerer | None = None,
    ) -> None:
        self._retriever = retriever
        self._embedder = embedder
        self._policy = policy
        self._extractive = extractive
        self._llm = llm
        # After an LLM failure the clock has already run to the timeout: answer with fewer
        # sentence embeddings.
        self._fallback = fallback or extractive
        self._history_turns = history_turns
        self._k = k

    @property
    def answerer_name(self) -> AnswererName:
        return "llm" if self._llm else "extractive"

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_partial: PartialCallback | None = None
    ) -> Answer:
        started = time.perf_counter()
        question = question.strip()
        history = list(history)[-self._history_turns :] if self._history_turns else []
        if not question:
            return self._refusal(question, DEFAULT_LANGUAGE, [], question)
        # A short follow-up ("Et à Alep-Ouest ?") is in the conversation's language.
        previous = detect_language(history[-1].question) if history else DEFAULT_LANGUAGE
        language = detect_language(question, default=previous)
        standalone, llm_down, carried = await self._standalone(question, history, language)
        retrieve_started = time.perf_counter()
        search = await asyncio.to_thread(self._retriever.search, standalone, self._k)
        if carried and not speaks_of_own_terms(question, search.passages, language):
            alone = await asyncio.to_thread(self._retriever.search, question, self._k)
            if not continues_subject(search.passages, alone.passages, self._policy.related_floor):
                # A short new question, not a follow-up: the earlier question's terms found
                # passages on the earlier subject, which would answer it with something else.
                standalone, history, search = question, [], alone
        passages = search.passages
        generate_started = time.perf_counter()
        timings = {"retrieve": (generate_started - retrieve_started) * 1000}
        share = search.idf_match
        if self._policy.declines(passages, language, standalone, share):
            answer = self._refusal(question, language, passages, standalone, share)
        else:
            answer = await self._answer(question, standalone, passages, share, history, language, on_partial, llm_down)
        finished = time.perf_counter()
        timings["generate"] = (finished - generate_started) * 1000
        timings["total"] = (finished - started) * 1000
        answer = replace(answer, timings_ms=timings, standalone_question=standalone if standalone != question else None)
        logger.info(
            "answered=%s answerer=%s fallback=%s language=%s citations=%d verified=%s total_ms=%.0f",
            answer.answered, answer.answerer, answer.fallback, language, len(answer.citations), answer.verified,
            timings["total"],
        )
        return answer

    async def _standalone(
        self, question: str, history: Sequence[Turn], language: str
    ) -> tuple[str, FallbackCause | None, bool]:
        """The question to retrieve with, why the LLM just failed if it did (so don't wait on
        it twice), and whether the earlier question's key terms were carried over."""
        if not needs_rewrite(question, history):
            return question, None, False
        if self._llm is not None:
            try:
                return await self._llm.condense(question, history, language), None, False
            except LlmUnavailable as exc:
                logger.warning("follow-up rewriting fell back to key terms cause=%s reason=%s", exc.cause, exc)
                return carry_over(question, history), exc.cause, True
        rewritten = carry_over(question, history)
        return rewritten, None, rewritten != question

    async def _answer(
        self,
        question: str,
        standalone: str,
        passages: list[Passage],
        idf_match: float | None,
        history: Sequence[Turn],
        language: str,
        on_partial: PartialCallback | None,
        llm_down: FallbackCause | None = None,
    ) -> Answer:
        cause = llm_down
        if self._llm is not None and cause is None:
            try:
                raw = await self._llm.answer(question, passages, history, language, on_partial)
            except LlmUnavailable as exc:
                cause = exc.cause
                logger.warning("language model answer replaced by the extractive one cause=%s reason=%s", cause, exc)
            else:
                verified = await asyncio.to_thread(citations.apply, raw, passages, self._embedder)
                if verified.answered or not raw.answered:  # kept, or the model itself declined
                    return self._finish(verified, question, language, passages, standalone, idf_match)
                cause = "uncited"
                logger.warning(
                    "language model answer replaced by the extractive one cause=%s reason=%s",
                    cause, "no sentence passed the citation check",
                )
        extractive = self._fallback if cause else self._extractive
        raw = await extractive.answer(question, passages, history, language)
        verified = await asyncio.to_thread(citations.apply, raw, passages, self._embedder)
        return self._finish(verified, question, language, passages, standalone, idf_match, cause)

    def _finish(
        self,
        verified: Answer,
        question: str,
        language: str,
        passages: Sequence[Passage],
        standalone: str,
        idf_match: float | None,
        cause: FallbackCause | None = None,
    ) -> Answer:
        """The verified answer framed for the reader, with the fallback note; a refusal when
        nothing verifiable is left."""
        note = prompts.load(f"llm_{cause}", language) if cause else None
        if not verified.answered:
            refusal = self._refusal(question, language, passages, standalone, idf_match)
            return replace(refusal, answerer=verified.answerer, note=note, fallback=cause)
        text = verified.text
        if verified.answerer == "extractive":
            text = f"{prompts.load('extractive', language)} {text}"
        if note:
            text = f"{note}\n\n{text}"
        return replace(verified, text=text, note=note, fallback=cause)

    def _refusal(
        self, question: str, language: str, passages: Sequence[Passage], standalone: str,
        idf_match: float | None = None,
    ) -> Answer:
        suggestions = self._policy.suggestions(passages, language, standalone, idf_match)
        text = prompts.load("refusal", language)
        if suggestions:
            text += "\n" + prompts.load("suggestions", language) + "\n" + "\n".join(f"• {t}" for t in suggestions)
        return Answer(
            question=question, text=text, citations=[], answered=False, language=language,
            answerer=self.answerer_name, suggestions=suggestions,
        )


def refusal_policy(settings: Settings, embedding: str) -> RefusalPolicy:
    """The bars calibrated for the embedding model (`embedding`: its identity), each replaced
    by its setting when set. An uncalibrated model gets the default model's, with a warning:
    its similarities may sit on another scale."""
    bars = calibrated_bars(embedding)
    if bars is None:
        bars = CALIBRATED_BARS[DEFAULT_EMBEDDING]
        if settings.refusal_min_score is None:
            logger.warning(
                "no refusal bar calibrated for %s: using %s's; calibrate with `python -m evaluation.tuning` "
                "and set REFUSAL_MIN_SCORE", embedding, DEFAULT_EMBEDDING,
            )
    return RefusalPolicy(
        min_score=_setting_or(settings.refusal_min_score, bars.min_score),
        min_score_crosslingual=_setting_or(settings.refusal_min_score_crosslingual, bars.min_score_crosslingual),
        idf_match_weight=_setting_or(settings.refusal_idf_match_weight, bars.idf_match_weight),
        min_term_coverage=settings.refusal_min_term_coverage,
    )


def _setting_or(value: float | None, calibrated: float) -> float:
    return calibrated if value is None else value


def _openai_llm(settings: Settings, local_model: LocalModel | None) -> LlmAnswerer:
    backend = OpenAIChat(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        structured=settings.llm_structured_output,
    )
    return LlmAnswerer(backend, timeout_s=settings.llm_timeout_s, structured=settings.llm_structured_output)


def _local_llm(settings: Settings, local_model: LocalModel | None) -> LlmAnswerer:
    from answering.local_llm import LocalChat

    model = local_model or load_local_model(settings)
    backend = LocalChat(
        model, max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature,
        queue_size=settings.llm_queue_size, queue_wait_s=settings.llm_queue_wait_s,
    )
    return LlmAnswerer(backend, timeout_s=settings.llm_timeout_s, structured=settings.llm_structured_output)


def load_local_model(settings: Settings) -> LocalModel:
    """The GGUF file of LLM_MODEL_PATH, loaded (seconds for a few GB): once per process."""
    from answering.local_llm import LocalModel, LocalModelError

    if settings.llm_model_path is None:
        raise LocalModelError("LLM_PROVIDER=local needs LLM_MODEL_PATH: the path of a GGUF model file.")
    return LocalModel(settings.llm_model_path, threads=settings.llm_threads, context_tokens=settings.llm_context_tokens)


LLM_PROVIDERS: dict[str, Callable[[Settings, LocalModel | None], LlmAnswerer | None]] = {
    "none": lambda settings, local_model: None,
    "openai": _openai_llm,
    "local": _local_llm,
}


def build_answer_service(
    settings: Settings, retriever: Searcher, embedder: Embedder | None, local_model: LocalModel | None = None
) -> QuestionAnswering:
    """The answer service for LLM_PROVIDER; an unknown provider lists the valid ones.
    `local_model`: the model LLM_PROVIDER=local answers with (loaded from LLM_MODEL_PATH when
    not given)."""
    try:
        make_llm = LLM_PROVIDERS[settings.llm_provider]
    except KeyError:
        raise UnknownLlmProvider(
            f"Unknown LLM_PROVIDER {settings.llm_provider!r}; choose one of {', '.join(LLM_PROVIDERS)}."
        ) from None
    return QuestionAnswering(
        retriever=retriever,
        embedder=embedder,
        policy=refusal_policy(settings, identity(embedder) if embedder is not None else DEFAULT_EMBEDDING),
        extractive=ExtractiveAnswerer(embedder, max_sentences=settings.answer_max_sentences),
        llm=make_llm(settings, local_model),
        history_turns=settings.history_turns,
        k=settings.retrieval_k,
        fallback=ExtractiveAnswerer(embedder, max_sentences=settings.answer_max_sentences, semantic_candidates=3),
    )
