"""INDEX_BACKEND=qdrant in backups (qabot/backup.py): Qdrant's embedded storage, or a note for a server.

qdrant-client's embedded (local) mode takes no snapshots (`create_snapshot` raises
NotImplementedError there), so its folder is copied: `meta.json` (collections and aliases;
the client replaces it whole) first, then each collection it names, whose points live in one
SQLite file, through SQLite's online backup API. The copy is what a kill -9 of the bot at that
moment would leave, which the Qdrant backend is built to read: an incremental re-index's points
are invisible until its meta point publishes them, a full one's collection until the alias
moves. A collection deleted between the two reads sends the copy back to `meta.json`.

A Qdrant server is not copied: its own snapshots do that (docs/DEPLOYMENT.md).

Restoring replaces the storage folder (two renames), refused while a process holds it: the
client keeps the whole storage in memory and locks the folder while it is open.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qabot.backup import QDRANT_SERVER_NOTE, BackupDamaged, BackupError, BackupMismatch, copy_sqlite
from qabot.services import build_index, qdrant_storage
from qabot.settings import Settings
from retrieval.encoders.embedding import Embedder
from retrieval.errors import IndexModelMismatch, QabotError
from retrieval.local.index import IndexStore

logger = logging.getLogger(__name__)

FOLDER = "qdrant"
META = "meta.json"
STORAGE = "storage.sqlite"
ATTEMPTS = 20


class QdrantInUse(BackupError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"Qdrant's storage {path} is open in another process (a running `qabot run`?): stop the "
            "bot, then restore again."
        )


def backup(settings: Settings, scratch: Path) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """Copy the embedded storage into `scratch/qdrant`; (what the manifest records, notes)."""
    if settings.qdrant_url:
        return None, (QDRANT_SERVER_NOTE.format(url=settings.qdrant_url),)
    source = qdrant_storage(settings)
    if not (source / META).is_file():
        return None, (f"There is no Qdrant storage in {source} yet: the backup holds the database only.",)
    target = scratch / FOLDER
    for _ in range(ATTEMPTS):
        text = (source / META).read_text(encoding="utf-8")
        collections = list(json.loads(text)["collections"])
        shutil.rmtree(target, ignore_errors=True)
        try:
            for name in collections:
                copy_sqlite(source / "collection" / name / STORAGE, target / "collection" / name / STORAGE)
        except sqlite3.OperationalError:
            if all((source / "collection" / name / STORAGE).exists() for name in collections):
                raise
            logger.info("a Qdrant collection was dropped during the backup; reading %s again", META)
            continue
        (target / META).write_text(text, encoding="utf-8")
        return {"backend": "qdrant", "mode": "embedded", "collection": settings.qdrant_collection,
                "collections": collections}, ()
    raise BackupError(f"Qdrant's storage changed {ATTEMPTS} times during the backup: try again when re-indexing is quieter.")


def check(settings: Settings, backup_path: Path) -> None:
    if settings.qdrant_url:
        raise BackupMismatch(
            f"The backup {backup_path} holds Qdrant's embedded storage but QDRANT_URL names a server: "
            "unset QDRANT_URL to restore it here, or re-index into the server with `qabot index --full`."
        )


def restore(settings: Settings, backup_path: Path, embedder: Embedder) -> None:
    """Copy the backup's storage beside the live one, check that it opens with the configured
    model, then swap the folders (the live one must be closed)."""
    live = qdrant_storage(settings)
    live.parent.mkdir(parents=True, exist_ok=True)
    staged = live.with_name(f".{live.name}.restore-tmp")
    replaced = live.with_name(f".{live.name}.replaced-tmp")
    for leftover in (staged, replaced):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(backup_path / FOLDER, staged)
    try:
        _check_opens(settings, staged, embedder)
        with _held(live):
            if live.exists():
                live.rename(replaced)
            staged.rename(live)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    shutil.rmtree(replaced, ignore_errors=True)


def _check_opens(settings: Settings, staged: Path, embedder: Embedder) -> None:
    index = build_index(settings.model_copy(update={"qdrant_path": staged}), IndexStore(settings.index_dir), embedder)
    try:
        index.stats()
    except IndexModelMismatch as exc:
        raise BackupMismatch(
            f"The backup holds a Qdrant index built with {exc.built_with} but the configured model is "
            f"{exc.configured}: set EMBEDDING_BACKEND/EMBEDDING_MODEL to that model to restore it, or "
            "rebuild the index with `qabot index --full`."
        ) from exc
    except QabotError as exc:  # no live collection under the alias
        logger.warning("backup's Qdrant storage unusable path=%s: %s", staged, exc)
        raise BackupDamaged(staged.parent, f"its Qdrant storage has no live collection {settings.qdrant_collection}") from exc
    finally:
        index.close()
    (staged / ".lock").unlink(missing_ok=True)


@contextlib.contextmanager
def _held(path: Path) -> Iterator[None]:
    """The embedded storage's own lock (the one qdrant-client takes), or QdrantInUse."""
    lock = path / ".lock"
    if not lock.exists():
        yield
        return
    with lock.open("r+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise QdrantInUse(path) from None
        yield
