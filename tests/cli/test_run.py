"""`qabot run`: the terminal chat without a token; polling or webhook with one."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

import bot.app
import cli.serving
import qabot.services
from cli.commands import chat as chat_command
from cli.commands import run as run_command
from qabot.metrics import Metrics
from qabot.settings import Settings
from tests.fakes.telegram_server import TOKEN


class RecordingApplication:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def run_polling(self, **kw: Any) -> None:
        self.calls.append(("polling", kw))

    def run_webhook(self, **kw: Any) -> None:
        self.calls.append(("webhook", kw))


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> RecordingApplication:
    application = RecordingApplication()
    services = SimpleNamespace(metrics=Metrics())
    # `qabot run` imports the bot and the services when it runs (they are heavy): patched at home.
    monkeypatch.setattr(qabot.services, "build_services", lambda settings: services)
    monkeypatch.setattr(cli.serving, "build_application", lambda settings, services, **kw: application)
    return application


def test_register_adds_the_run_command() -> None:
    parser = argparse.ArgumentParser()
    run_command.register(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["run"]).func is run_command.run


def test_without_a_token_it_opens_the_terminal_chat(make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    opened: list[object] = []
    def open_chat(args: argparse.Namespace, settings: Settings) -> int:
        opened.append(settings)
        return 0

    monkeypatch.setattr(chat_command, "run", open_chat)
    settings = make_settings()
    assert run_command.run(argparse.Namespace(), settings) == 0
    assert opened == [settings]
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in out


def test_with_a_token_it_polls(make_settings: Callable[..., Settings], recorded: RecordingApplication) -> None:
    assert run_command.run(argparse.Namespace(), make_settings(telegram_bot_token=TOKEN)) == 0
    assert [name for name, _ in recorded.calls] == ["polling"]


def test_with_a_webhook_url_it_serves_the_webhook(make_settings: Callable[..., Settings], recorded: RecordingApplication) -> None:
    settings = make_settings(
        telegram_bot_token=TOKEN, telegram_webhook_url="https://bot.example.org/tg/hook",
        telegram_webhook_port=8444, telegram_webhook_secret="s3cret-token",
    )
    assert run_command.run(argparse.Namespace(), settings) == 0
    [(name, kw)] = recorded.calls
    assert name == "webhook"
    assert kw["webhook_url"] == "https://bot.example.org/tg/hook" and kw["url_path"] == "tg/hook"
    assert kw["port"] == 8444 and kw["listen"] == "127.0.0.1" and kw["secret_token"] == "s3cret-token"


def test_file_url_follows_the_api_base_url() -> None:
    assert bot.app.file_url_for("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert bot.app.file_url_for("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert bot.app.file_url_for("http://h/bot{token}/") == "http://h/file/bot{token}/"
