"""`BotStore`: the name a script written for older code opens the bot's database by.

The database is in rooms by concern now (qabot/stores/: answers, conversations, coordination,
feeds, … on one engine), and the bot uses the rooms. tests/test_compat.py opens a database an
older main wrote through this name, unchanged, so the name keeps the reads such a script made.
"""

from __future__ import annotations

from pathlib import Path

from qabot.frontdoor import Turn
from qabot.stores import StoredAnswer, Stores


class BotStore:
    """The reads older code made on the one store it had, over the rooms (`stores`)."""

    def __init__(self, stores: Stores) -> None:
        self.stores = stores

    @classmethod
    async def open(cls, url: str | Path) -> BotStore:
        return cls(await Stores.open(url))

    async def close(self) -> None:
        await self.stores.close()

    async def answer(self, answer_id: int, chat_id: int) -> StoredAnswer | None:
        return await self.stores.answers.answer(answer_id, chat_id)

    async def history(self, chat_id: int, user_id: int, turns: int) -> tuple[Turn, ...]:
        return await self.stores.conversations.history(chat_id, user_id, turns)

    async def votes(self) -> list[dict[str, object]]:
        return await self.stores.answers.votes()

    async def meta(self, key: str) -> str | None:
        return await self.stores.coordination.meta(key)

    async def feeds(self) -> list[str]:
        return await self.stores.feeds.feeds()
