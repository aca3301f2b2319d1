"""Logging set-up, once, at the entry point; secrets are redacted from every record."""

from __future__ import annotations

import logging

from qabot.settings import Settings


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


def configure_logging(level: str, settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Telegram's URLs carry the token.
    for noisy in ("httpx", "httpcore", "telegram.ext._utils.networkloop", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
