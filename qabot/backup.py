"""Backups of a running qabot, and their restore: the live index and the bot's database together.

`take_backup` writes one backup folder, `DIR/<UTC time>/` (e.g. `DIR/20261206T073000Z/`):
  backup.json      the manifest: qabot version, index backend, schema, embedding model, generation
                   names, database kind and Alembic revision, time, and every file with its size
                   and sha256
  index/gen-N/     the live generation, and its base for a delta (INDEX_BACKEND=local)
  qdrant/          Qdrant's embedded storage (INDEX_BACKEND=qdrant without QDRANT_URL)
  bot.sqlite3      the bot's SQLite database
It is written in `DIR/.tmp-<time>-<host>-<pid>` and renamed when complete and synced, so a backup cut
short (kill -9, a full disk) is never taken for one; the next backup on the same machine removes
what a dead one left (DIR may be shared by several machines: another's process cannot be seen). Backups never overwrite each other: each has its own folder.

Everything is copied while the bot answers and a re-index runs: index generations are immutable
(retrieval/local/backup.py opens their files before a re-index can prune them), SQLite files go
through SQLite's online backup API (a consistent snapshot; writers are not stopped).
A PostgreSQL database or a Qdrant server is not copied: the report says how to back those up
(pg_dump, a Qdrant snapshot; docs/DEPLOYMENT.md).

`restore_backup` checks everything first (every file against its checksum, the index's model and
schema against the settings, that no bot holds the database) and refuses with one sentence;
then it replaces the database file atomically and makes the index live with one swap of CURRENT.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from qabot.settings import Settings
from retrieval.encoders.embedding import Embedder, identity
from retrieval.errors import IndexCorrupt, IndexNotReady, QabotError
from retrieval.files import fsync_dir, sha256_file
from retrieval.local.backup import copy_live, restore_copy
from retrieval.local.index import SCHEMA_VERSION, IndexStore, open_generation

logger = logging.getLogger(__name__)

MANIFEST = "backup.json"
FORMAT = 1
INDEX_FOLDER = "index"
DATABASE_FILE = "bot.sqlite3"
_BACKUP_NAME = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")
_SCRATCH = re.compile(r"^\.tmp-\d{8}T\d{6}Z-(.+)-(\d+)$")

PG_DUMP_NOTE = (
    "The bot's database is PostgreSQL: back it up with `pg_dump --format=custom --file=bot.dump "
    "DATABASE_URL` and restore it with `pg_restore --dbname=DATABASE_URL bot.dump` (docs/DEPLOYMENT.md)."
)
QDRANT_SERVER_NOTE = (
    "The index is on the Qdrant server {url}: take a snapshot of its collections there "
    "(POST /collections/<name>/snapshots, docs/DEPLOYMENT.md); this backup holds the bot's database only."
)


class BackupError(QabotError):
    """A backup cannot be taken or restored; the message says what is wrong and what to do."""


class BackupDamaged(BackupError):
    def __init__(self, where: Path, detail: str) -> None:
        super().__init__(
            f"The backup {where} is damaged ({detail}): restore another backup, or take a new one."
        )


class BackupMismatch(BackupError):
    pass


class DatabaseInUse(BackupError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The bot's database {path} is open in another process (a running `qabot run`?): stop "
            "the bot, then restore again."
        )


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    manifest: dict[str, Any]
    notes: tuple[str, ...] = ()  # what the operator must still do (PostgreSQL, Qdrant server)


@dataclass(frozen=True, slots=True)
class RestoreReport:
    path: Path
    generation: str | None  # the restored generation's new name in INDEX_DIR (local index)
    database: Path | None  # the SQLite file put back
    notes: tuple[str, ...] = field(default_factory=tuple)


def database_file(location: str | Path) -> Path | None:
    """The SQLite file behind the bot store's location, or None for a database server."""
    if isinstance(location, Path):
        return location
    if location.startswith("sqlite:///"):
        return Path(location[len("sqlite:///"):])
    return None


# --- backup -------------------------------------------------------------------------------


def take_backup(settings: Settings, root: Path, database: str | Path, now: datetime | None = None) -> BackupReport:
    """Write a complete backup into a new folder of `root`; `database`: the bot store's location."""
    try:
        return _take_backup(settings, root, database, now or datetime.now(UTC))
    except OSError as exc:  # a full disk, a read-only or missing folder: nothing visible was written
        raise BackupError(
            f"The backup could not be written to {root} ({exc.strerror or exc}): free disk space or "
            "give a folder qabot can write to."
        ) from exc


def _take_backup(settings: Settings, root: Path, database: str | Path, now: datetime) -> BackupReport:
    root.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(root)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    scratch = root / f".tmp-{stamp}-{socket.gethostname()}-{os.getpid()}"
    scratch.mkdir()
    try:
        index, notes = _backup_index(settings, scratch)
        db, db_notes = _backup_database(database, scratch)
        manifest: dict[str, Any] = {
            "format": FORMAT, "qabot": _version(), "created_at": now.isoformat(timespec="seconds"),
            "index": index, "database": db, "files": _describe_files(scratch),
        }
        _write_synced(scratch / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        fsync_dir(scratch)
        final = _free_name(root, stamp)
        os.replace(scratch, final)
        fsync_dir(root)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    logger.info("backup written path=%s", final)
    return BackupReport(final, manifest, (*notes, *db_notes))


def _backup_index(settings: Settings, scratch: Path) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    if settings.index_backend == "qdrant":
        from qabot import backup_qdrant

        return backup_qdrant.backup(settings, scratch)
    try:
        copy = copy_live(IndexStore(settings.index_dir), scratch / INDEX_FOLDER)
    except IndexNotReady:
        return None, (f"There is no index in {settings.index_dir} yet: the backup holds the database only.",)
    return {
        "backend": "local", "schema": copy.schema, "embedding": copy.embedding,
        "generation": copy.generation, "base": copy.base,
    }, ()


def _backup_database(location: str | Path, scratch: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    path = database_file(location)
    if path is None:
        return {"kind": "postgresql"}, (PG_DUMP_NOTE,)
    if not path.exists():
        return {"kind": "sqlite", "file": None}, (f"The bot's database {path} does not exist yet: nothing to copy.",)
    copy_sqlite(path, scratch / DATABASE_FILE)
    return {"kind": "sqlite", "file": DATABASE_FILE, "revision": _revision(scratch / DATABASE_FILE)}, ()


def copy_sqlite(source: Path, destination: Path) -> None:
    """A consistent copy of a live SQLite database (its online backup API: one snapshot, writers
    go on), as one self-contained file (rollback journal, no WAL beside it), checked and synced."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    # mode=rw: a file that vanished is an error, not a new empty database.
    src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(destination, isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = dst.execute("PRAGMA integrity_check").fetchone()
        finally:
            dst.close()
    except sqlite3.OperationalError:
        raise  # locked for too long, or gone meanwhile (a dropped Qdrant collection): not damage
    except sqlite3.DatabaseError as exc:  # not a database, malformed
        verdict = str(exc)
    finally:
        src.close()
    if verdict != "ok":
        raise BackupError(
            f"The database {source} fails SQLite's integrity check ({verdict}): a copy would carry "
            f"the damage; recover what it holds with `sqlite3 {source} .recover`, or restore an earlier backup."
        )
    with destination.open("rb") as handle:
        os.fsync(handle.fileno())


def _revision(path: Path) -> str | None:
    """The Alembic revision of a copied bot database (None before the first migration)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        db.close()
    return None if row is None else str(row[0])


def _describe_files(folder: Path) -> dict[str, dict[str, object]]:
    return {
        path.relative_to(folder).as_posix(): {"size": path.stat().st_size, "sha256": sha256_file(path)}
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _free_name(root: Path, stamp: str) -> Path:
    """`root/stamp`, or `root/stamp-2`... when a backup of the same second exists."""
    candidate, n = root / stamp, 1
    while candidate.exists():
        n += 1
        candidate = root / f"{stamp}-{n}"
    return candidate


def _remove_abandoned(root: Path) -> None:
    """Scratch folders of backups whose process is gone (killed, or the machine stopped)."""
    for path in root.iterdir():
        match = _SCRATCH.match(path.name)
        if match and match.group(1) == socket.gethostname() and not _alive(int(match.group(2))):
            logger.warning("removing an unfinished backup path=%s", path)
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _version() -> str:
    try:
        return metadata.version("qabot")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- restore ------------------------------------------------------------------------------


def find_backup(path: Path) -> Path:
    """`path` itself when it is a backup, else its newest backup."""
    if (path / MANIFEST).is_file():
        return path
    found = sorted(p for p in path.iterdir() if _BACKUP_NAME.match(p.name) and (p / MANIFEST).is_file()) if path.is_dir() else []
    if not found:
        raise BackupError(f"No qabot backup in {path}: give the folder `qabot backup` wrote (it holds {MANIFEST}).")
    return found[-1]


def read_checked(backup: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it lists has its size and checksum (BackupDamaged)."""
    try:
        manifest: dict[str, Any] = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        if manifest.get("format") != FORMAT or not isinstance(files, dict):
            raise ValueError(f"format {manifest.get('format')!r}, expected {FORMAT}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupDamaged(backup, f"{MANIFEST} unreadable: {exc}") from exc
    for name, expected in files.items():
        path = backup / name
        if not path.is_file():
            raise BackupDamaged(backup, f"{name} is missing")
        if path.stat().st_size != expected["size"] or sha256_file(path) != expected["sha256"]:
            raise BackupDamaged(backup, f"{name} fails its checksum")
    return manifest


def restore_backup(
    settings: Settings, path: Path, database: str | Path, embedder: Embedder,
    revisions: frozenset[str] | None = None,
) -> RestoreReport:
    """Check the backup in `path` (or its newest one) against the settings, then make it live:
    the database file replaced atomically (refused while a bot holds it), the index added to
    INDEX_DIR and swapped in at once. `embedder`: the configured model, which the index must
    have been built with; `revisions`: the database migrations this qabot knows (a database a
    newer qabot migrated is refused: this one could not open it).

    Every check runs before anything changes; the database is held from the start, so a bot
    cannot open it halfway, and replaced last, once the index is in place."""
    try:
        return _restore(settings, path, database, embedder, revisions)
    except OSError as exc:  # nothing was made live: the swaps come last and are single renames
        raise BackupError(
            f"The restore could not write its files ({exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}): free disk "
            "space or make INDEX_DIR and DATA_DIR writable, then restore again."
        ) from exc


def _restore(
    settings: Settings, path: Path, database: str | Path, embedder: Embedder, revisions: frozenset[str] | None
) -> RestoreReport:
    backup = find_backup(path)
    manifest = read_checked(backup)
    index = manifest.get("index")
    _check_index(settings, backup, manifest, embedder)
    target, notes = _database_target(backup, manifest, database, revisions)
    generation = None
    with _exclusive(target):
        if index is None:
            notes += ("The backup holds no index: run `qabot index` to build one.",)
        elif index["backend"] == "local":
            generation = restore_copy(IndexStore(settings.index_dir), backup / INDEX_FOLDER, index["generation"])
        else:
            from qabot import backup_qdrant

            backup_qdrant.restore(settings, backup, embedder)
        if target is not None:
            _replace(backup / DATABASE_FILE, target)
    return RestoreReport(backup, generation, target, notes)


def _check_index(settings: Settings, backup: Path, manifest: dict[str, Any], embedder: Embedder) -> None:
    index = manifest.get("index")
    if index is None:
        return
    if index["backend"] != settings.index_backend:
        raise BackupMismatch(
            f"The backup {backup} holds a {index['backend']} index but INDEX_BACKEND is "
            f"{settings.index_backend}: set INDEX_BACKEND={index['backend']} to restore it."
        )
    if index["backend"] == "qdrant":
        from qabot import backup_qdrant

        backup_qdrant.check(settings, backup)
        return
    if index["schema"] != SCHEMA_VERSION:
        raise BackupMismatch(
            f"The backup {backup} holds an index of schema {index['schema']}, this qabot reads "
            f"schema {SCHEMA_VERSION}: restore it with the qabot version that took it "
            f"({manifest.get('qabot')}), or rebuild the index with `qabot index --full`."
        )
    expected_embedding = identity(embedder)
    if index["embedding"] != expected_embedding:
        raise BackupMismatch(
            f"The backup {backup} holds an index built with {index['embedding']} but the configured "
            f"model is {expected_embedding}: set EMBEDDING_BACKEND/EMBEDDING_MODEL to that model "
            "to restore it, or rebuild the index with `qabot index --full`."
        )
    try:  # the files open as a generation: FAISS and SQLite read them, the manifests match
        open_generation(backup / INDEX_FOLDER / index["generation"], verify=True).close()
    except IndexCorrupt as exc:
        logger.warning("backup index unusable path=%s: %s", backup, exc)
        raise BackupDamaged(backup, f"its index generation {index['generation']} does not open") from exc


def _database_target(
    backup: Path, manifest: dict[str, Any], location: str | Path, revisions: frozenset[str] | None
) -> tuple[Path | None, tuple[str, ...]]:
    """Where the backup's SQLite database goes (None: nothing to put back), and what to say."""
    db = manifest.get("database") or {}
    target = database_file(location)
    if db.get("kind") == "postgresql":
        return None, (PG_DUMP_NOTE,)
    if not db.get("file"):
        return None, ("The backup holds no database (the bot had none yet).",)
    if target is None:
        raise BackupMismatch(
            "The backup holds a SQLite database but DATABASE_URL names a database server: unset "
            "DATABASE_URL to restore into DATA_DIR, or move the data with your server's tools."
        )
    revision = db.get("revision")
    if revisions is not None and revision is not None and revision not in revisions:
        raise BackupMismatch(
            f"The backup {backup} holds a database a newer qabot wrote (migration {revision}; this one "
            f"is qabot {_version()}): restore it with qabot {manifest.get('qabot')} or later."
        )
    return target, ()


def _replace(copy: Path, live: Path) -> None:
    """Put a SQLite database in place of `live` atomically (a rename over it, synced); call
    holding `_exclusive(live)`."""
    live.parent.mkdir(parents=True, exist_ok=True)
    scratch = live.with_name(f".{live.name}.restore-tmp")
    try:
        shutil.copyfile(copy, scratch)
        with scratch.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(scratch, live)
        fsync_dir(live.parent)
    finally:
        scratch.unlink(missing_ok=True)


@contextmanager
def _exclusive(path: Path | None) -> Iterator[None]:
    """Hold the SQLite database `path` (when there is one) so that no other process has it
    open: DatabaseInUse when one does. Taken out of WAL mode (SQLite allows that only to the
    one connection), its stale WAL and index files gone, an exclusive lock kept until the new
    file has replaced it.

    Refused rather than swapped under a running bot: its open connections would go on writing
    to the replaced file (lost), and its WAL file would be matched with the new one."""
    if path is None or not path.exists():
        yield
        return
    db = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        try:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("PRAGMA journal_mode=DELETE")
            db.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseInUse(path) from exc
            raise BackupError(f"The bot's database {path} cannot be opened ({exc}): move it aside and restore again.") from exc
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        yield
    finally:
        db.close()
