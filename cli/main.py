"""The `qabot` command: one subcommand per module in cli/commands/.

Expected errors (no index, model mismatch, bad configuration...) end as one sentence on stderr
and a non-zero exit; anything else is logged with its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys

from cli.commands import (
    ask,
    backup,
    chat,
    export_training,
    fetch,
    index,
    restore,
    run,
    search,
    status,
    web_link,
)
from cli.commands import eval as eval_command
from qabot.errors import QabotError
from qabot.logs import PROGRESS_LOGGER, RedactSecrets, configure_logging, secrets_of
from qabot.settings import SettingsError, load_settings

# One module per subcommand, each with `register(subparsers)`; listed in the order of `--help`.
COMMANDS = (index, search, status, ask, chat, run, eval_command, fetch, backup, restore, web_link, export_training)

logger = logging.getLogger("qabot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qabot", description="Answer questions about news articles, with cited passages."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"qabot: {exc}", file=sys.stderr)
        return 2
    # Commands print their own results; only the long-running bot narrates at LOG_LEVEL.
    level = "DEBUG" if args.verbose else settings.log_level if args.command == "run" else "WARNING"
    configure_logging(level, settings)
    if logging.getLogger().level > logging.INFO:
        # A first run prepares the encoder's model for about a minute: say so, even when quiet.
        logging.getLogger(PROGRESS_LOGGER).setLevel(logging.INFO)
    try:
        return int(args.func(args, settings) or 0)
    except QabotError as exc:
        # An error's sentence may quote what it failed on (a URL, a library's message): the
        # secrets the logs never show are kept out of it too.
        print(f"qabot: {RedactSecrets(secrets_of(settings)).redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
