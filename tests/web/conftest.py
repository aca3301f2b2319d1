"""The desk against the real bot: the bot runs against the loopback Bot API (tests/bot's
harness), the desk's pages are served from the same store and front door."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bot.desk_feeds import BotFeeds
from cli.serving import compose
from qabot.services import Services
from qabot.settings import Settings
from qabot.stores import DeskStore
from tests.bot.conftest import ADMIN, Harness, StartBot, bot_articles, start_bot, telegram  # noqa: F401
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from web.desk.app import Desk, DeskConfig, desk_routes, templates


async def serve_composed(stack: contextlib.AsyncExitStack, tg: FakeTelegram, settings: Settings,
                         services: Services) -> Any:
    """`qabot run` as it composes the bot and its HTTP server, polling the loopback Bot API `tg`
    (stopped with `stack`, the fake last); returns the application."""
    from tests.bot.conftest import start_application

    application = compose(settings, services)
    stack.push_async_callback(tg.stop)
    await start_application(stack, application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    stack.push_async_callback(application.updater.stop)
    return application


LINK = re.compile(r"https?://\S+/signin/\S+")
DESK_URL = "http://desk.test"


@dataclass
class DeskHarness:
    bot: Harness
    desk: Desk
    client: httpx.AsyncClient

    async def link(self, user_id: int = ADMIN) -> str:
        """Send /web as `user_id` in private and return the link the bot replied with."""
        before = len(self.bot.tg.sent(user_id))
        self.bot.ask("/web", chat_id=user_id)
        reply = await self.bot.tg.reply(user_id, before)
        found = LINK.search(reply.text)
        assert found, reply.text
        return found.group(0)

    async def sign_in(self) -> httpx.Response:
        link = await self.link()
        path = link.removeprefix(DESK_URL)
        page = await self.client.get(path)
        assert page.status_code == 200, page.text
        return await self.client.post(path)

    async def csrf(self) -> str:
        page = await self.client.get("/articles")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)


@pytest.fixture
async def desk(start_bot: StartBot) -> AsyncIterator[DeskHarness]:  # noqa: F811
    bot = await start_bot(web_port=8080, web_public_url=DESK_URL)
    state = bot.application.bot_data["state"]
    desk = Desk(
        front_door=bot.services, records=DeskStore(lambda: bot.store), feeds=BotFeeds(state, bot.application.bot),
        config=DeskConfig(admin_ids=frozenset({ADMIN}), secret=TOKEN, public_url=DESK_URL), pages=templates(),
    )
    app = Starlette(routes=desk_routes(desk))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=DESK_URL) as client:
        yield DeskHarness(bot, desk, client)
