"""The CLI's one way in: the front door, built from the settings and closed on the way out.

The commands see the rest only through `qabot.frontdoor.FrontDoor` (its coroutines run with
`asyncio.run`), or its database side alone (`RecordsDoor`), typed so: mypy refuses a command
that reaches for the composition root's insides (its retriever, its index store). The services are imported when a command runs, not
when `cli.main` builds its parser (models, the index: heavy)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from qabot.settings import Settings

if TYPE_CHECKING:
    from qabot.frontdoor import FrontDoor, RecordsDoor


@contextmanager
def front_door(settings: Settings) -> Iterator[FrontDoor]:
    """The services for `settings`, never opened (a one-shot command pays only for what it
    uses), their threads and files let go of when the command is done."""
    from qabot.services import build_services

    with build_services(settings) as services:
        yield services


@asynccontextmanager
async def records_door(settings: Settings) -> AsyncIterator[RecordsDoor]:
    """The front door's side of the bot's database alone, for a command that needs nothing else
    (no model, no index: `qabot web-link`); its connections let go of when the command is done."""
    from qabot.services import DatabaseDoor

    door = DatabaseDoor(settings)
    try:
        yield door
    finally:
        await door.close()
