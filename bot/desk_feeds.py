"""The feeds as the editors' desk manages them: the same checks, store and poll as `/feeds`
(bot/handlers/feeds.py), offered through `qabot.records.FeedDesk`."""

from __future__ import annotations

import html

from telegram import Bot

from bot import alerts
from bot.handlers import feeds
from bot.state import BotState
from qabot.frontdoor import shown
from qabot.records import FeedStatus


class BotFeeds:
    """`FeedDesk` over the running bot's state (its store, settings and resolver)."""

    def __init__(self, state: BotState, bot: Bot) -> None:
        self.state, self.bot = state, bot

    async def feeds(self) -> list[FeedStatus]:
        urls = await feeds.feed_urls(self.state)
        states = await self.state.db.feeds.feed_states(urls)
        return [
            FeedStatus(
                url=shown(url), key=url, in_settings=url in self.state.settings.feeds,
                last_polled=states[url].last_polled, last_error=states[url].last_error,
                articles=states[url].articles, item_errors=tuple(states[url].item_errors.values()),
                failures=states[url].failures,
            )
            for url in urls
        ]

    async def add(self, url: str, admin_id: int, lang: str) -> str | None:
        refusal = await feeds.refused(self.state, url.strip(), lang)
        if refusal is not None:
            return html.unescape(refusal)  # Telegram HTML (no tags): the page escapes for itself
        await self.state.db.feeds.add_feed(url.strip(), admin_id)
        return None

    async def remove(self, key: str) -> bool:
        if key in self.state.settings.feeds:
            return False
        removed = await self.state.db.feeds.remove_feed(key)
        if removed:
            await self.state.db.coordination.close_incident(alerts.feed_incident(key))
        return removed

    async def poll_now(self) -> str:
        report = await feeds.poll_feeds(self.state, self.bot)
        return report.summary() if report is not None else ""
