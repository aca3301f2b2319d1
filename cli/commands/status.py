"""`qabot status`: what the live index holds, asked of the front door, so it reads the index
of INDEX_BACKEND (local or Qdrant) as a question would, its model checked (the encoder is loaded
for its identity; no answer model is)."""

from __future__ import annotations

import argparse
import asyncio
import json

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
    dates = f"{stats.date_min} to {stats.date_max}" if stats.date_min else "no dates"
    print(f"Articles:   {stats.articles} ({dates})")
    print(f"Chunks:     {stats.chunks} ({stats.chunking})")
    print(f"Model:      {stats.embedding} ({stats.dimension} dimensions)")
    print(f"Generation: {stats.generation}, built at {stats.built_at}")
    return 0
