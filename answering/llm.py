"""The LLM answerer: a model behind a `ChatBackend`, any OpenAI-compatible endpoint through
LangChain's ChatOpenAI (`OpenAIChat`) or a GGUF file in this process (`answering.local_llm`).

The passages go into the prompt as numbered data between <passages> tags, with title and date;
the system prompt says they are never instructions. Tokens stream to `on_partial`. Structured
output (sentences with the ids of their passages) is used when LLM_STRUCTURED_OUTPUT is on and
the endpoint supports it; otherwise `[n]` markers are parsed from the text. Generation is
bounded: `max_tokens` on every request and stop sequences at the prompt's own delimiters, so a
rambling model ends in seconds instead of at the timeout. Any failure raises `LlmUnavailable`
with its cause (unreachable, timeout, uncited), and the service falls back to the extractive
answer with the note for that cause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import Protocol

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from answering import wording
from answering.followups import Condenser, Rewrite
from answering.protocol import Answer, AnswererName, FallbackCause, PartialCallback, Turn
from answering.query import Query
from answering.sentences import parse_marked
from retrieval.errors import QabotError
from retrieval.models import Passage

logger = logging.getLogger(__name__)

NO_ANSWER = "NO_ANSWER"
# A model that goes on past its answer tends to restart the prompt's layout: stop there.
STOP_SEQUENCES = ["<passages>", "</passages>", "\nQuestion:", "\nQuestion :"]


class LlmUnavailable(QabotError):
    """The language model gave no usable answer; `cause` says why (down or erring, too slow, or
    an answer that cites no passage)."""

    def __init__(self, reason: str, cause: FallbackCause = "unreachable") -> None:
        super().__init__(reason)
        self.cause: FallbackCause = cause


def failure(exc: Exception, timeout_s: float) -> LlmUnavailable:
    """The client's exception as an `LlmUnavailable` with its cause."""
    import openai

    if isinstance(exc, LlmUnavailable):
        return exc
    if isinstance(exc, TimeoutError | openai.APITimeoutError):
        return LlmUnavailable(f"no answer within {timeout_s:g} s", "timeout")
    return LlmUnavailable(f"{type(exc).__name__}: {exc}", "unreachable")


def structured_output_unsupported(exc: Exception) -> bool:
    """Whether a failed structured-output call means the endpoint cannot do it (a 400/404/422
    refusing the schema, or a reply that does not parse), so plain text may still work; an
    authentication error, a rate limit, a server error or a lost connection fails the text
    call just the same."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (400, 404, 415, 422)
    return not isinstance(exc, openai.APIConnectionError)


class CitedSentence(BaseModel):
    text: str = Field(description="One sentence of the answer, without citation markers.")
    passages: list[int] = Field(description="Numbers of the passages that support the sentence.")


class CitedAnswer(BaseModel):
    answerable: bool = Field(description="False when the passages do not answer the question.")
    sentences: list[CitedSentence] = Field(description="The answer, sentence by sentence.")


def format_passages(passages: Sequence[Passage]) -> str:
    blocks = []
    for n, passage in enumerate(passages, start=1):
        # An article cannot close the data block and speak as the prompt.
        text = passage.text.replace("<passages>", "‹passages›").replace("</passages>", "‹/passages›")
        blocks.append(wording.render("passage", n=str(n), title=passage.title, date=passage.date or "—", text=text))
    return "\n\n".join(blocks)


def build_messages(
    question: str,
    passages: Sequence[Passage],
    history: Sequence[Turn],
    language: str,
    lead: tuple[str, int] | None = None,
    request: str = "answer",
) -> list[BaseMessage]:
    """The chat: instructions, the conversation so far, then the passages and the question;
    with a `lead` (the judge's short answer and its passage), offered to be checked. `request`:
    the prompt that asks (answer; digest_request for an open news question: a cited summary)."""
    messages: list[BaseMessage] = [SystemMessage(wording.load("system", language))]
    for turn in history:
        messages += [HumanMessage(turn.question), AIMessage(turn.answer)]
    asked = wording.render(request, language, passages=format_passages(passages), question=question)
    if lead is not None:
        asked += "\n\n" + wording.render("lead", language, short_answer=lead[0], n=str(lead[1]))
    messages.append(HumanMessage(asked))
    return messages


class ChatBackend(Protocol):
    """How the answerer reaches a model. Every call may raise; the answerer maps the exception
    to a fallback cause."""

    def turn(self) -> AbstractAsyncContextManager[None]:
        """Held for one call to the model (a local model serves one question at a time);
        raises `LlmUnavailable(cause="busy")` when the wait would be too long."""
        ...

    async def stream(self, messages: Sequence[BaseMessage], on_piece: Callable[[str], Awaitable[None]]) -> str:
        """The reply, streamed piece by piece, ended by STOP_SEQUENCES or max_tokens."""
        ...

    async def structured(self, messages: Sequence[BaseMessage]) -> CitedAnswer:
        """The reply as a `CitedAnswer` (JSON schema); raises when unsupported or unparseable."""
        ...

    async def complete(self, messages: Sequence[BaseMessage]) -> str:
        """The whole reply at once."""
        ...


@asynccontextmanager
async def _no_wait() -> AsyncIterator[None]:
    yield


class OpenAIChat:
    """Any OpenAI-compatible endpoint through LangChain's ChatOpenAI."""

    def __init__(
        self, *, base_url: str, model: str, api_key: str, timeout_s: float, max_retries: int,
        temperature: float, max_tokens: int, structured: bool = False,
    ) -> None:
        import openai
        from langchain_openai import ChatOpenAI

        self._chat = ChatOpenAI(
            base_url=base_url, model=model, api_key=api_key, timeout=timeout_s,
            # Our own connection pool: LangChain's default is one per (URL, timeout) for the whole
            # process, bound to the first event loop that used it ("Event loop is closed" in the
            # next), and its wrapper's __del__ closes it on whatever loop runs at the time.
            http_async_client=openai.DefaultAsyncHttpxClient(timeout=openai.Timeout(timeout_s)),
            max_retries=max_retries, temperature=temperature, streaming=True,
            # ChatOpenAI would send `max_completion_tokens`, which llama.cpp's and Mistral's
            # servers ignore or refuse; `max_tokens` is understood by every compatible endpoint.
            extra_body={"max_tokens": max_tokens},
        )
        self._formats: tuple[str, ...] = ("json_schema", "json_object")
        if structured:
            # LangChain parses through `client.beta`, whose first touch imports ~700 openai
            # modules (2-4 s on a busy 2-core machine): pay that here, not inside the timeout.
            _ = self._chat.root_async_client.beta

    def turn(self) -> AbstractAsyncContextManager[None]:
        return _no_wait()  # the endpoint queues for itself

    async def stream(self, messages: Sequence[BaseMessage], on_piece: Callable[[str], Awaitable[None]]) -> str:
        text = ""
        async for chunk in self._chat.astream(list(messages), stop=STOP_SEQUENCES):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                text += piece
                await on_piece(piece)
        return text

    async def structured(self, messages: Sequence[BaseMessage]) -> CitedAnswer:
        """OpenAI's `json_schema` response format; an endpoint that refuses it (llama-cpp-python's
        server knows only `{"type": "json_object", "schema": ...}`) gets that form instead, and
        one that refuses both is not asked again."""
        while self._formats:
            try:
                return await self._structured_as(self._formats[0], messages)
            except Exception as exc:
                # Refusals come as 400, 422 or even 500 (llama-cpp-python), wrapped by LangChain:
                # what they share is naming the field.
                if "response_format" not in str(exc):
                    raise
                logger.info("endpoint refused response_format=%s reason=%s", self._formats[0], exc)
                self._formats = self._formats[1:]
        raise NotImplementedError("the endpoint supports no JSON-schema response format")

    async def _structured_as(self, form: str, messages: Sequence[BaseMessage]) -> CitedAnswer:
        if form == "json_schema":
            result = await self._chat.with_structured_output(CitedAnswer, method="json_schema").ainvoke(list(messages))
            if not isinstance(result, CitedAnswer):
                raise TypeError(f"expected a CitedAnswer, got {type(result).__name__}")
            return result
        response_format = {"type": "json_object", "schema": CitedAnswer.model_json_schema()}
        reply = await self._chat.ainvoke(list(messages), response_format=response_format)
        return CitedAnswer.model_validate_json(reply.content if isinstance(reply.content, str) else "")

    async def complete(self, messages: Sequence[BaseMessage]) -> str:
        reply = await self._chat.ainvoke(list(messages))
        return reply.content if isinstance(reply.content, str) else ""


class LlmAnswerer:
    name: AnswererName = "llm"

    def __init__(self, backend: ChatBackend, *, timeout_s: float, structured: bool = False) -> None:
        self._backend = backend
        self._timeout_s = timeout_s
        self._structured = structured

    async def answer(
        self,
        query: Query,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        on_partial: PartialCallback | None = None,
    ) -> Answer:
        started = time.perf_counter()
        question, language = query.text, query.language
        request = "digest_request" if query.intent == "open" else "answer"
        messages = build_messages(question, passages, history, language, query.lead, request)
        try:
            # The wait for a turn is not the model's slowness: it has its own bound ("busy").
            async with self._backend.turn(), asyncio.timeout(self._timeout_s):
                text = await self._structured_answer(messages) if self._structured else None
                if text is None:
                    text = await self._streamed_answer(messages, on_partial)
                elif on_partial and text != NO_ANSWER:
                    await on_partial(text)  # structured output arrives whole
        except Exception as exc:  # noqa: BLE001 - any client/transport error means "unavailable"
            raise failure(exc, self._timeout_s) from exc
        declined = NO_ANSWER in text
        if not declined and not text.strip():
            raise LlmUnavailable("empty answer", "uncited")
        if not declined and not any(sentence.cites for sentence in parse_marked(text)):
            # Not our contract (every claim cited): treat it as unusable, not as a refusal.
            raise LlmUnavailable("answer without any [n] citation", "uncited")
        return Answer(
            question=question, text="" if declined else text.strip(), citations=[],
            answered=not declined, language=language, answerer="llm",
            timings_ms={"generate": (time.perf_counter() - started) * 1000},
        )

    async def _streamed_answer(self, messages: list[BaseMessage], on_partial: PartialCallback | None) -> str:
        text = ""

        async def on_piece(piece: str) -> None:
            nonlocal text
            text += piece
            if on_partial and NO_ANSWER not in text and not NO_ANSWER.startswith(text.strip()):
                await on_partial(text)

        return await self._backend.stream(messages, on_piece)

    async def _structured_answer(self, messages: list[BaseMessage]) -> str | None:
        """Sentences with passage ids, rendered with markers; None when the backend can't."""
        try:
            result = await self._backend.structured(messages)
        except (TimeoutError, asyncio.CancelledError, LlmUnavailable):
            raise
        except Exception as exc:  # noqa: BLE001 - unsupported or unparseable: fall back to text
            if not structured_output_unsupported(exc):
                raise  # refused key, rate limit, server down: the model is unreachable, say so
            logger.info("structured output unavailable, using plain text reason=%s", exc)
            return None
        if not result.answerable:
            return NO_ANSWER
        return " ".join(f"{s.text} " + "".join(f"[{n}]" for n in s.passages) for s in result.sentences)

    async def condense(self, question: str, history: Sequence[Turn], language: str) -> str:
        """The standalone form of a follow-up, by the condense prompt."""
        transcript = "\n".join(f"- {t.question}\n  → {t.answer[:300]}" for t in history)
        prompt = wording.render("condense", language, history=transcript, question=question)
        try:
            async with self._backend.turn(), asyncio.timeout(self._timeout_s):
                reply = await self._backend.complete([HumanMessage(prompt)])
        except Exception as exc:  # noqa: BLE001 - fall back to offline rewriting
            raise failure(exc, self._timeout_s) from exc
        rewritten = reply.strip()
        return rewritten.splitlines()[0].strip() if rewritten else question


class LlmCondenser:
    """Follow-ups rewritten by the LLM's condense prompt; offline carry-over when it fails."""

    def __init__(self, llm: LlmAnswerer, offline: Condenser) -> None:
        self._llm = llm
        self._offline = offline

    async def rewrite(self, question: Query, history: Sequence[Turn]) -> Rewrite:
        try:
            return Rewrite(await self._llm.condense(question.text, history, question.language))
        except LlmUnavailable as exc:
            logger.warning("follow-up rewriting fell back to key terms cause=%s reason=%s", exc.cause, exc)
            rewrite = await self._offline.rewrite(question, history)
            return replace(rewrite, degraded=exc.cause)
