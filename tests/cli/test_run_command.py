"""`qabot run` opens (and so checks) the index once, as it starts serving: a damaged or missing
one is named in the log with its repair; a refused token or an unreachable Bot API ends in one
sentence."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cli.commands.run import run
from qabot.errors import QabotError
from qabot.services import Services, build_services
from retrieval.local.index import IndexStore
from tests.fakes.embedder import HashingEmbedder


def _open(services: Services) -> None:
    """What the bot's post_init does: open the services (the index verified, the models warmed)."""
    asyncio.run(services.open())
    services.close_now()


def _errors(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


def test_a_damaged_index_is_reported_at_start_with_the_repair(
    make_settings: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings()
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    [faiss_file] = settings.index_dir.glob("gen-*/dense.faiss")
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])  # truncated

    _open(build_services(settings, embedder=HashingEmbedder()))
    assert "qabot index --full" in _errors(caplog)


def test_a_missing_index_is_reported_at_start(make_settings: Callable[..., Any], caplog: pytest.LogCaptureFixture) -> None:
    _open(build_services(make_settings(), embedder=HashingEmbedder()))
    assert "qabot index" in _errors(caplog)


def test_a_sound_index_starts_quietly(make_settings: Callable[..., Any], caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings()
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    _open(build_services(settings, embedder=HashingEmbedder()))
    assert _errors(caplog) == ""


class _OpensOnStart:
    """The application `qabot run` serves, reduced to its start-up: post_init opens the services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def run_polling(self, **kw: Any) -> None:
        _open(self.services)


def test_the_index_is_opened_once_at_start(
    make_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import cli.serving
    import qabot.services

    settings = make_settings(telegram_bot_token="123456:ABCdef")
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    opened: list[object] = []
    real_open = IndexStore.open
    def counted_open(store: IndexStore, *a: object, **kw: object) -> object:
        opened.append(a)
        return real_open(store, *a, **kw)  # type: ignore[arg-type]  # passed through as given

    monkeypatch.setattr(IndexStore, "open", counted_open)
    monkeypatch.setattr(qabot.services, "build_services", lambda s: build_services(s, embedder=HashingEmbedder()))
    monkeypatch.setattr(cli.serving, "compose", lambda s, services: _OpensOnStart(services))
    caplog.set_level(logging.INFO)
    assert run(argparse.Namespace(), settings) == 0
    assert len(opened) == 1
    assert sum("index ready" in r.getMessage() for r in caplog.records) == 1


class _Unauthorized(BaseHTTPRequestHandler):
    """What api.telegram.org answers to a revoked or mistyped token."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve_with_the_real_bot(settings: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    import qabot.services

    # `run` imports the services when it runs (they are heavy): patched where it finds them.
    monkeypatch.setattr(qabot.services, "build_services", lambda s: build_services(s, embedder=HashingEmbedder()))
    # run_polling closes the loop it ran on, as a process about to exit may; each run gets its own.
    asyncio.set_event_loop(asyncio.new_event_loop())
    return run(argparse.Namespace(), settings)


def test_a_token_telegram_refuses_is_one_sentence_without_the_token(
    make_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ"
    settings = make_settings(telegram_bot_token=token, telegram_api_base_url=f"http://127.0.0.1:{server.server_port}/bot")
    try:
        with pytest.raises(QabotError) as refused:
            _serve_with_the_real_bot(settings, monkeypatch)
    finally:
        server.shutdown()
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in str(refused.value) and token not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_an_unreachable_bot_api_is_one_sentence_naming_it(
    make_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}/bot"
    settings = make_settings(telegram_bot_token="123456:ABCdef", telegram_api_base_url=base)
    with pytest.raises(QabotError, match="Could not reach the Telegram Bot API at " + base):
        _serve_with_the_real_bot(settings, monkeypatch)
    # PTB's own traceback of the failed start-up is not printed above that sentence.
    noisy = [r for r in caplog.records if r.name.startswith("telegram") and (r.exc_info or r.levelno >= logging.ERROR)]
    assert noisy == [], [r.getMessage() for r in noisy]
