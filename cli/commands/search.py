"""`qabot search "question" [-k 5] [--mode hybrid|dense|bm25] [--json]`: ranked passages."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import get_args

from cli.commands.arguments import positive_int, question
from cli.front import front_door
from qabot.settings import RetrievalMode, Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("search", help="show the passages retrieved for a question")
    parser.add_argument("question", type=question)
    parser.add_argument("-k", type=positive_int, default=None, help="passages to show (default RETRIEVAL_K)")
    parser.add_argument("--mode", choices=get_args(RetrievalMode), default=None, help="retrieval mode")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from qabot.frontdoor import origin_label  # heavy (numpy): only for this command

    with front_door(settings) as front:
        result = asyncio.run(front.search(args.question, k=args.k, mode=args.mode))
    if args.json:
        payload = {
            "question": args.question,
            "results": [p.to_dict(rank) for rank, p in enumerate(result.passages, start=1)],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    if not result.passages:
        print("No passage matches this question.")
        return 0
    for rank, p in enumerate(result.passages, start=1):
        origin = origin_label(p.source, p.date)
        origin = f" ({origin})" if origin else ""
        print(f"{rank}. {p.title}{origin} — {p.article_id} [{p.file_start}:{p.file_end}] score={p.score:.4f}")
        print("   " + p.text.replace("\n", "\n   "))
        print()
    return 0
