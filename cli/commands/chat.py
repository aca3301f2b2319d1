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
        return _loop(services, settings.history_turns)


def _loop(answers: FrontDoor, history_turns: int) -> int:
    """Read a line, answer it, repeat. The prompt is read on the main thread, with no event loop
    running (one Runner runs each answer): Ctrl-C there interrupts input() at once and drops
    the line being typed, as in a shell, where reading it on a worker thread left Ctrl-C waiting
    for Enter. Ctrl-C during an answer abandons that answer; Ctrl-D or /quit leaves."""
    history: list[Turn] = []
    last: Answer | None = None
    interactive = sys.stdin.isatty()
    with asyncio.Runner() as runner:
        while True:
            try:
                line = input("› " if interactive else "")
            except EOFError:
                return 0
            except KeyboardInterrupt:
                print()  # a fresh prompt on its own line
                continue
            try:
                result = _one_line(runner, answers, line, history, last, history_turns, interactive)
            except KeyboardInterrupt:
                print("\n(interrupted)")
                continue
            if result is None:
                return 0
            history, last = result


def _one_line(
    runner: asyncio.Runner, answers: FrontDoor, line: str, history: list[Turn], last: Answer | None,
    history_turns: int, interactive: bool,
) -> tuple[list[Turn], Answer | None] | None:
    """Handle one line of the conversation; the new (history, last answer), None to leave."""
    question = line.strip()
    if not question:
        return history, last
    if not interactive:
        print(f"› {question}")  # a transcript that reads like the conversation
    if question in {"/quit", "/exit"}:
        return None
    if question == "/new":
        print("New conversation.")
        return [], None
    if question == "/sources":
        print(format_sources(last) if last else "No answer yet.")
        return history, last
    if question.startswith("/"):
        print(HELP)
        return history, last
    try:
        answer = runner.run(answers.ask(question, history))
    except QabotError as exc:
        print(f"qabot: {exc}")
        return history, last
    except Exception:  # noqa: BLE001 - one bad question must not end the conversation
        logger.exception("question failed")
        print("qabot: sorry, something went wrong with that question (details in the log).")
        return history, last
    print(format_answer(answer))
    print()
    turns = [*history, Turn(question, answer.text, answer.answered)]
    return (turns[-history_turns:] if history_turns else []), answer
