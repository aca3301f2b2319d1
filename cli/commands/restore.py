"""`qabot restore DIR`: check a backup against the settings and make it live (stop the bot first
when its database is SQLite)."""

from __future__ import annotations

import argparse
from pathlib import Path

from qabot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "restore", help="check a backup and make its index and database live (DIR: a backup, or the newest in DIR)"
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="a backup folder, or a folder of backups (the newest is taken)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from qabot.backup import restore_backup  # heavy: only for this command
    from qabot.services import build_embedder_from, database_location

    # The configured model is loaded to know its identity: the index must have been built with it.
    report = restore_backup(
        settings, args.dir, database_location(settings), build_embedder_from(settings), migration_revisions()
    )
    print(f"Restored {report.path}.")
    if report.generation is not None:
        print(f"  index: live in {settings.index_dir} as {report.generation}")
    if report.database is not None:
        print(f"  database: {report.database}")
    for note in report.notes:
        print(f"  note: {note}")
    return 0


def migration_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from qabot.stores import MIGRATIONS

    """The bot database's migrations this qabot ships (bot/migrations)."""
    return frozenset(script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions())
