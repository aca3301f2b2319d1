"""`qabot backup DIR`: the live index and the bot's database, copied into a new folder of DIR."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from qabot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "backup", help="copy the live index and the bot's database into a new folder of DIR (the bot may run)"
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="folder of backups; each goes in DIR/<UTC time>/")
    parser.add_argument("--json", action="store_true", help="print the backup's manifest as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from qabot.backup import take_backup  # heavy: only for this command
    from qabot.services import database_location

    report = take_backup(settings, args.dir, database_location(settings))
    if args.json:
        print(json.dumps({"path": str(report.path), **report.manifest, "notes": list(report.notes)},
                         ensure_ascii=False, indent=2))
        return 0
    manifest = report.manifest
    files = manifest["files"]
    size = sum(int(f["size"]) for f in files.values())
    print(f"Backup written to {report.path}: {len(files)} files, {size / 1e6:.1f} MB.")
    index = manifest["index"]
    if index is not None and index["backend"] == "local":
        base = f" on base {index['base']}" if index["base"] else ""
        print(f"  index: generation {index['generation']}{base}, {index['embedding']}, schema {index['schema']}")
    elif index is not None:
        print(f"  index: Qdrant embedded storage, collection {index['collection']}")
    if manifest["database"].get("file"):
        print(f"  database: SQLite, revision {manifest['database']['revision']}")
    for note in report.notes:
        print(f"  note: {note}")
    return 0
