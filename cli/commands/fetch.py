"""`qabot fetch [--json]`: one pass over the feeds (FEEDS), then an incremental re-index."""

from __future__ import annotations

import argparse
import json

from qabot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("fetch", help="fetch new items of the FEEDS, then index them")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from qabot.services import build_services, feed_poller  # heavy: only for this command

    if not settings.feeds:
        print("No feed to fetch: set FEEDS to comma-separated RSS/Atom URLs.")
        return 1
    report = feed_poller(settings).poll(settings.feeds)
    indexed = None
    if report.new or report.updated:
        with build_services(settings) as services:
            indexed = services.reindex_now()
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
