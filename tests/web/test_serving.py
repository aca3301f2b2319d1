"""`qabot run`'s bot and its HTTP server, composed as `qabot run` composes them (real services
over a hashing embedder, the real PTB application polling the loopback Bot API, uvicorn on the
same loop): health, readiness before and after indexing, metrics scraped and parsed after a
question, and the JSON log lines of that question."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import qabot.services
from cli.commands import run as run_command
from qabot.logs import configure_logging
from qabot.services import Services, build_services
from tests.conftest import free_port
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.web.conftest import serve_composed

QUESTION = "Combien de civils ont fui Alep depuis le début de l'offensive ?"
CHAT = 31


@dataclass
class Running:
    tg: FakeTelegram
    services: Services
    url: str
    http: httpx.AsyncClient

    async def scrape(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Every sample of /metrics, by name and labels, parsed with prometheus_client's parser."""
        response = await self.http.get(f"{self.url}/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }

    async def answer(self, text: str) -> Any:
        before = len(self.tg.sent(CHAT))
        self.tg.message(text, chat_id=CHAT)
        return await self.tg.wait_for(
            lambda: next((m for m in self.tg.sent(CHAT)[before:] if any(b["text"] == "👍" for b in m.buttons())), None)
        )


@pytest.fixture
async def running(make_settings: Callable[..., Any], no_network: None) -> AsyncIterator[Running]:
    """`qabot run` with METRICS_PORT set, before any index was built."""
    tg = FakeTelegram()
    await tg.start()
    port = free_port()
    settings = make_settings(telegram_bot_token=TOKEN, telegram_api_base_url=tg.base_url, metrics_port=port)
    services = build_services(settings, embedder=HashingEmbedder())
    async with contextlib.AsyncExitStack() as stack:
        await serve_composed(stack, tg, settings, services)
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        yield Running(tg, services, f"http://127.0.0.1:{port}", http)
    # The server went with the bot: nothing listens any more.
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as after:
            await after.get(f"http://127.0.0.1:{port}/healthz")


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_ready_only_once_indexed_and_live_throughout(running: Running) -> None:
    live = await running.http.get(f"{running.url}/healthz")
    assert live.status_code == 200 and live.json() == {"status": "ok"}

    before = await running.http.get(f"{running.url}/readyz")
    assert before.status_code == 503
    body = before.json()
    assert body["ready"] is False
    assert body["checks"]["index"]["ok"] is False and "qabot index" in body["checks"]["index"]["problem"]
    assert body["checks"]["database"] == {"ok": True, "problem": None}
    assert body["checks"]["models"] == {"ok": True, "problem": None}
    assert value(await running.scrape(), "qabot_ready", check="index") == 0

    await running.services.reindex()
    after = await running.http.get(f"{running.url}/readyz")
    assert after.status_code == 200, after.json()
    assert after.json()["ready"] is True and all(c["ok"] for c in after.json()["checks"].values())


async def test_a_question_moves_the_counters_and_histograms(running: Running) -> None:
    report = await running.services.reindex()
    before = await running.scrape()
    assert value(before, "qabot_reindex_runs_total", kind="incremental", outcome="ok") == 1
    assert value(before, "qabot_reindex_duration_seconds_count", kind="incremental") == 1
    assert value(before, "qabot_index_articles") == report.added > 0
    assert value(before, "qabot_index_chunks") == report.chunks
    assert value(before, "qabot_index_generation") == int(report.generation.rsplit("-", 1)[1])
    assert value(before, "qabot_questions_total", outcome="answered", fallback="none") == 0
    assert {check: value(before, "qabot_ready", check=check) for check in ("index", "models", "database")} == {
        "index": 1, "models": 1, "database": 1,
    }

    # The same question asked of the answer service itself (not counted: below the front door).
    outcome = "answered" if (await running.services.answers.ask(QUESTION)).answered else "declined"
    # A 502 answered to the first sendMessage is retried (network), and counted both ways.
    running.tg.fail("sendMessage", status=502, times=1)
    await running.answer(QUESTION)

    after = await running.scrape()
    asked = sum(value(after, "qabot_questions_total", outcome=o, fallback="none") for o in ("answered", "declined"))
    assert asked == 1
    assert value(after, "qabot_questions_total", outcome=outcome, fallback="none") == 1, outcome
    for stage in ("retrieve", "answerer", "total"):
        assert value(after, "qabot_answer_stage_seconds_count", stage=stage) == 1, stage
        assert value(after, "qabot_answer_stage_seconds_sum", stage=stage) > 0, stage
    assert value(after, "qabot_telegram_api_errors_total", method="sendMessage", error="NetworkError") == 1
    assert value(after, "qabot_telegram_api_retries_total", method="sendMessage", reason="network") == 1
    assert value(after, "qabot_bot_updates_in_progress") == 0
    assert ("qabot_bot_update_queue_depth", ()) in after


async def test_json_logs_carry_the_context_and_never_the_question_above_debug(
    running: Running, make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    await running.services.reindex()
    root = logging.getLogger()
    level = root.level
    configure_logging("DEBUG", make_settings(log_format="json"))
    try:
        capsys.readouterr()
        await running.answer(QUESTION)
        err = capsys.readouterr().err
    finally:
        root.setLevel(level)
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)

    [answered] = [r for r in records if r["logger"] == "bot.handlers.ask" and r["message"].startswith("answer ")]
    assert answered["level"] == "INFO" and answered["chat"] == CHAT
    assert isinstance(answered["update"], int) and isinstance(answered["answer"], int)
    assert answered["outcome"] in ("answered", "declined")
    assert {"retrieve", "generate", "total"} <= set(answered["timings_ms"])

    with_question = [r for r in records if QUESTION in json.dumps(r, ensure_ascii=False)]
    assert any(r["logger"] == "bot.handlers.ask" for r in with_question)  # it is logged, at DEBUG
    assert {r["level"] for r in with_question} == {"DEBUG"}


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_qabot_run_serves_beside_the_bot_and_stops_with_it_on_ctrl_c(
    mode: str, make_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    """`qabot run` itself (run_polling or run_webhook owns the loop and the signals): the
    server answers beside the bot (and beside PTB's own webhook server), and Ctrl-C (SIGINT, as
    a terminal sends it) stops both."""
    loop = asyncio.new_event_loop()  # the loopback Bot API's, in a thread of its own
    threading.Thread(target=loop.run_forever, daemon=True).start()
    tg = FakeTelegram()
    asyncio.run_coroutine_threadsafe(tg.start(), loop).result(10)
    port = free_port()
    webhook: dict[str, Any] = {}
    if mode == "webhook":
        hook_port = free_port()
        webhook = {"telegram_webhook_url": f"http://127.0.0.1:{hook_port}/tg", "telegram_webhook_port": hook_port}
    settings = make_settings(telegram_bot_token=TOKEN, telegram_api_base_url=tg.base_url, metrics_port=port, **webhook)
    monkeypatch.setattr(qabot.services, "build_services", lambda s: build_services(s, embedder=HashingEmbedder()))
    seen: dict[str, Any] = {}

    def probe_then_interrupt() -> None:
        """Live first (the server starts before the answer service is built), then the bot's
        database open."""
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and "database" not in seen:
                with contextlib.suppress(httpx.TransportError):
                    seen.setdefault("health", httpx.get(f"http://127.0.0.1:{port}/healthz").status_code)
                    checks = httpx.get(f"http://127.0.0.1:{port}/readyz").json()["checks"]
                    if checks["database"]["ok"]:
                        seen["database"] = checks
                time.sleep(0.05)
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    # run_polling closes the loop it ran on; this run gets its own.
    asyncio.set_event_loop(asyncio.new_event_loop())
    prober = threading.Thread(target=probe_then_interrupt)
    prober.start()
    try:
        assert run_command.run(argparse.Namespace(), settings) == 0
    finally:
        prober.join()
        asyncio.run_coroutine_threadsafe(tg.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
    assert seen["health"] == 200
    assert seen["database"]["index"]["ok"] is False  # never indexed: not ready, and says why
    if mode == "webhook":
        assert tg.webhook is not None and tg.webhook["url"] == webhook["telegram_webhook_url"]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz")
