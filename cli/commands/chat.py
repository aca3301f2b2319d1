"""`qabot chat`: the bot's conversation in a terminal (also what `make run` opens without a token).

Commands: /sources shows the passages cited by the last answer, /new starts over, /quit leaves.
Works from a pipe too: `printf 'question\\n/sources\\n' | qabot chat`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cli.commands.ask import format_answer, format_sources
from cli.front import front_door
from qabot.errors import QabotError
from qabot.settings import Settings

if TYPE_CHECKING:
    from qabot.frontdoor import Answer, FrontDoor, Turn

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("chat", help="talk to the bot in the terminal")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    with front_door(settings) as front:
        stats = asyncio.run(front.stats())
        conversation = Conversation()
        print(f"qabot — {stats.articles} article(s), {stats.chunks} passages. {conversation.say('help')}")
        return _loop(front, settings.history_turns, conversation)


@dataclass
class Conversation:
    """What the terminal chat remembers: recent turns, the last answer, and the language the
    person writes in (its own messages follow it, French until a question says otherwise)."""

    history: list[Turn] = field(default_factory=list)
    last: Answer | None = None
    language: str = "fr"

    def say(self, key: str) -> str:
        return CHAT_TEXTS[key].get(self.language, CHAT_TEXTS[key]["fr"])


CHAT_TEXTS = {
    # French first, as the chat speaks until a question is asked in English.
    "help": {
        "fr": "Posez une question sur les articles. /sources : passages cités · /new : recommencer · /quit : quitter",
        "en": "Ask a question about the articles. /sources: cited passages · /new: start over · /quit: leave",
    },
    "new": {"fr": "Nouvelle conversation.", "en": "New conversation."},
    "no_answer": {"fr": "Pas encore de réponse.", "en": "No answer yet."},
    "no_sources": {"fr": "La dernière réponse ne cite aucun passage.", "en": "The last answer cites no passage."},
    "no_words": {
        "fr": "Je ne vois pas de question dans ce message. Écrivez-la en toutes lettres, par exemple : "
        "Que s'est-il passé à Alep ?",
        "en": "I see no question in this message. Please type it in words, for example: What happened in Aleppo?",
    },
    "small_talk_greeting": {
        "fr": "Je réponds aux questions sur les articles, sources à l'appui : posez la vôtre, par exemple : "
        "Que s'est-il passé à Alep ?",
        "en": "I answer questions about the articles, with their sources: ask yours, for example: "
        "What happened in Aleppo?",
    },
    "small_talk_thanks": {"fr": "Une autre question ? Je suis là.", "en": "Another question? I'm here."},
    "unknown_command": {"fr": "Commande inconnue : {command}.", "en": "Unknown command: {command}."},
    "interrupted": {"fr": "(interrompu)", "en": "(interrupted)"},
    "failed": {
        "fr": "qabot : désolé, cette question a échoué (détails dans le journal).",
        "en": "qabot: sorry, something went wrong with that question (details in the log).",
    },
}


def _loop(answers: FrontDoor, history_turns: int, conversation: Conversation) -> int:
    """Read a line, answer it, repeat. The prompt is read on the main thread, with no event loop
    running (one Runner runs each answer): Ctrl-C there interrupts input() at once and drops
    the line being typed, as in a shell, where reading it on a worker thread left Ctrl-C waiting
    for Enter. Ctrl-C during an answer abandons that answer; Ctrl-D or /quit leaves."""
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
                if not _one_line(runner, answers, line, conversation, history_turns, interactive):
                    return 0
            except KeyboardInterrupt:
                print("\n" + conversation.say("interrupted"))


def _one_line(
    runner: asyncio.Runner, answers: FrontDoor, line: str, conversation: Conversation,
    history_turns: int, interactive: bool,
) -> bool:
    """Handle one line of the conversation; False to leave."""
    from qabot.frontdoor import has_words, small_talk  # loaded by now: the front door is open

    question = line.strip()
    if not question:
        return True
    if not interactive:
        print(f"› {question}")  # a transcript that reads like the conversation
    if question in {"/quit", "/exit"}:
        return False
    if question == "/new":
        conversation.history, conversation.last = [], None
        print(conversation.say("new"))
    elif question == "/sources":
        last = conversation.last
        if last is None:
            print(conversation.say("no_answer"))
        else:
            print(format_sources(last) if last.citations else conversation.say("no_sources"))
    elif question.startswith("/"):
        command = question.split()[0]
        if command not in {"/help", "/start"}:
            print(conversation.say("unknown_command").format(command=command), end=" ")
        print(conversation.say("help"))
    elif not has_words(question):
        print(conversation.say("no_words"))
    elif (talk := small_talk(question)) is not None:
        print(conversation.say(f"small_talk_{talk}"))
    else:
        _ask(runner, answers, question, conversation, history_turns)
    return True


def _ask(runner: asyncio.Runner, answers: FrontDoor, question: str, conversation: Conversation,
         history_turns: int) -> None:
    try:
        answer = runner.run(answers.ask(question, conversation.history))
    except QabotError as exc:
        print(f"qabot: {exc}")
        return
    except Exception:  # noqa: BLE001 - one bad question must not end the conversation
        logger.exception("question failed")
        print(conversation.say("failed"))
        return
    print(format_answer(answer))
    print()
    conversation.language = answer.language
    conversation.last = answer
    from qabot.frontdoor import Turn  # loaded by now: the answer came through it

    turns = [*conversation.history, Turn(question, answer.composed(), answer.answered)]
    conversation.history = turns[-history_turns:] if history_turns else []
