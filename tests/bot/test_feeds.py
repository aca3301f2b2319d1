"""/feeds for admins, and the scheduled pass that polls them (a loopback feed server)."""

from __future__ import annotations

from bot.handlers.feeds import poll_feeds
from tests.bot.conftest import ADMIN, StartBot
from tests.retrieval.test_feeds import Site, site  # noqa: F401  (the loopback feed server fixture)


async def command(harness, text: str) -> str:  # type: ignore[no-untyped-def]
    before = len(harness.tg.sent(ADMIN))
    harness.tg.message(text, chat_id=ADMIN)
    return str((await harness.tg.reply(ADMIN, before)).visible)


async def test_admins_add_list_and_remove_feeds_and_the_job_polls_them(
    start_bot: StartBot, site: tuple[Site, str]  # noqa: F811
) -> None:
    content, base = site
    for path in list(content.pages)[4:]:
        del content.pages[path]
    configured = f"{base}/broken.xml"
    harness = await start_bot(feeds=(configured,), feeds_allow_private=True, feeds_poll_interval_s=3600.0)
    assert "n'est pas une adresse http(s)" in await command(harness, "/feeds add ftp://x/feed")
    assert "Flux ajouté" in await command(harness, f"/feeds add {base}/feed.xml")
    assert "déjà suivi" in await command(harness, f"/feeds add {base}/feed.xml")
    listing = await command(harness, "/feeds")
    assert f"{configured} : pas encore lu" in listing and f"{base}/feed.xml : pas encore lu" in listing

    # The job is scheduled on the JobQueue; run one pass as it would.
    jobs = harness.application.job_queue.get_jobs_by_name("feeds")
    assert len(jobs) == 1 and jobs[0].trigger.interval.total_seconds() == 3600.0
    state = harness.application.bot_data["state"]
    calls = len(harness.services.reindex_calls)
    report = await poll_feeds(state)
    assert report is not None and report.new == 4 and list(report.errors) == [configured]
    assert len(harness.services.reindex_calls) == calls + 1  # indexed at once
    assert (await poll_feeds(state)).new == 0  # type: ignore[union-attr]
    listing = await command(harness, "/feeds")
    assert f"{base}/feed.xml : lu le" in listing and "4 articles" in listing
    assert f"{configured} : ⚠️ échec" in listing and "HTTP 500" in listing
    status = await command(harness, "/status")
    assert "HTTP 500" in status

    assert "configuration du bot (FEEDS)" in await command(harness, f"/feeds remove {configured}")
    assert "Flux retiré" in await command(harness, f"/feeds remove {base}/feed.xml")
    assert "n'est pas suivi" in await command(harness, f"/feeds remove {base}/feed.xml")


async def test_others_cannot_touch_the_feeds(start_bot: StartBot) -> None:
    harness = await start_bot()
    before = len(harness.tg.sent(7))
    harness.tg.message("/feeds add https://example.org/rss", chat_id=7)
    assert "réservée aux administrateurs" in (await harness.tg.reply(7, before)).visible
    assert await harness.application.bot_data["state"].db.feeds() == []
