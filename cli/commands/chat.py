"""`qabot chat`: the bot's conversation in a terminal (also what `make run` opens without a token).

Commands: /sources shows the passages cited by the last answer, /new starts over, /quit leaves.
Works from a pipe too: `printf 'question\\n/sources\\n' | qabot chat`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from answering.protocol import Answer, Turn
from cli.commands.ask import format_answer, format_sources
from qabot.frontdoor import FrontDoor
from qabot.services import build_services
from qabot.settings import Settings
from retrieval.errors import QabotError

logger = logging.getLogger(__name__)

HELP = "Ask a question about the articles. /sources: cited passages · /new: start over · /quit: leave"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("chat", help="talk to the bot in the terminal")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    with build_services(settings) as services:
        stats = services.retriever.stats()
        print(f"qabot — {stats.articles} article(s), {stats.chunks} passages. {HELP}")
        return asyncio.run(_loop(services, settings.history_turns))


async def _loop(answers: FrontDoor, history_turns: int) -> int:
    history: list[Turn] = []
    last: Answer | None = None
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = await asyncio.to_thread(input, "› " if interactive else "")
        except EOFError:
            return 0
        question = line.strip()
        if not question:
            continue
        if not interactive:
            print(f"› {question}")  # a transcript that reads like the conversation
        if question in {"/quit", "/exit"}:
            return 0
        if question == "/new":
            history, last = [], None
            print("New conversation.")
            continue
        if question == "/sources":
            print(format_sources(last) if last else "No answer yet.")
            continue
        if question.startswith("/"):
            print(HELP)
            continue
        try:
            last = await answers.ask(question, history)
        except QabotError as exc:
            print(f"qabot: {exc}")
            continue
        except Exception:  # noqa: BLE001 - one bad question must not end the conversation
            logger.exception("question failed")
            print("qabot: sorry, something went wrong with that question (details in the log).")
            continue
        print(format_answer(last))
        print()
        history = [*history, Turn(question, last.text, last.answered)][-history_turns:] if history_turns else []
