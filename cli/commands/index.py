"""`qabot index [--full]`: bring the index in line with ARTICLES_DIR, with a progress bar."""

from __future__ import annotations

import argparse
import asyncio
import json

from cli.front import front_door
from qabot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("index", help="index new and changed articles (or all with --full)")
    parser.add_argument("--full", action="store_true", help="rebuild from scratch")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    with front_door(settings) as front, tqdm(total=0, unit="chunk", desc="indexing", disable=args.json, leave=False) as bar:

        def progress(done: int, total: int, what: str) -> None:
            bar.total = total
            bar.set_description(what)
            bar.n = done
            bar.refresh()

        # A first run on this machine prepared the encoder's model before indexing could start.
        report = asyncio.run(front.reindex(full=args.full, progress=progress, count_preparation=True))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"Indexed {settings.articles_dir}: {report.summary()} (generation {report.generation}).")
        for skipped in report.skipped:
            print(f"  skipped {skipped.path}: {skipped.reason}")
        for warned in report.warnings:
            print(f"  indexed as plain text, header included: {warned.path}: {warned.warning}")
    return 0
