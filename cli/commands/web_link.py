"""`qabot web-link ADMIN_ID`: a one-time sign-in link to the editors' desk, in the terminal
(whoever runs commands on the server is trusted: the same link `/web` sends in Telegram)."""

from __future__ import annotations

import argparse
import asyncio

from cli.front import records_door
from qabot.errors import QabotError
from qabot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("web-link", help="print a one-time sign-in link to the editors' desk")
    parser.add_argument("admin_id", type=int, help="a Telegram user id listed in TELEGRAM_ADMIN_IDS")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.admin_id not in settings.telegram_admin_ids:
        raise QabotError(f"{args.admin_id} is not in TELEGRAM_ADMIN_IDS: only admins sign in to the desk.")
    if settings.telegram_bot_token is None:
        raise QabotError("The desk signs its links with TELEGRAM_BOT_TOKEN: set it in .env first.")
    if settings.web_port is None and not settings.web_public_url:
        raise QabotError("The desk is off: set WEB_PORT (and WEB_PUBLIC_URL behind a proxy) in .env.")
    print(asyncio.run(_link(settings, args.admin_id)))
    return 0


async def _link(settings: Settings, admin_id: int) -> str:
    async with records_door(settings) as door:
        return await door.desk_link(admin_id, "terminal")
