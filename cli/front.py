"""The CLI's one way in: the front door, built from the settings and closed on the way out.

The commands see the rest only through `qabot.frontdoor.FrontDoor` (its coroutines run with
`asyncio.run`), typed so: mypy refuses a command that reaches for the composition root's
insides (its retriever, its index store). The services are imported when a command runs, not
when `cli.main` builds its parser (models, the index: heavy)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from qabot.settings import Settings

if TYPE_CHECKING:
    from qabot.frontdoor import FrontDoor


@contextmanager
def front_door(settings: Settings) -> Iterator[FrontDoor]:
    """The services for `settings`, never opened (a one-shot command pays only for what it
    uses), their threads and files let go of when the command is done."""
    from qabot.services import build_services

    with build_services(settings) as services:
        yield services
