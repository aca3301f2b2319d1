"""`qabot ask "question" [--json]`: one answer with its citations; `qabot ask -`: one answer per
line of standard input, each printed as one JSON line (the fields of --json), in one process
that loads the models once.

Nothing heavy is imported with this module (the `qabot` command imports every subcommand to
build its parser): the services, and the models behind them, load in `run`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from cli.commands.arguments import question
from cli.front import front_door
from qabot.settings import Settings

if TYPE_CHECKING:
    from qabot.frontdoor import Answer, Citation, FrontDoor, Passage

FROM_STDIN = "-"
# A source line's title (an untitled article's is its lede) and a passage's opening words, in a
# terminal's width.
TITLE_CHARS = 90
OPENING_CHARS = 90
# The fields of `--json`, in this order (and of each line of `ask -`).
JSON_FIELDS = ("question", "answer", "answered", "language", "answerer", "fallback", "note", "citations",
               "timings_ms", "short_answer", "body", "framing", "intent", "reported")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("ask", help="answer one question, with cited passages")
    parser.add_argument("question", type=question,
                        help='the question, or "-" to read one question per line from standard input '
                        "and print one JSON line per answer")
    parser.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    parser.set_defaults(func=run)


def _ansi_bold(text: str) -> str:
    return f"\033[1m{text}\033[0m"


def format_answer(answer: Answer, bold: bool | None = None) -> str:
    """The answer and its sources for a terminal: the lead fact in ANSI bold when `bold` (by
    default when standard output is one; a pipe or a file gets the plain words)."""
    from qabot.frontdoor import origin_label  # loaded by now: the answer came through it

    bold = sys.stdout.isatty() if bold is None else bold
    lines = [answer.composed(_ansi_bold if bold else str)]
    if answer.citations:
        lines.append("")
        alike = reading_alike(answer.citations)
        for citation in answer.citations:
            p = citation.passage
            origin = origin_label(p.source, p.date)
            origin = f", {origin}" if origin else ""
            lines.append(f"[{citation.n}] {short_title(p)} ({p.article_id}{origin}, characters {p.file_start}-{p.file_end})")
            if citation.n in alike:
                lines.append(f"    « {opening_words(p.text)} »")
            if p.url:
                lines.append(f"    {p.url}")
            if p.copies:
                lines.append("    also published by: " + ", ".join(c.source or c.article_id for c in p.copies))
    return "\n".join(lines)


def short_title(passage: Passage) -> str:
    """Its article's title on part of a line (an untitled article's is its lede, ~170 characters)."""
    return textwrap.shorten(passage.title or passage.article_id, TITLE_CHARS, placeholder="…")


def opening_words(text: str) -> str:
    """A passage's first words on one line, a heading kept apart from the paragraph after it."""
    lines = " — ".join(line.strip() for line in text.splitlines() if line.strip())
    return textwrap.shorten(lines, OPENING_CHARS, placeholder="…")


def reading_alike(citations: Sequence[Citation]) -> set[int]:
    """The numbers of the citations a reader could not tell apart by their source line (one
    article cited twice, or two articles under one title: wire copies, untitled articles whose
    title is their lede): those also show their passage's opening words, as the bot's buttons do."""
    per_article = Counter(c.passage.article_id for c in citations)
    per_title = Counter(c.passage.title for c in citations)
    return {c.n for c in citations if per_article[c.passage.article_id] > 1 or per_title[c.passage.title] > 1}


def format_sources(answer: Answer) -> str:
    if not answer.citations:
        return "The last answer cites no passage."
    from qabot.frontdoor import origin_label

    blocks = []
    for citation in answer.citations:
        p = citation.passage
        origin = origin_label(p.source, p.date)
        origin = f" ({origin})" if origin else ""
        link = f"\n    {p.url}" if p.url else ""
        blocks.append(f"[{citation.n}] {short_title(p)}{origin} — {p.article_id} [{p.file_start}:{p.file_end}]{link}\n    "
                      + p.text.replace("\n", "\n    "))
    return "\n\n".join(blocks)


def json_answer(answer: Answer) -> dict[str, object]:
    payload = answer.to_dict()
    return {key: payload[key] for key in JSON_FIELDS}


def run(args: argparse.Namespace, settings: Settings) -> int:
    with front_door(settings) as front:
        if args.question == FROM_STDIN:
            asyncio.run(ask_each(front, questions(sys.stdin)))
            return 0
        answer = asyncio.run(front.ask(args.question))
    if args.json:
        print(json.dumps(json_answer(answer), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer))
    return 0


def questions(lines: Iterable[str]) -> Iterator[str]:
    """The non-blank lines, stripped: one question each."""
    return (line.strip() for line in lines if line.strip())


async def ask_each(front_door: FrontDoor, asked: Iterable[str]) -> None:
    """Answer each question in turn, each on its own (no conversation), printing its JSON line
    as soon as it is answered, so a reader of the pipe can follow along."""
    for text in asked:
        answer = await front_door.ask(text)
        print(json.dumps(json_answer(answer), ensure_ascii=False), flush=True)
