"""/feeds for admins, the scheduled pass that polls them (a loopback feed server), the admins'
alerts, and two workers sharing what the poller knows through one PostgreSQL store."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.handlers.feeds import poll_feeds, poll_once
from qabot.frontdoor import QabotError
from tests.bot.conftest import ADMIN, Harness, StartBot
from tests.fakes.postgres import PostgresCluster
from tests.retrieval.sources.test_feeds import Names, Site, site  # noqa: F401  (the loopback feed server fixture)

OTHER_ADMIN = 4343


async def command(harness: Harness, text: str) -> str:
    before = len(harness.tg.sent(ADMIN))
    harness.tg.message(text, chat_id=ADMIN)
    return str((await harness.tg.reply(ADMIN, before)).visible)


async def test_admins_add_list_and_remove_feeds_and_the_job_polls_them(
    start_bot: StartBot, site: tuple[Site, str]  # noqa: F811
) -> None:
    content, base = site
    content.keep_only(4)
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
    bot = harness.application.bot
    report = await poll_feeds(state, bot)
    assert report is not None and report.new == 4 and list(report.errors) == [configured]
    assert len(harness.services.reindex_calls) == calls + 1  # indexed at once
    again = await poll_feeds(state, bot)
    assert again is not None and again.new == 0
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
    assert await harness.application.bot_data["state"].db.feeds.feeds() == []


async def test_feeds_at_private_or_local_addresses_are_refused_when_added(start_bot: StartBot) -> None:
    harness = await start_bot()
    harness.application.bot_data["state"].resolve = Names({"intranet.example": ["10.0.0.7"]})
    for url in ["http://169.254.169.254/latest/meta-data/", "http://localhost/rss", "http://0.0.0.0/rss",
                "http://2130706433/rss", "http://[::1]/rss", "http://[fe80::1]/rss", "http://192.168.0.10/rss",
                "http://intranet.example/rss"]:
        reply = await command(harness, f"/feeds add {url}")
        assert "est refusé" in reply and "adresse privée ou locale" in reply, (url, reply)
    reply = await command(harness, "/feeds add http://user:pass@127.0.0.1:1/")
    assert "est refusé" in reply and "http://***@127.0.0.1:1/" in reply and "pass" not in reply
    assert "ne mène à aucune adresse" in await command(harness, "/feeds add https://nowhere.example/rss")
    assert "n'est pas une adresse http(s)" in await command(harness, "/feeds add javascript:alert(1)")
    assert await harness.store.feeds.feeds() == []  # nothing was added


async def test_feed_credentials_are_masked_and_failed_items_listed(
    start_bot: StartBot, site: tuple[Site, str]  # noqa: F811
) -> None:
    _, base = site
    secret = base.replace("http://", "http://reader:s3cret@") + "/broken.xml"
    harness = await start_bot(feeds=(secret, f"{base}/bad-items.xml"), feeds_allow_private=True,
                              feed_timeout_s=1.5, feed_max_bytes=1_000_000)  # see test_items_that_fail_…
    await poll_feeds(harness.application.bot_data["state"], harness.application.bot)
    for name in ("/feeds", "/status"):
        listing = await command(harness, name)
        assert "s3cret" not in listing and "http://***@127.0.0.1" in listing and "HTTP 500" in listing
        assert f"{base}/bad-items.xml : lu le" in listing and "2 articles, 6 éléments en échec" in listing
        assert "redirects too many times" in listing and "… et 3 autres" in listing


async def alerts_to(harness: Harness, *admins: int) -> list[list[str]]:
    """The alerts each admin got (an admin's own /reindex replies left out)."""
    return [[m.visible for m in harness.tg.sent(admin)
             if m.visible.startswith(("⚠️", "✅")) and not m.visible.startswith("✅ Réindexation")]
            for admin in admins]


async def test_admins_hear_once_of_a_feed_failing_three_times_and_of_its_recovery(
    start_bot: StartBot, site: tuple[Site, str]  # noqa: F811
) -> None:
    content, base = site
    content.keep_only(2)
    harness = await start_bot(feeds=(f"{base}/broken.xml",), feeds_allow_private=True,
                              telegram_admin_ids=frozenset({ADMIN, OTHER_ADMIN}))
    state, bot = harness.application.bot_data["state"], harness.application.bot
    for _ in range(2):
        await poll_feeds(state, bot)
    assert await alerts_to(harness, ADMIN, OTHER_ADMIN) == [[], []]
    await poll_feeds(state, bot)  # the third failure in a row
    told = await harness.tg.wait_for(lambda: all(alerts[0:1] for alerts in [
        [m for m in harness.tg.sent(a) if m.visible.startswith("⚠️")] for a in (ADMIN, OTHER_ADMIN)]))
    assert told
    for alerts in await alerts_to(harness, ADMIN, OTHER_ADMIN):
        assert len(alerts) == 1 and "échoue depuis 3 passages" in alerts[0] and "HTTP 500" in alerts[0]
    await poll_feeds(state, bot)  # a fourth: the same incident, nothing more
    assert [len(a) for a in await alerts_to(harness, ADMIN, OTHER_ADMIN)] == [1, 1]
    assert list(await harness.store.coordination.incidents()) == [f"feed:{base}/broken.xml"]

    content.broken = False
    await poll_feeds(state, bot)
    for alerts in await alerts_to(harness, ADMIN, OTHER_ADMIN):
        assert len(alerts) == 2 and "est de nouveau lu" in alerts[1]
    assert await harness.store.coordination.incidents() == {}
    await poll_feeds(state, bot)
    assert [len(a) for a in await alerts_to(harness, ADMIN, OTHER_ADMIN)] == [2, 2]

    # A feed removed while failing takes its incident with it.
    content.broken = True
    assert "Flux ajouté" in await command(harness, f"/feeds add {base}/broken.xml?v=2")
    for _ in range(3):
        await poll_feeds(state, bot)
    assert set(await harness.store.coordination.incidents()) == {f"feed:{base}/broken.xml", f"feed:{base}/broken.xml?v=2"}
    assert "Flux retiré" in await command(harness, f"/feeds remove {base}/broken.xml?v=2")
    assert list(await harness.store.coordination.incidents()) == [f"feed:{base}/broken.xml"]


async def reindex(harness: Harness, outcome: str) -> None:
    """/reindex, until its progress message says `outcome`."""
    before = len(harness.tg.sent(ADMIN))
    harness.tg.message("/reindex", chat_id=ADMIN)
    await harness.tg.wait_for(lambda: any(outcome in m.visible for m in harness.tg.sent(ADMIN)[before:]))
    await harness.tg.wait_for(lambda: not harness.application.bot_data["state"].background)  # and finished


async def test_admins_hear_of_a_failed_reindex_and_of_a_full_disk(start_bot: StartBot) -> None:
    harness = await start_bot(telegram_admin_ids=frozenset({ADMIN, OTHER_ADMIN}))
    real_reindex = harness.services.reindex

    async def failing(**kwargs: Any) -> Any:
        raise QabotError("the index folder is not writable")

    harness.services.reindex = failing  # type: ignore[method-assign]  # a re-index that fails, then the real one
    for _ in range(2):
        await reindex(harness, "Réindexation échouée")
    alerts = await alerts_to(harness, ADMIN, OTHER_ADMIN)
    assert [len(a) for a in alerts] == [1, 1] and "not writable" in alerts[1][0]
    harness.services.reindex = real_reindex  # type: ignore[method-assign]  # the real one back
    await reindex(harness, "terminée")
    await harness.tg.wait_for(lambda: len(harness.tg.sent(OTHER_ADMIN)) == 2)
    assert "fonctionne de nouveau" in (await alerts_to(harness, ADMIN, OTHER_ADMIN))[1][1]

    # A disk short of space: the re-index does not start, the admins are told once.
    state = harness.application.bot_data["state"]
    settings = state.settings
    state.settings = settings.model_copy(update={"disk_min_free_mb": 10**12})
    calls = len(harness.services.reindex_calls)
    for _ in range(2):
        await reindex(harness, "le disque est presque plein")
    assert len(harness.services.reindex_calls) == calls
    alerts = await alerts_to(harness, ADMIN, OTHER_ADMIN)
    assert [len(a) for a in alerts] == [3, 3] and "Disque presque plein" in alerts[1][2]
    state.settings = settings
    await reindex(harness, "terminée")
    await harness.tg.wait_for(lambda: len(harness.tg.sent(OTHER_ADMIN)) == 4)
    assert "assez de place" in (await alerts_to(harness, ADMIN, OTHER_ADMIN))[1][3]


async def test_two_workers_on_one_postgresql_poll_a_feed_once_and_share_what_they_know(
    start_bot: StartBot, site: tuple[Site, str], postgres: PostgresCluster  # noqa: F811
) -> None:
    content, base = site
    content.keep_only(4)
    url = postgres.create_database()
    options: dict[str, Any] = {"feeds": (f"{base}/feed.xml",), "feeds_allow_private": True,
                               "feeds_poll_interval_s": 3600.0, "database_url": url}
    first, second = await start_bot(**options), await start_bot(**options)
    a, b = (h.application.bot_data["state"] for h in (first, second))
    now = 1_800_000_000.0
    ran = await asyncio.gather(poll_once(a, first.application.bot, now), poll_once(b, second.application.bot, now))
    assert sorted(ran) == [False, True]  # one worker polled this period
    assert [p for p, _ in content.requests].count("/feed.xml") == 1
    assert len([p for p, _ in content.requests if p.startswith("/article/")]) == 4

    # Next period, whichever worker polls knows the feed's ETag and its items from the store.
    content.requests.clear()
    assert await poll_once(b if ran[0] else a, second.application.bot, now + 3600)
    assert content.requests == [("/feed.xml", '"v1"')]  # a 304, no page read again
    listing = await command(second, "/feeds")
    assert f"{base}/feed.xml : lu le" in listing and "4 articles" in listing
