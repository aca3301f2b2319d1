"""A GGUF model run in this process by llama-cpp-python (`LLM_PROVIDER=local`).

Why llama_cpp directly rather than LangChain's `ChatLlamaCpp`: the answerer must be able to
stop a generation at its timeout and keep the model locked until the worker thread has really
stopped (ChatLlamaCpp's async stream runs the sync one in an executor it cannot interrupt);
structured output is llama.cpp's `response_format` with a JSON schema, compiled to a grammar
(ChatLlamaCpp only reaches the grammar through tool calling, which needs a function-calling chat
format the model may not have); and it spares the default install langchain-community.

`LocalModel` is the loaded file: loaded once with the services, thread-safe (one generation at
a time behind a thread lock), bound to no event loop. `LocalChat` is what the LLM answerer talks
to: generation in a worker thread (the event loop never waits on it), pieces handed back to
the loop as they come, and one question at a time with a bounded wait queue: a question that
finds `queue_size` others waiting, or waits `queue_wait_s`, gets `LlmUnavailable(cause="busy")`
and the service answers it extractively with a note that says so.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage

from answering.llm import STOP_SEQUENCES, CitedAnswer, LlmUnavailable
from retrieval.errors import QabotError

if TYPE_CHECKING:
    from llama_cpp import Llama

logger = logging.getLogger(__name__)

ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LocalModelError(QabotError):
    """The local model cannot be loaded; the message names the setting and the fix."""


@dataclass(frozen=True, slots=True)
class Generation:
    """One generation's text and counts, for the log and the speed benchmark."""

    text: str
    prompt_tokens: int
    generated_tokens: int
    first_piece_s: float  # prompt processing, up to the first generated piece
    total_s: float


class LocalModel:
    """A GGUF file loaded by llama-cpp-python; `generate` is blocking: call it off the loop."""

    def __init__(self, path: Path, *, threads: int = 0, context_tokens: int = 4096) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise LocalModelError(
                "LLM_PROVIDER=local needs llama-cpp-python: install it with pip install -e '.[local-llm]'."
            ) from None
        if not path.is_file():
            raise LocalModelError(f"LLM_MODEL_PATH {str(path)!r} is not a file: point it at a GGUF model file.")
        self.path = path
        # llama.cpp's own default; on a shared machine more threads than free cores makes its
        # threads wait on each other (measured here: 63 s instead of 4 s for one answer).
        self.threads = threads or max(1, (os.cpu_count() or 2) // 2)
        started = time.perf_counter()
        try:
            self._llama: Llama | None = Llama(
                model_path=str(path), n_ctx=context_tokens, n_threads=self.threads, n_threads_batch=self.threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise LocalModelError(
                f"LLM_MODEL_PATH {str(path)!r} could not be loaded as a GGUF model ({exc}): check the file."
            ) from exc
        # llama.cpp's context is not thread-safe: one generation at a time, whoever asks.
        self._lock = threading.Lock()
        logger.info("local model loaded path=%s threads=%d context=%d load_ms=%.0f",
                    path.name, self.threads, context_tokens, (time.perf_counter() - started) * 1000)

    def generate(
        self,
        messages: Sequence[BaseMessage],
        *,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str] = (),
        json_schema: dict[str, Any] | None = None,
        on_piece: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Generation:
        """The model's reply to `messages`, streamed piece by piece to `on_piece`; stops at
        `max_tokens`, a stop sequence, or as soon as `cancel` is set."""
        chat = [{"role": ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        with self._lock:
            if self._llama is None:
                raise LlmUnavailable("the local model is closed", "unreachable")
            started = time.perf_counter()
            first_piece_s = 0.0
            pieces: list[str] = []
            count = 0
            stream = self._llama.create_chat_completion(
                messages=chat,  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=temperature,
                stop=list(stop) or None,
                response_format={"type": "json_object", "schema": json_schema} if json_schema else None,
                stream=True,
            )
            try:
                for chunk in stream:
                    if cancel is not None and cancel.is_set():
                        break
                    piece = str(chunk["choices"][0]["delta"].get("content") or "")  # type: ignore[index, union-attr]
                    if not piece:
                        continue
                    count += 1
                    if count == 1:
                        first_piece_s = time.perf_counter() - started
                    pieces.append(piece)
                    if on_piece is not None:
                        on_piece(piece)
            finally:
                stream.close()  # type: ignore[union-attr]
            # The context now holds the prompt and what was generated (a piece is a token,
            # save the odd multi-byte character split over two).
            prompt_tokens = max(0, int(self._llama.n_tokens) - count)
        return Generation("".join(pieces), prompt_tokens, count, first_piece_s, time.perf_counter() - started)

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` in this model's vocabulary."""
        with self._lock:
            if self._llama is None:
                raise LlmUnavailable("the local model is closed", "unreachable")
            return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def close(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None


class LocalChat:
    """The LLM answerer's backend for an in-process model (see the module docstring)."""

    def __init__(
        self, model: LocalModel, *, max_tokens: int, temperature: float, queue_size: int, queue_wait_s: float
    ) -> None:
        self._model = model
        self._max_tokens = max_tokens
        self._temperature = temperature
        self._queue_size = queue_size
        self._queue_wait_s = queue_wait_s
        self._turn: asyncio.Lock | None = None
        self._waiting = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold the model for one question; wait in a bounded queue, else `busy`."""
        if self._turn is None:
            self._turn = asyncio.Lock()
        if self._turn.locked() and self._waiting >= self._queue_size:
            raise LlmUnavailable(f"{self._waiting} questions already wait for the local model", "busy")
        self._waiting += 1
        try:
            async with asyncio.timeout(self._queue_wait_s):
                await self._turn.acquire()
        except TimeoutError:
            raise LlmUnavailable(f"waited {self._queue_wait_s:g} s for the local model", "busy") from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._turn.release()

    async def stream(self, messages: Sequence[BaseMessage], on_piece: Callable[[str], Awaitable[None]]) -> str:
        return (await self._generate(messages, STOP_SEQUENCES, None, on_piece)).text

    async def structured(self, messages: Sequence[BaseMessage]) -> CitedAnswer:
        """The answer as JSON constrained by llama.cpp's grammar; raises when it does not parse
        (e.g. cut by max_tokens)."""
        generation = await self._generate(messages, (), CitedAnswer.model_json_schema(), None)
        return CitedAnswer.model_validate_json(generation.text)

    async def complete(self, messages: Sequence[BaseMessage]) -> str:
        return (await self._generate(messages, (), None, None)).text

    async def _generate(
        self,
        messages: Sequence[BaseMessage],
        stop: Sequence[str],
        json_schema: dict[str, Any] | None,
        on_piece: Callable[[str], Awaitable[None]] | None,
    ) -> Generation:
        """Generate in a worker thread, handing pieces back to this loop; when the caller is
        cancelled (its timeout), tell the thread to stop and wait for it, so the model is free
        when the turn ends."""
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[str | None] = asyncio.Queue()
        cancel = threading.Event()

        def hand_back(item: str | None) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(pieces.put_nowait, item)

        def work() -> Generation:
            try:
                return self._model.generate(
                    messages, max_tokens=self._max_tokens, temperature=self._temperature, stop=stop,
                    json_schema=json_schema, on_piece=hand_back if on_piece else None, cancel=cancel,
                )
            finally:
                hand_back(None)

        worker = asyncio.ensure_future(asyncio.to_thread(work))
        try:
            while (piece := await pieces.get()) is not None:
                if on_piece is not None:
                    await on_piece(piece)
            generation = await worker
        finally:
            if not worker.done():
                cancel.set()
                # One token at most: the thread checks `cancel` between tokens.
                await asyncio.wait([worker])
                if not worker.cancelled():
                    worker.exception()  # retrieved: the caller's own exception is what matters
        logger.info(
            "local generation prompt_tokens=%d generated_tokens=%d first_piece_ms=%.0f total_ms=%.0f",
            generation.prompt_tokens, generation.generated_tokens, generation.first_piece_s * 1000,
            generation.total_s * 1000,
        )
        return generation
