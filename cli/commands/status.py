"""`qabot status`: what the live index holds, asked of the front door, so it reads the index
of INDEX_BACKEND (local or Qdrant) as a question would, its model checked (the encoder is loaded
for its identity; no answer model is)."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime

from cli.front import front_door
from qabot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("status", help="articles, chunks, model and generation of the index")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    with front_door(settings) as front:
        stats = asyncio.run(front.stats())
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
        return 0
    from qabot.frontdoor import period_words  # loaded by now: the front door is open

    # Dates as a reader reads them, as the bot's /status gives them (--json keeps them stored).
    dates = f"published {period_words(stats.date_min, stats.date_max, 'en')}" if stats.date_min else "no dates"
    print(f"Articles:   {stats.articles} ({dates})")
    print(f"Chunks:     {stats.chunks} ({stats.chunking})")
    print(f"Model:      {stats.embedding} ({stats.dimension} dimensions)")
    print(f"Generation: {stats.generation}, built on {built_on(stats.built_at)}")
    return 0


def built_on(stamp: str) -> str:
    """When the index was built, in words ("7 December 2026 at 10:59 UTC"); a stamp that is not
    an ISO time with its zone as stored."""
    from qabot.frontdoor import moment_words  # loaded by now: the front door is open

    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment_words(when, "en") if when.tzinfo is not None else stamp
