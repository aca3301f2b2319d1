"""Logging set-up, once, at the entry point; secrets are redacted from every record.

LOG_FORMAT=text (the default) writes a line a person reads; LOG_FORMAT=json one JSON object per
line (time, level, logger, message, and the record's context: the update and chat being
handled, the answer id, stage timings, outcome, error cause) for a log pipeline. A record's
context is what its call passes in `extra=`, plus what `log_context` holds for the update being
handled. Never article text or a secret; a reader's question only at DEBUG.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from qabot.settings import Settings

# Re-exported for the CLI, which keeps this logger's narration of a first run's model
# preparation on even when it is quiet.
from retrieval.encoders.model_cache import PROGRESS_LOGGER as PROGRESS_LOGGER

# What is being handled (update id, chat), for every record logged meanwhile, however deep.
# A ContextVar is asyncio's own per-task state: each update's task (and the worker threads it
# starts) sees its own values, so this is not state shared between updates.
_CONTEXT: contextvars.ContextVar[tuple[tuple[str, Any], ...]] = contextvars.ContextVar("qabot_log_context", default=())


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add `fields` to every record logged inside the block (in this task and what it awaits)."""
    token = _CONTEXT.set(tuple({**dict(_CONTEXT.get()), **fields}.items()))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class AddContext(logging.Filter):
    """Copy `log_context`'s fields onto the record (a field the call passed itself wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _CONTEXT.get():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class RedactSecrets(logging.Filter):
    """Replace the bot token and API key wherever they appear in a record (URLs included)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def secrets_of(settings: Settings) -> list[str]:
    values = [settings.llm_api_key.get_secret_value()]
    if settings.telegram_bot_token:
        values.append(settings.telegram_bot_token.get_secret_value())
    if settings.telegram_webhook_secret:
        values.append(settings.telegram_webhook_secret.get_secret_value())
    return [v for v in values if v and v != "not-needed"]


class RedactedJsonFormatter(JsonFormatter):
    """One JSON object per line; a traceback is redacted like the message (the JSON formatter
    formats it afresh from the exception, not from the redacted text)."""

    def __init__(self, redact: RedactSecrets) -> None:
        super().__init__(
            "{levelname}{name}{message}", style="{", timestamp="time",
            rename_fields={"levelname": "level", "name": "logger"}, json_ensure_ascii=False,
        )
        self._redact = redact

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's naming
        return self._redact.redact(str(super().formatException(ei)))


def formatter_for(log_format: str, redact: RedactSecrets) -> logging.Formatter:
    if log_format == "json":
        return RedactedJsonFormatter(redact)
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_logging(level: str, settings: Settings) -> None:
    handler = logging.StreamHandler()
    redact = RedactSecrets(secrets_of(settings))
    handler.setFormatter(formatter_for(settings.log_format, redact))
    handler.addFilter(redact)
    handler.addFilter(AddContext())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Telegram's URLs carry the token.
    # uvicorn's access log would add a line per scrape and probe.
    for noisy in ("httpx", "httpcore", "telegram.ext._utils.networkloop", "sentence_transformers", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
