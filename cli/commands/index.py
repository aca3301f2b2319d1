"""`qabot index [--full]`: bring the index in line with ARTICLES_DIR, with a progress bar."""

from __future__ import annotations

import argparse
import json

from qabot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("index", help="index new and changed articles (or all with --full)")
    parser.add_argument("--full", action="store_true", help="rebuild from scratch")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from qabot.services import build_services  # heavy (models, index): only for this command
    with build_services(settings) as services, tqdm(total=0, unit="chunk", desc="indexing", disable=args.json, leave=False) as bar:

        def progress(done: int, total: int, what: str) -> None:
            bar.total = total
            bar.set_description(what)
            bar.n = done
            bar.refresh()

        report = services.reindex_now(full=args.full, progress=progress)
        # A first run on this machine prepared the encoder's model before indexing could start.
        report = report.with_preparation(services.model_cache.preparation_seconds)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"Indexed {settings.articles_dir}: {report.summary()} (generation {report.generation}).")
        for skipped in report.skipped:
            print(f"  skipped {skipped.path}: {skipped.reason}")
        for warned in report.warnings:
            print(f"  indexed as plain text, header included: {warned.path}: {warned.warning}")
    return 0
