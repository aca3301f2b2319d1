"""What the bot's database holds, read through the front door (`FrontDoor.database`, `questions`,
`vote_records`, `unanswered`, `unanswered_groups`, `activity`, `feeds`, `outcomes_today`, `last_reindex`): the real `Services` on SQLite and on a
real PostgreSQL (`database_url`), and the running bot, whose rooms are the front door's own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from answering.protocol import Answer, Citation
from qabot.records import QuestionFilter
from qabot.services import Services, build_services
from qabot.settings import Settings
from retrieval.models import Passage
from tests.bot.conftest import Harness
from tests.fakes.embedder import HashingEmbedder

FEED = "https://example.org/feed.xml"
ADDED = "https://example.net/rss"


def answered(question: str) -> Answer:
    cited = Passage(chunk_id=1, article_id="a.txt", title="Le tramway", date="2025-02-14", start=0, end=20,
                    text="Le tramway roule.", score=1.0)
    return Answer(question=question, text="Le tramway roule. [1]", citations=[Citation(1, cited)], answered=True,
                  language="fr", answerer="extractive")


def declined(question: str) -> Answer:
    return Answer(question=question, text="", citations=[], answered=False, language="fr", answerer="extractive")


def services_on(make_settings: Callable[..., Settings], database_url: str) -> Services:
    return build_services(make_settings(database_url=database_url, feeds=(FEED,)), embedder=HashingEmbedder())


async def test_the_front_door_reads_what_readers_asked_and_voted(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    services = services_on(make_settings, database_url)
    try:
        stores = await services.database()
        assert await services.database() is stores  # one engine per front door
        kept = await stores.answers.save_answer(7, 42, answered("Le tramway roule-t-il ?"))
        await stores.answers.vote(kept, 43, -1)
        for _ in range(2):
            await stores.answers.save_answer(7, 42, declined("Où est Alep ?"))
        await stores.answers.save_answer(8, 44, declined("Quel temps fera-t-il ?"))
        await stores.feeds.add_feed(ADDED, 42)
        await stores.feeds.add_feed(FEED, 42)  # also in FEEDS: listed once

        asked = await services.questions(QuestionFilter())
        assert [q.question for q in asked] == ["Quel temps fera-t-il ?", "Où est Alep ?", "Où est Alep ?",
                                               "Le tramway roule-t-il ?"]
        assert (asked[-1].down, asked[-1].citations[0].title) == (1, "Le tramway")
        assert [q.question for q in await services.questions(QuestionFilter(downvoted=True))] == [kept.question]
        assert [(v.vote, v.question) for v in await services.vote_records(10)] == [(-1, kept.question)]
        assert [question for _, question in await services.unanswered(2)] == [
            "Quel temps fera-t-il ?", "Où est Alep ?"]
        assert [(g.question, g.count) for g in await services.unanswered_groups(10)] == [
            ("Où est Alep ?", 2), ("Quel temps fera-t-il ?", 1)]
        today = datetime.now(UTC).date().isoformat()
        activity = await services.activity(today, today)
        assert (activity.today, activity.week_declined, activity.down) == (4, 3, 1)
        assert await services.feeds() == [FEED, ADDED]
        assert await services.outcomes_today() == {"answered": 1, "declined": 3}
        assert await services.last_reindex() is None
        await stores.coordination.set_last_reindex("6 décembre 2026 à 09:00 UTC — 1 ajouté(s)")
        assert await services.last_reindex() == "6 décembre 2026 à 09:00 UTC — 1 ajouté(s)"
    finally:
        await services.close()


async def test_the_database_opens_on_first_use_and_again_after_close(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    services = build_services(settings, embedder=HashingEmbedder())
    database = Path(settings.data_dir) / "bot.sqlite3"
    assert not database.exists()  # a command that never reads it never makes it
    try:
        first = await services.database()
        await first.answers.save_answer(7, 42, declined("Où est Alep ?"))
        assert database.exists()
        await services.close()
        again = await services.database()
        assert again is not first
        assert [g.count for g in await services.unanswered_groups(10)] == [1]
    finally:
        await services.close()


async def test_the_bot_keeps_and_the_front_door_reads_one_database(harness: Harness) -> None:
    """The running bot's rooms are the front door's (one engine in the process): a question
    asked in Telegram is what the front door then lists."""
    assert harness.store is await harness.services.database()
    await harness.answer_to("Le tramway de Brest roule-t-il ?")
    asked = await harness.services.questions(QuestionFilter())
    assert [(q.question, q.chat_id) for q in asked] == [("Le tramway de Brest roule-t-il ?", 7)]
