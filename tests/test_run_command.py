"""`qabot run` checks the index before serving (a damaged one is named, with the repair), and a\nrefused token or an unreachable Bot API ends in one sentence."""

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

from cli.commands.run import check_index, run
from qabot.services import build_services
from retrieval.errors import QabotError
from tests.fakes.embedder import HashingEmbedder


def test_a_damaged_index_is_reported_at_start_with_the_repair(
    make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    [faiss_file] = settings.index_dir.glob("gen-*/dense.faiss")
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])  # truncated

    check_index(build_services(settings, embedder=HashingEmbedder()))
    assert "qabot index --full" in capsys.readouterr().err


def test_a_missing_index_is_reported_at_start(
    make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    check_index(build_services(make_settings(), embedder=HashingEmbedder()))
    assert "qabot index" in capsys.readouterr().err


def test_a_sound_index_starts_quietly(make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings()
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    check_index(build_services(settings, embedder=HashingEmbedder()))
    assert capsys.readouterr().err == ""


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
