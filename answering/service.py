"""The answering layer's one entry point: question in, verified cited answer out.

    detect language → rewrite a follow-up → retrieve (off the event loop) → decline, or
    answer (LLM, or extractive) → verify citations → frame in the question's language

An LLM failure of any kind falls back to the extractive answer with a one-line note.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from answering import citations, prompts
from answering.extractive import ExtractiveAnswerer
from answering.followups import carry_over, needs_rewrite
from answering.language import detect_language
from answering.llm import LlmAnswerer, LlmUnavailable
from answering.protocol import Answer, Answerer, PartialCallback, Turn
from answering.refusal import RefusalPolicy
from qabot.settings import Settings
from retrieval.embedding import Embedder
from retrieval.models import Passage, SearchResult

logger = logging.getLogger(__name__)


class Searcher(Protocol):
    def search(self, question: str, k: int | None = None, mode: str | None = None) -> SearchResult: ...


class QuestionAnswering:
    def __init__(
        self,
        retriever: Searcher,
        embedder: Embedder | None,
        policy: RefusalPolicy,
        extractive: ExtractiveAnswerer,
        llm: LlmAnswerer | None = None,
        history_turns: int = 4,
        k: int | None = None,
    ) -> None:
        self._retriever = retriever
        self._embedder = embedder
        self._policy = policy
        self._extractive = extractive
        self._llm = llm
        self._history_turns = history_turns
        self._k = k

    @property
    def answerer_name(self) -> str:
        return "llm" if self._llm else "extractive"

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_partial: PartialCallback | None = None
    ) -> Answer:
        started = time.perf_counter()
        question = question.strip()
        history = list(history)[-self._history_turns :] if self._history_turns else []
        language = detect_language(question)
        standalone = await self._standalone(question, history, language)
        search = await asyncio.to_thread(self._retriever.search, standalone, self._k)
        passages = search.passages
        timings = {"retrieve": search.timings_ms.get("total", 0.0)}
        if self._policy.declines(passages, language):
            answer = self._refusal(question, language, passages)
        else:
            answer = await self._answer(question, passages, history, language, on_partial)
        timings["generate"] = answer.timings_ms.get("generate", 0.0)
        timings["total"] = (time.perf_counter() - started) * 1000
        answer = replace(answer, timings_ms=timings, standalone_question=standalone if standalone != question else None)
        logger.info(
            "answered=%s answerer=%s language=%s citations=%d total_ms=%.0f",
            answer.answered, answer.answerer, language, len(answer.citations), timings["total"],
        )
        return answer

    async def _standalone(self, question: str, history: Sequence[Turn], language: str) -> str:
        if not needs_rewrite(question, history):
            return question
        if self._llm is not None:
            try:
                return await self._llm.condense(question, history, language)
            except LlmUnavailable as exc:
                logger.warning("follow-up rewriting fell back to key terms reason=%s", exc)
        return carry_over(question, history)

    async def _answer(
        self,
        question: str,
        passages: list[Passage],
        history: Sequence[Turn],
        language: str,
        on_partial: PartialCallback | None,
    ) -> Answer:
        note = None
        answerer: Answerer = self._llm or self._extractive
        try:
            raw = await answerer.answer(question, passages, history, language, on_partial)
        except LlmUnavailable as exc:
            logger.warning("language model unavailable, answering extractively reason=%s", exc)
            note = prompts.load("llm_unavailable", language)
            raw = await self._extractive.answer(question, passages, history, language)
        verified = await asyncio.to_thread(citations.apply, raw, passages, self._embedder)
        if not verified.answered:
            return replace(self._refusal(question, language, passages), timings_ms=raw.timings_ms, note=note)
        text = verified.text
        if verified.answerer == "extractive":
            text = f"{prompts.load('extractive', language)} {text}"
        if note:
            text = f"{note}\n\n{text}"
        return replace(verified, text=text, note=note)

    def _refusal(self, question: str, language: str, passages: Sequence[Passage]) -> Answer:
        suggestions = self._policy.suggestions(passages, language)
        text = prompts.load("refusal", language)
        if suggestions:
            text += "\n" + prompts.load("suggestions", language) + "\n" + "\n".join(f"• {t}" for t in suggestions)
        return Answer(
            question=question, text=text, citations=[], answered=False, language=language,
            answerer=self.answerer_name,  # type: ignore[arg-type]
            suggestions=suggestions,
        )


def _llm_from(settings: Settings) -> LlmAnswerer:
    return LlmAnswerer(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
        structured=settings.llm_structured_output,
    )


LLM_PROVIDERS: dict[str, Callable[[Settings], LlmAnswerer | None]] = {
    "none": lambda settings: None,
    "openai": _llm_from,
}


def build_answer_service(settings: Settings, retriever: Searcher, embedder: Embedder | None) -> QuestionAnswering:
    """The answer service for LLM_PROVIDER; an unknown provider lists the valid ones."""
    try:
        make_llm = LLM_PROVIDERS[settings.llm_provider]
    except KeyError:
        raise ValueError(
            f"Unknown LLM_PROVIDER {settings.llm_provider!r}; choose one of {', '.join(LLM_PROVIDERS)}."
        ) from None
    return QuestionAnswering(
        retriever=retriever,
        embedder=embedder,
        policy=RefusalPolicy(
            min_dense=settings.refusal_min_dense,
            min_dense_crosslingual=settings.refusal_min_dense_crosslingual,
        ),
        extractive=ExtractiveAnswerer(embedder, max_sentences=settings.answer_max_sentences),
        llm=make_llm(settings),
        history_turns=settings.history_turns,
        k=settings.retrieval_k,
    )
