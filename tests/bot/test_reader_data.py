"""A reader's data, on SQLite and on a real PostgreSQL (the `database_url` fixture): the real bot
on the loopback Bot API — /forget after its confirmation button, then a look in the database
(nothing of the sender remains, everything of the other member does); /mydata as a JSON
document; follow-ups and /new per member in a group; the retention purge run by its job
function; and the migration that gives conversation turns their asker."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from telegram.ext import CallbackContext

from answering.protocol import Turn
from bot.handlers import privacy
from bot.handlers.inline import INLINE_CHAT
from qabot.stores import MIGRATIONS, Stores, database
from qabot.stores.database import database_url as sqlalchemy_url
from qabot.stores.reader_data import RATE_WINDOW_SLICE
from tests.bot.conftest import Harness, StartBot
from tests.fakes.telegram_server import BOT_USERNAME, SentMessage
from tests.qabot.stores.test_rooms import answer

GROUP = -100_555
A, B = 501, 502
BUDGET = "Quel budget le conseil municipal de Grenoble a-t-il voté ?"
WORKS = "Et les travaux commenceront quand à Grenoble ?"
MARKETS = "Les marchés de Lyon s'animent-ils chaque matin ?"
TOKYO = "Quel est le prix du ticket de métro à Tokyo ?"  # declined: no article says


@pytest.fixture
async def bot(start_bot: StartBot, database_url: str) -> Harness:
    return await start_bot(database_url=database_url)


async def in_group(h: Harness, text: str, user_id: int) -> SentMessage:
    return await h.answer_to(f"/ask {text}", chat_id=GROUP, user_id=user_id, chat_type="supergroup")


async def declined(h: Harness, text: str, chat_id: int) -> SentMessage:
    before = len(h.tg.sent(chat_id))
    h.ask(text, chat_id=chat_id)
    return await h.tg.wait_for(lambda: next((m for m in h.tg.sent(chat_id)[before:] if "trouve" in m.visible), None))


async def vote(h: Harness, message: SentMessage, user_id: int, button: str = "👍") -> None:
    query_id = h.tg.press(message, message.button(button)["callback_data"], user_id=user_id,
                          chat_type="private" if message.chat_id > 0 else "supergroup")
    await h.tg.wait_for(lambda: query_id in h.tg.callback_answers)


async def command_reply(h: Harness, text: str, chat_id: int, user_id: int) -> SentMessage:
    before = len(h.tg.sent(chat_id))
    h.ask(text, chat_id=chat_id, user_id=user_id, chat_type="private" if chat_id > 0 else "supergroup")
    return await h.tg.reply(chat_id, before)


def rows_of(h: Harness, user_id: int) -> dict[str, int]:
    """How many rows of each table name `user_id`, read straight from the database."""
    columns = {"answers": database.answers.c.user_id, "feedback": database.feedback.c.user_id,
               "unanswered": database.unanswered.c.user_id, "turns": database.turns.c.user_id,
               "rate_windows": database.rate_windows.c.user_id}
    with h.store.db.connection() as db:
        return {name: db.execute(sa.select(sa.func.count()).where(column == user_id)).scalar_one()
                for name, column in columns.items()}


def texts_mentioning(h: Harness, word: str) -> list[str]:
    """Every stored question (answers, votes, declined questions, turns) containing `word`."""
    found = []
    with h.store.db.connection() as db:
        for column in (database.answers.c.question, database.feedback.c.question, database.unanswered.c.question,
                       database.turns.c.question):
            found += [str(text) for (text,) in db.execute(sa.select(column)) if word in str(text)]
    return found


def without_clock(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "exported_at"}


async def test_forget_deletes_everything_of_the_sender_and_nothing_of_the_other_member(bot: Harness) -> None:
    h, tg = bot, bot.tg
    a_group = await in_group(h, BUDGET, A)
    b_group = await in_group(h, MARKETS, B)
    a_private = await h.answer_to(BUDGET, chat_id=A)
    await h.answer_to(WORKS, chat_id=A)
    b_private = await h.answer_to("Les travaux à Grenoble ?", chat_id=B)
    await declined(h, TOKYO, A)
    await declined(h, TOKYO, B)  # the same declined text from both: B's must stay
    await vote(h, b_group, A)
    await vote(h, a_group, B, "👎")
    await vote(h, a_private, A)
    await vote(h, b_private, B)
    # A shares an answer inline; B opens the link, which copies it into B's chat.
    query_id = tg.inline_query(BUDGET, user_id=A)
    shared = await tg.wait_for(lambda: tg.inline_answers.get(query_id))
    start = re.search(r"start=(\S+)", shared["results"][0]["reply_markup"]["inline_keyboard"][0][0]["url"])
    assert start is not None
    await h.answer_to(f"/start {start.group(1)}", chat_id=B)
    state = h.application.bot_data["state"]
    assert len(state.inline_cache) == 1

    b_before = without_clock(await h.store.readers.user_data(B))
    assert rows_of(h, A) == {"answers": 6, "feedback": 2, "unanswered": 1, "turns": 3, "rate_windows": 1}

    confirm = await command_reply(h, "/forget", GROUP, A)
    assert "définitif" in confirm.visible
    assert rows_of(h, A)["answers"] == 6, "nothing is deleted before the button"
    other = tg.press(confirm, confirm.button("🗑️")["callback_data"], user_id=B, chat_type="supergroup")
    await tg.wait_for(lambda: other in tg.callback_answers)
    assert tg.callback_answers[other]["text"].startswith("Ce bouton est pour la personne qui a envoyé /forget")
    assert rows_of(h, A)["answers"] == 6, "another member's press deletes nothing"

    tg.press(confirm, confirm.button("🗑️")["callback_data"], user_id=A, chat_type="supergroup")
    done = await tg.wait_for(lambda: confirm.text.startswith("🗑️ C'est fait") and confirm)
    numbers = [int(n) for n in re.findall(r"• (\d+)", done.visible)]
    assert numbers == [6, 2, 1, 3, 1]  # questions, votes, unanswered, turns, rate window
    assert "5 passage(s) cité(s), dont 1 posée(s) en mode inline" in done.visible
    assert "et 1 vote(s) d'autres personnes sur vos réponses" in done.visible
    assert done.buttons() == []

    assert rows_of(h, A) == {"answers": 0, "feedback": 0, "unanswered": 0, "turns": 0, "rate_windows": 0}
    assert texts_mentioning(h, "budget") == [] and texts_mentioning(h, "travaux commenceront quand") == []
    with h.store.db.connection() as db:  # no citation left behind by A's answers
        orphans = db.execute(sa.select(sa.func.count()).where(
            database.citations.c.answer_id.not_in(sa.select(database.answers.c.id)))).scalar_one()
    assert orphans == 0
    # B keeps everything, except the vote on A's answer: it copied A's question.
    b_after = without_clock(await h.store.readers.user_data(B))
    assert b_after == {**b_before, "votes": [v for v in b_before["votes"] if v["question"] != BUDGET]}
    assert len(b_after["votes"]) == 1 and len(b_after["unanswered"]) == 1 and b_after["rate_limit_window"]
    assert len(state.inline_cache) == 0, "the inline answer A asked is no longer cached"
    gone = await command_reply(h, f"/start {start.group(1)}", B, B)
    assert gone.visible.startswith("Ce lien de réponse a expiré")


async def test_forget_can_be_cancelled(bot: Harness) -> None:
    await bot.answer_to(BUDGET, chat_id=A)
    confirm = await command_reply(bot, "/forget", A, A)
    bot.tg.press(confirm, confirm.button("Annuler")["callback_data"], user_id=A)
    await bot.tg.wait_for(lambda: confirm.visible == "Rien n'a été effacé.")
    assert rows_of(bot, A)["answers"] == 1


async def test_mydata_sends_a_json_document_in_private_and_a_link_from_a_group(bot: Harness) -> None:
    h, tg = bot, bot.tg
    asked = await h.answer_to(BUDGET, chat_id=A)
    await vote(h, asked, A)
    await in_group(h, MARKETS, A)

    h.ask("/mydata", chat_id=A)
    document = await tg.wait_for(lambda: next((d for d in tg.documents if d.chat_id == A), None))
    assert document.file_name == f"qabot-data-{A}.json"
    data = json.loads(document.content)
    assert data["user_id"] == A
    assert [q["question"] for q in data["questions"]] == [BUDGET, MARKETS]
    assert {q["chat_id"] for q in data["questions"]} == {A, GROUP}
    assert data["questions"][0]["citations"][0]["title"]
    assert [(v["vote"], v["question"]) for v in data["votes"]] == [(1, BUDGET)]
    assert [t["question"] for t in data["conversation_turns"]] == [BUDGET, MARKETS]
    assert len(data["rate_limit_window"]) == 2
    assert document.caption.startswith("Tout ce que je garde sur vous : 2 question(s), 1 vote(s)")

    in_group_reply = await command_reply(h, "/mydata", GROUP, A)
    assert in_group_reply.button("🔒")["url"] == f"https://t.me/{BOT_USERNAME}?start=mydata"
    assert not [d for d in tg.documents if d.chat_id == GROUP], "nobody's data is posted in a group"
    h.ask("/start mydata", chat_id=A)
    await tg.wait_for(lambda: len([d for d in tg.documents if d.chat_id == A]) == 2)


async def test_follow_ups_and_new_are_per_member_in_a_group(bot: Harness) -> None:
    h = bot
    calls = h.services.answers.calls
    await in_group(h, BUDGET, A)
    await in_group(h, "Les travaux à Grenoble ?", B)
    assert not calls[-1][1], "B's question is not read as A's follow-up"
    await in_group(h, WORKS, A)
    assert [turn.question for turn in calls[-1][1]] == [BUDGET]
    reply = await command_reply(h, "/new", GROUP, B)
    assert "zéro" in reply.visible
    await in_group(h, MARKETS, A)
    assert [turn.question for turn in calls[-1][1]] == [BUDGET, WORKS], "B's /new left A's conversation"
    await in_group(h, MARKETS, B)
    assert calls[-1][1] == ()
    await h.answer_to(MARKETS, chat_id=A)  # A's private chat is another conversation
    assert calls[-1][1] == ()


async def test_start_and_help_say_what_is_kept_and_for_how_long(start_bot: StartBot) -> None:
    h = await start_bot(data_retention_days=30)
    french = await command_reply(h, "/start", 7, 7)
    assert "🔒 Je garde vos questions, mes réponses et vos votes 30 jours" in french.visible
    before = len(h.tg.sent(8))
    h.ask("/help", chat_id=8, language_code="en")
    english = await h.tg.reply(8, before)
    assert "🔒 I keep your questions, my answers and your votes for 30 days" in english.visible
    assert h.application.job_queue.get_jobs_by_name(privacy.RETENTION_JOB)


async def age(h: Harness, table: sa.Table, days: float, **where: Any) -> None:
    stamp = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with h.store.db.connection() as db:
        db.execute(table.update().where(*[table.c[k] == v for k, v in where.items()]).values(created_at=stamp))


async def test_the_retention_job_purges_what_is_older_than_the_setting(start_bot: StartBot, database_url: str) -> None:
    h = await start_bot(database_url=database_url, data_retention_days=90)
    old = await h.answer_to(BUDGET, chat_id=A)
    await vote(h, old, A)
    await vote(h, old, B)  # a recent vote on an old answer goes with it (it copies the question)
    await declined(h, TOKYO, A)
    recent = await h.answer_to(MARKETS, chat_id=B)
    await vote(h, recent, B)
    await declined(h, TOKYO, B)
    old_id = int(old.button("👍")["callback_data"].split(":")[1])
    await age(h, database.answers, 91, id=old_id)
    await age(h, database.answers, 91, user_id=A, answered=0)
    await age(h, database.feedback, 91, answer_id=old_id, user_id=A)
    await age(h, database.unanswered, 91, user_id=A)
    await age(h, database.turns, 91, user_id=A)
    await age(h, database.turns, 89, user_id=B)  # within the 90 days: kept
    with h.store.db.connection() as db:  # A's last question was long ago; B's just now
        db.execute(database.rate_windows.update().where(database.rate_windows.c.user_id == A).values(stamps="[1000.0]"))

    await privacy.retention_job(CallbackContext(h.application))

    assert rows_of(h, A) == {"answers": 0, "feedback": 0, "unanswered": 0, "turns": 0, "rate_windows": 0}
    assert rows_of(h, B) == {"answers": 2, "feedback": 1, "unanswered": 1, "turns": 1, "rate_windows": 1}
    assert texts_mentioning(h, "budget") == []
    # Once a day across workers: the next call the same day purges nothing, even if due.
    await age(h, database.turns, 91, user_id=B)
    await privacy.retention_job(CallbackContext(h.application))
    assert rows_of(h, B)["turns"] == 1
    assert (await privacy.purge_expired(h.application.bot_data["state"])).turns == 1


# --- the store alone ------------------------------------------------------------------------


@pytest.fixture
async def store(database_url: str) -> Any:
    opened = await Stores.open(database_url)
    yield opened
    await opened.close()


async def test_forget_in_the_store_counts_and_unattributes_feeds(store: Stores) -> None:
    mine = await store.answers.save_answer(-5, A, answer("Ma question ?"))
    await store.answers.save_answer(INLINE_CHAT, A, answer("Partagée ?"))
    theirs = await store.answers.save_answer(-5, B, answer("Leur question ?"))
    await store.answers.vote(theirs, A, 1)
    await store.answers.vote(mine, B, -1)
    await store.feeds.add_feed("https://a.example/rss", A)
    await store.feeds.add_feed("https://b.example/rss", B)
    forgotten = await store.readers.forget_user(A, INLINE_CHAT)
    assert (forgotten.questions, forgotten.citations, forgotten.shared, forgotten.votes,
            forgotten.votes_on_theirs, forgotten.feeds) == (2, 4, 1, 1, 1, 1)
    assert forgotten.answer_ids == {mine.id, mine.id + 1}
    english = privacy.forgotten_text(forgotten, "en")
    assert "• 2 question(s) with my answers and 4 cited passage(s), 1 of them asked inline" in english
    assert "• your name on 1 feed(s) you added (they are still followed)" in english
    assert await store.feeds.feeds() == ["https://a.example/rss", "https://b.example/rss"], "feeds stay"
    assert (await store.readers.user_data(A))["feeds_added"] == []
    theirs_data: dict[str, Any] = await store.readers.user_data(B)  # JSON-ready
    assert [f["url"] for f in theirs_data["feeds_added"]] == ["https://b.example/rss"]
    assert await store.answers.answer(theirs.id, -5) == theirs
    assert await store.answers.answer(mine.id, -5) is None
    again = await store.readers.forget_user(A, INLINE_CHAT)
    assert (again.questions, again.votes, again.answer_ids) == (0, 0, frozenset())


async def test_idle_rate_windows_are_purged_in_slices(store: Stores) -> None:
    now = datetime.now(UTC)
    with store.db.connection() as db:
        db.execute(database.rate_windows.insert(), [
            {"user_id": user, "stamps": json.dumps([now.timestamp() - (100 if user % 3 else 40) * 86400])}
            for user in range(1, RATE_WINDOW_SLICE * 2 + 7)
        ])
    purged = await store.readers.purge_before(now - timedelta(days=90))
    users = RATE_WINDOW_SLICE * 2 + 6
    assert purged.rate_windows == users - users // 3
    with store.db.connection() as db:
        kept: Sequence[int] = db.scalars(sa.select(database.rate_windows.c.user_id)).all()
    assert sorted(kept) == [user for user in range(1, users + 1) if user % 3 == 0]


# --- the migration --------------------------------------------------------------------------


def upgrade_to(url: str, revision: str) -> None:
    migrate_to(url, revision, command.upgrade)


def migrate_to(url: str, revision: str, step: Callable[[Config, str], None]) -> None:
    engine = sa.create_engine(sqlalchemy_url(url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
    finally:
        engine.dispose()


async def test_turns_written_before_0004_keep_their_asker_in_private_chats_only(database_url: str) -> None:
    upgrade_to(database_url, "0003")  # the schema the current code wrote before this change
    engine = sa.create_engine(sqlalchemy_url(database_url))
    with engine.begin() as db:
        db.execute(sa.text(
            "INSERT INTO turns (chat_id, question, answer, created_at) VALUES"
            " (7, 'Qui ?', 'Elle [1].', '2026-11-01T10:00:00+00:00'),"
            " (-100, 'Et lui ?', 'Lui [1].', '2026-11-01T10:00:00+00:00')"
        ))
    engine.dispose()

    store = await Stores.open(database_url)
    try:
        assert await store.conversations.history(7, 7, 4) == (Turn("Qui ?", "Elle [1]."),)
        assert await store.conversations.history(-100, 7, 4) == (), "a group's old turn is nobody's follow-up"
        with store.db.connection() as db:
            assert db.execute(sa.select(database.turns.c.user_id).where(database.turns.c.chat_id == -100)).scalar_one() is None
        await store.conversations.add_turn(-100, 8, Turn("Q ?", "R."), keep=4)
        assert await store.conversations.history(-100, 8, 4) == (Turn("Q ?", "R."),)
        assert (await store.readers.forget_user(7, INLINE_CHAT)).turns == 1
        assert (await store.readers.purge_before(datetime(2026, 11, 2, tzinfo=UTC))).turns == 1  # the group's old one
    finally:
        await store.close()


def test_migration_0004_downgrades_and_upgrades_again(database_url: str) -> None:
    upgrade_to(database_url, "head")
    migrate_to(database_url, "0003", command.downgrade)
    engine = sa.create_engine(sqlalchemy_url(database_url))
    try:
        assert "user_id" not in {c["name"] for c in sa.inspect(engine).get_columns("turns")}
    finally:
        engine.dispose()
    upgrade_to(database_url, "head")
