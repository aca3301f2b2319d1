"""`qabot fetch [--json]`: one pass over the feeds (FEEDS), then an incremental re-index.

What the poller knows (validators, items seen) is the bot's: it lives in the bot's store
(DATABASE_URL, or the SQLite file under DATA_DIR), so `qabot fetch` and the bot's own polling
never read an item twice."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING

from cli.front import front_door
from qabot.settings import Settings

if TYPE_CHECKING:
    from qabot.frontdoor import FrontDoor, PollReport, ReindexReport


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("fetch", help="fetch new items of the FEEDS, then index them")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.feeds:
        print("No feed to fetch: set FEEDS to comma-separated RSS/Atom URLs.")
        return 1
    with front_door(settings) as front:
        report, indexed = asyncio.run(fetch(front, settings))
    if args.json:
        payload = {"new": report.new, "updated": report.updated, "unchanged": report.unchanged,
                   "errors": report.errors, "index": indexed.to_dict() if indexed else None}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(report.summary())
        for url, error in report.errors.items():
            print(f"  {url}: {error}")
        if indexed:
            print(f"Indexed: {indexed.summary()}")
    return 1 if report.errors else 0


async def fetch(front: FrontDoor, settings: Settings) -> tuple[PollReport, ReindexReport | None]:
    """One pass over FEEDS, its state in the bot's database (closed with the front door); then
    a re-index when an item is new."""
    report = await front.poll_feeds(settings.feeds, (await front.database()).feeds)
    return report, await front.reindex() if report.new or report.updated else None
