"""`qabot ask "question" [--json]`: one answer with its citations."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from answering.protocol import Answer, origin_label
from cli.commands.arguments import question
from qabot.services import build_services
from qabot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("ask", help="answer one question, with cited passages")
    parser.add_argument("question", type=question)
    parser.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    parser.set_defaults(func=run)


def _ansi_bold(text: str) -> str:
    return f"\033[1m{text}\033[0m"


def format_answer(answer: Answer, bold: bool | None = None) -> str:
    """The answer and its sources for a terminal: the lead fact in ANSI bold when `bold` (by
    default when standard output is one; a pipe or a file gets the plain words)."""
    bold = sys.stdout.isatty() if bold is None else bold
    lines = [answer.composed(_ansi_bold if bold else str)]
    if answer.citations:
        lines.append("")
        for citation in answer.citations:
            p = citation.passage
            origin = origin_label(p.source, p.date)
            origin = f", {origin}" if origin else ""
            lines.append(f"[{citation.n}] {p.title} ({p.article_id}{origin}, characters {p.file_start}-{p.file_end})")
            if p.url:
                lines.append(f"    {p.url}")
            if p.copies:
                lines.append("    also published by: " + ", ".join(c.source or c.article_id for c in p.copies))
    return "\n".join(lines)


def format_sources(answer: Answer) -> str:
    if not answer.citations:
        return "The last answer cites no passage."
    blocks = []
    for citation in answer.citations:
        p = citation.passage
        origin = origin_label(p.source, p.date)
        origin = f" ({origin})" if origin else ""
        link = f"\n    {p.url}" if p.url else ""
        blocks.append(f"[{citation.n}] {p.title}{origin} — {p.article_id} [{p.file_start}:{p.file_end}]{link}\n    " + p.text.replace("\n", "\n    "))
    return "\n\n".join(blocks)


def run(args: argparse.Namespace, settings: Settings) -> int:
    with build_services(settings) as services:
        answer = asyncio.run(services.ask(args.question))
    if args.json:
        payload = answer.to_dict()
        payload = {key: payload[key] for key in ("question", "answer", "answered", "language", "answerer", "fallback", "note", "citations", "timings_ms", "short_answer", "body", "framing")}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer))
    return 0
