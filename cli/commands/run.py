"""`qabot run`: the Telegram bot (long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set),
and with METRICS_PORT its HTTP server (metrics, health) on the same event loop (cli/serving.py
composes them).

Without TELEGRAM_BOT_TOKEN it says so in one line and opens the terminal chat instead.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from cli.commands import chat
from qabot.errors import QabotError
from qabot.settings import Settings

if TYPE_CHECKING:
    from telegram.ext import Application

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="start the Telegram bot (the terminal chat without a token)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token is None:
        print("No TELEGRAM_BOT_TOKEN set: opening the terminal chat instead of the Telegram bot.")
        # The chat prints its own answers; the bot's narration would only interleave with them.
        logging.getLogger().setLevel(logging.WARNING)
        return int(chat.run(args, settings) or 0)

    # Telegram, the bot and the models are heavy: imported by this command only.
    from telegram.error import InvalidToken, NetworkError

    from cli.serving import compose
    from qabot.services import build_services

    # The application opens the services in post_init (the index is opened and verified there,
    # once: a damaged or missing one is logged with its repair, and the bot serves all the same
    # so an admin can repair it from Telegram) and closes them in post_shutdown.
    services = build_services(settings)
    application = compose(settings, services)
    quiet = QuietBootstrapFailure()
    ptb = logging.getLogger("telegram.ext")
    ptb.addFilter(quiet)
    try:
        serve(application, settings)
    except InvalidToken:
        # PTB's message quotes the token itself: say it without it, and without the chain.
        raise QabotError(
            "Telegram refused TELEGRAM_BOT_TOKEN: copy the token @BotFather gave you into .env."
        ) from None
    except NetworkError as exc:
        raise QabotError(
            f"Could not reach the Telegram Bot API at {settings.telegram_api_base_url} ({exc.message}): check the "
            "network, or TELEGRAM_API_BASE_URL for a self-hosted Bot API server."
        ) from None
    finally:
        ptb.removeFilter(quiet)
    return 0


class QuietBootstrapFailure(logging.Filter):
    """PTB logs its failed start-up (getMe, deleteWebhook) with a traceback, then raises; `run`
    turns what it raises into one sentence, so the traceback above it is noise: it goes to
    DEBUG, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and "Bootstrap" in record.getMessage():
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            record.exc_info, record.exc_text = None, None
        return True


def serve(application: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    """Long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set; returns when stopped."""
    from telegram import Update

    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        application.run_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=urlparse(settings.telegram_webhook_url).path.lstrip("/"),
            webhook_url=settings.telegram_webhook_url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)

