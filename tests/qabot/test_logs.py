"""LOG_FORMAT: text by default, JSON lines with the context on demand, secrets redacted in both
(tracebacks included)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from qabot.logs import configure_logging, log_context

SECRET_TOKEN = "123456:SECRETtokenVALUE"


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_json_lines_carry_the_context_and_redact_tracebacks(
    make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", make_settings(log_format="json", telegram_bot_token=SECRET_TOKEN))
    log = logging.getLogger("qabot.test")
    with log_context(update=12, chat=-100):
        log.info("answer chat=%s", -100, extra={"answer": 7, "timings_ms": {"total": 12.5}})
        try:
            raise RuntimeError(f"call to https://api/bot{SECRET_TOKEN}/getMe failed")
        except RuntimeError:
            log.exception("failed", extra={"cause": "RuntimeError"})
    log.info("outside")
    first, failed, outside = (json.loads(line) for line in _lines(capsys))
    assert first["message"] == "answer chat=-100" and first["level"] == "INFO" and first["logger"] == "qabot.test"
    assert first["update"] == 12 and first["chat"] == -100 and first["answer"] == 7
    assert first["timings_ms"] == {"total": 12.5} and first["time"].endswith("+00:00")
    assert failed["cause"] == "RuntimeError" and "RuntimeError" in failed["exc_info"]
    assert SECRET_TOKEN not in json.dumps(failed) and "[REDACTED]" in failed["exc_info"]
    assert "update" not in outside and "chat" not in outside


def test_text_is_the_default(make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", make_settings())
    with log_context(update=12):
        logging.getLogger("qabot.test").info("index ready")
    [line] = _lines(capsys)
    assert line.endswith("INFO qabot.test: index ready")
