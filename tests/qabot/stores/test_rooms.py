"""The bot's database, room by room (qabot/stores/), run on SQLite and on a real PostgreSQL (the `database_url` fixture):
what buttons read back, votes, declined questions, counters, conversation turns, rate limits,
update ids and job runs shared by workers, the cross-worker lock, restarts and kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from answering.protocol import Answer, Citation, Turn
from qabot.stores import Stores
from retrieval.models import Passage
from tests.conftest import ROOT

BIG_ID = 7_123_456_789  # Telegram chat and user ids do not fit in 32 bits


def passage(n: int, article: str = "a1") -> Passage:
    return Passage(chunk_id=n, article_id=article, title=f"Titre {article}", date="2020-01",
                   start=10 * n, end=10 * n + 9, text=f"Passage numéro {n} « cité ».", score=1.0 / n)


def answer(question: str = "Qui ?", answered: bool = True, cited: int = 2) -> Answer:
    citations = [Citation(n, passage(n)) for n in range(1, cited + 1)] if answered else []
    return Answer(question=question, text="Réponse [1] [2].", citations=citations, answered=answered,
                  language="fr", answerer="extractive")


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Stores]:
    opened = await Stores.open(database_url)
    yield opened
    await opened.close()


async def test_a_saved_answer_reads_back_only_in_its_chat(store: Stores) -> None:
    saved = await store.answers.save_answer(BIG_ID, BIG_ID + 1, answer())
    again = await store.answers.answer(saved.id, BIG_ID)
    assert again == saved
    assert [c.text for c in again.citations] == ["Passage numéro 1 « cité ».", "Passage numéro 2 « cité »."]
    assert await store.answers.answer(saved.id, BIG_ID + 5) is None
    assert await store.answers.answer(saved.id + 1000, BIG_ID) is None


async def test_feeds_are_one_row_per_url_shared_by_workers(store: Stores, database_url: str) -> None:
    other = await Stores.open(database_url)  # a second worker on the same database
    try:
        added = await asyncio.gather(store.feeds.add_feed("https://a.example/rss", BIG_ID), other.feeds.add_feed("https://a.example/rss"))
        assert sorted(added) == [False, True]
        assert await other.feeds.add_feed("https://b.example/atom") is True
        assert await store.feeds.feeds() == ["https://a.example/rss", "https://b.example/atom"]
        assert await store.feeds.remove_feed("https://a.example/rss") is True
        assert await other.feeds.remove_feed("https://a.example/rss") is False
        assert await other.feeds.feeds() == ["https://b.example/atom"]
    finally:
        await other.close()


async def test_votes_are_one_per_user_and_answer_and_can_change(store: Stores) -> None:
    saved = await store.answers.save_answer(7, 7, answer())
    await store.answers.vote(saved, 7, 1)
    await store.answers.vote(saved, 7, -1)
    await store.answers.vote(saved, 8, 1)
    votes = await store.asked.vote_records(10)
    assert sorted((v.user_id, v.vote) for v in votes) == [(7, -1), (8, 1)]
    assert {v.question for v in votes} == {saved.question} and votes[0].citations[0].article_id == "a1"


async def test_declined_questions_and_counters(store: Stores) -> None:
    await store.answers.save_answer(7, 7, answer("Première ?", answered=False))
    await store.answers.save_answer(7, 7, answer("Seconde ?", answered=False))
    await store.answers.save_answer(7, 7, answer("Répondue ?"))
    assert [q for _, q in await store.answers.unanswered(10)] == ["Seconde ?", "Première ?"]
    assert [q for _, q in await store.answers.unanswered(1)] == ["Seconde ?"]
    assert await store.answers.today() == {"answered": 1, "declined": 2}


async def test_meta_is_replaced(store: Stores) -> None:
    assert await store.coordination.meta("last_reindex") is None
    await store.coordination.set_meta("last_reindex", "hier")
    await store.coordination.set_meta("last_reindex", "aujourd'hui")
    assert await store.coordination.meta("last_reindex") == "aujourd'hui"


async def test_conversation_keeps_the_newest_turns_per_chat_and_member(store: Stores) -> None:
    for i in range(5):
        await store.conversations.add_turn(1, 1, Turn(f"q{i}", f"r{i}"), keep=3)
    await store.conversations.add_turn(2, 2, Turn("autre", "chat"), keep=3)
    assert await store.conversations.history(1, 1, 3) == (Turn("q2", "r2"), Turn("q3", "r3"), Turn("q4", "r4"))
    assert await store.conversations.history(1, 1, 2) == (Turn("q3", "r3"), Turn("q4", "r4"))
    assert await store.conversations.history(1, 1, 0) == ()
    # A group: each member keeps their own newest turns, and /new clears only the sender's.
    for i in range(4):
        await store.conversations.add_turn(-100, 10 + i % 2, Turn(f"g{i}", f"r{i}"), keep=2)
    await store.conversations.add_turn(-100, 10, Turn("g4", "r4"), keep=2)
    assert await store.conversations.history(-100, 10, 3) == (Turn("g2", "r2"), Turn("g4", "r4"))
    assert await store.conversations.history(-100, 11, 3) == (Turn("g1", "r1"), Turn("g3", "r3"))
    await store.conversations.clear_history(-100, 11)
    assert await store.conversations.history(-100, 11, 3) == ()
    assert await store.conversations.history(-100, 10, 3) == (Turn("g2", "r2"), Turn("g4", "r4"))
    await store.conversations.clear_history(1, 1)
    assert await store.conversations.history(1, 1, 3) == ()
    assert await store.conversations.history(2, 2, 3) == (Turn("autre", "chat"),)


async def test_rate_limit_is_a_sliding_window(store: Stores) -> None:
    assert [await store.conversations.rate_check(5, 2, 60, now=t) for t in (100.0, 110.0)] == [0.0, 0.0]
    assert await store.conversations.rate_check(5, 2, 60, now=120.0) == pytest.approx(40.0)
    assert await store.conversations.rate_check(6, 2, 60, now=120.0) == 0.0  # another user
    assert await store.conversations.rate_check(5, 2, 60, now=160.0) == 0.0  # the first one left the window
    assert await store.conversations.rate_check(5, 2, 60, now=161.0) == pytest.approx(9.0)


async def test_two_workers_share_turns_limits_and_update_ids(store: Stores, database_url: str) -> None:
    other = await Stores.open(database_url)
    try:
        await store.conversations.add_turn(1, 1, Turn("q", "r"), keep=4)
        assert await other.conversations.history(1, 1, 4) == (Turn("q", "r"),)
        assert await store.coordination.first_delivery(900) is True
        assert await other.coordination.first_delivery(900) is False
        assert await store.coordination.first_delivery(900) is False
        assert await other.coordination.first_delivery(901) is True
        assert await store.coordination.claim_job("feeds", "2026-11-30T06") is True
        assert await other.coordination.claim_job("feeds", "2026-11-30T06") is False
        assert await other.coordination.claim_job("feeds", "2026-11-30T07") is True
        # Concurrent questions from one user through two workers: the limit holds exactly.
        results = await asyncio.gather(*[(store if i % 2 else other).conversations.rate_check(42, 5, 60) for i in range(16)])
        assert sum(1 for wait in results if wait == 0.0) == 5
    finally:
        await other.close()


async def test_cross_worker_lock(store: Stores, database_url: str) -> None:
    other = await Stores.open(database_url)
    try:
        held = await store.coordination.try_exclusive("reindex")
        assert held is not None
        assert await store.coordination.try_exclusive("reindex") is None
        if store.db.dialect == "postgresql":  # SQLite's lock is per process (one machine)
            assert await other.coordination.try_exclusive("reindex") is None
        assert await store.coordination.try_exclusive("feeds") is not None
        await held.release()
        again = await (other if store.db.dialect == "postgresql" else store).coordination.try_exclusive("reindex")
        assert again is not None
        await again.release()
    finally:
        await other.close()


async def test_answers_and_votes_survive_a_restart(database_url: str) -> None:
    first = await Stores.open(database_url)
    saved = await first.answers.save_answer(7, 7, answer())
    await first.answers.vote(saved, 7, 1)
    await first.close()
    second = await Stores.open(database_url)
    try:
        assert await second.answers.answer(saved.id, 7) == saved
        assert [v.vote for v in await second.asked.vote_records(10)] == [1]
    finally:
        await second.close()


WRITER = """
import asyncio, sys, time
sys.path.insert(0, {root!r})
from qabot.stores import Stores
from tests.qabot.stores.test_rooms import answer

async def main():
    store = await Stores.open({url!r})
    for i in range(1000):
        saved = await store.answers.save_answer(7, 7, answer(f"q{{i}}"))
        await store.answers.vote(saved, 7, 1)
        print(saved.id, flush=True)

asyncio.run(main())
"""


def test_kill_9_of_a_worker_loses_nothing_committed(database_url: str, tmp_path: Path) -> None:
    """A worker writing answers is killed mid-stream: every answer it reported (committed) is
    there, whole, with its citations and vote; nothing half written is visible."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), url=database_url), encoding="utf-8")
    worker = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: S603
    assert worker.stdout is not None
    reported = [int(worker.stdout.readline()) for _ in range(30)]
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    reported += [int(line) for line in worker.stdout.read().split()]

    async def check() -> None:
        store = await Stores.open(database_url)
        try:
            for answer_id in reported:
                stored = await store.answers.answer(answer_id, 7)
                assert stored is not None and len(stored.citations) == 2, answer_id
            with store.db.connection() as db:
                import sqlalchemy as sa

                answers: int = db.execute(sa.text("SELECT count(*) FROM answers")).scalar_one()
                partial: int = db.execute(sa.text(
                    "SELECT count(*) FROM answers a WHERE (SELECT count(*) FROM citations c"
                    " WHERE c.answer_id = a.id) <> 2"
                )).scalar_one()
                voted = {int(r[0]) for r in db.execute(sa.text("SELECT answer_id FROM feedback"))}
            assert answers >= len(reported) and partial == 0
            assert len(voted & set(reported)) >= len(reported) - 1
        finally:
            await store.close()

    asyncio.run(check())


def test_a_bot_file_from_before_migrations_is_adopted(tmp_path: Path) -> None:
    """bot.sqlite3 written by the store before Alembic: its tables and rows are kept."""
    path = tmp_path / "bot.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE answers (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL,"
        " user_id INTEGER, question TEXT NOT NULL, text TEXT NOT NULL, answered INTEGER NOT NULL,"
        " language TEXT NOT NULL, answerer TEXT NOT NULL, note TEXT, created_at TEXT NOT NULL);"
        "CREATE TABLE citations (answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,"
        ' n INTEGER NOT NULL, article_id TEXT NOT NULL, title TEXT NOT NULL, date TEXT, start INTEGER NOT NULL,'
        ' "end" INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (answer_id, n));'
        "INSERT INTO answers VALUES (1, 7, 7, 'Ancienne ?', 'Oui [1].', 1, 'fr', 'extractive', NULL, '2026-01-01');"
        "INSERT INTO citations VALUES (1, 1, 'a1', 'Titre', NULL, 0, 5, 'Texte');"
    )
    old.commit()
    old.close()

    async def check() -> None:
        store = await Stores.open(path)
        try:
            stored = await store.answers.answer(1, 7)
            assert stored is not None and stored.question == "Ancienne ?"
            assert stored.citations[0].text == "Texte"
            assert (await store.answers.save_answer(7, 7, answer())).id == 2
            assert await store.conversations.history(7, 7, 2) == ()
        finally:
            await store.close()

    asyncio.run(check())


def test_answers_written_as_one_composed_text_are_split_into_their_parts(database_url: str) -> None:
    """A database as the code before migration 0007 wrote it (the note, the **lead**, the framing
    and the body in one text) reads back as a body with its lead, framing and note apart."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from qabot.stores.database import MIGRATIONS, create_engine

    engine = create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    note = "(Le modèle de langue n'a pas pu être joint : voici les passages les plus pertinents.)"
    rows = [  # id, text, answered, answerer, note
        (1, f"{note}\n\n**130 000**\nD'après les articles : 130 000 civils ont fui. [1]", 1, "extractive", note),
        (2, "**15 novembre**\nL'offensive a commencé le 15 novembre. [1]", 1, "llm", None),
        (3, "Je n'ai pas trouvé la réponse dans les articles.", 0, "llm", note),
        (4, "According to the articles (quoted in their original language): 2 ** 3 vaut 8. [1]", 1, "extractive", None),
    ]
    with engine.begin() as db:
        config.attributes["connection"] = db
        command.upgrade(config, "0006")
        for answer_id, text, answered, answerer, row_note in rows:
            db.execute(sa.text(
                "INSERT INTO answers (id, chat_id, user_id, question, text, answered, language, answerer, note,"
                " created_at) VALUES (:id, 7, 7, 'q', :text, :answered, 'fr', :answerer, :note, '2026-01-01')"
            ), {"id": answer_id, "text": text, "answered": answered, "answerer": answerer, "note": row_note})
    engine.dispose()

    async def check() -> None:
        store = await Stores.open(database_url)
        try:
            parts = [(a.text, a.lead, a.framing, a.note) for a in [await store.answers.answer(i, 7) for i in (1, 2, 3, 4)] if a]
        finally:
            await store.close()
        assert parts == [
            ("130 000 civils ont fui. [1]", "130 000", "D'après les articles :", note),
            ("L'offensive a commencé le 15 novembre. [1]", "15 novembre", None, None),
            ("Je n'ai pas trouvé la réponse dans les articles.", None, None, note),
            ("2 ** 3 vaut 8. [1]", None, "According to the articles (quoted in their original language):", None),
        ]

    asyncio.run(check())
    # And back: downgrading composes the texts the older code reads.
    engine = create_engine(database_url)
    with engine.begin() as db:
        config.attributes["connection"] = db
        command.downgrade(config, "0006")
        texts: Sequence[str] = db.execute(sa.text("SELECT text FROM answers ORDER BY id")).scalars().all()
    engine.dispose()
    assert texts == [text for _, text, _, _, _ in rows]


def test_an_unreachable_database_is_named_without_its_password(tmp_path: Path) -> None:
    from qabot.stores import StoreUnavailable

    url = f"postgresql://qabot:s3cret@/qabot?host={tmp_path}"
    with pytest.raises(StoreUnavailable) as caught:
        Stores.connect(url)
    message = str(caught.value)
    assert "DATABASE_URL" in message and "s3cret" not in message
    # What failed (the database, password masked, and the server's reason: no socket in that
    # folder) and what to do.
    assert "postgresql+psycopg://qabot:***@/qabot" in message
    assert f'"{tmp_path}/.s.PGSQL.5432" failed' in message
    assert message.endswith("check DATABASE_URL and that the server is running.")


async def test_migrations_make_exactly_the_tables_the_queries_use(store: Stores) -> None:
    """qabot/stores/database.py (what queries use) and qabot/stores/migrations (what makes the schema) agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from qabot.stores import database

    def differences() -> list[object]:
        with store.db.connection() as db:
            diff = compare_metadata(MigrationContext.configure(db), database.metadata)
        # Index names are the migrations' own (database.py declares no indexes for queries).
        return [d for d in diff if not (isinstance(d, tuple) and d[0] == "remove_index")]

    assert await asyncio.to_thread(differences) == []


async def test_a_scheduled_job_runs_once_per_period_across_workers(store: Stores, database_url: str) -> None:
    from bot.jobs import run_once

    other = await Stores.open(database_url)
    runs: list[str] = []

    async def poll_feeds() -> None:
        runs.append("run")
        await asyncio.sleep(0.05)

    try:
        ran = await asyncio.gather(*[run_once(s, "feeds", 3600, poll_feeds, now=7200.0 + i)
                                     for i, s in enumerate([store, other, store, other])])
        assert ran.count(True) == 1 and runs == ["run"]
        assert await run_once(other, "feeds", 3600, poll_feeds, now=7200.0 + 3599) is False
        assert await run_once(other, "feeds", 3600, poll_feeds, now=7200.0 + 3600) is True
        assert runs == ["run", "run"]
    finally:
        await other.close()
