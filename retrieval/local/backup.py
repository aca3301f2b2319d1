"""The live index generation copied out of INDEX_DIR while it serves, and a copy made live again.

Generations are immutable once published; what can happen during a copy is that a re-index
publishes the next one and prunes the one being copied. So every file of the generation (and of
its base, for a delta) is opened before a byte is copied: an open descriptor keeps a pruned file
readable to the end. A file pruned before it could be opened sends the copy back to CURRENT for
the newer generation. Each byte copied is hashed and checked against the generation's manifest.
Nothing here takes the re-index lock while copying, so a re-index is never refused because a
backup runs.

A copy is laid out as INDEX_DIR is (`gen-N/` folders side by side), so it opens with
`open_generation`. Putting one back gives it fresh generation numbers above every one in
INDEX_DIR (a running reader never mistakes it for a generation it already verified), under the
re-index lock, and swaps CURRENT once: readers go from the old index to the restored one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from retrieval.errors import IndexCorrupt, IndexNotReady, QabotError
from retrieval.files import fsync_dir
from retrieval.local.index import (
    DB_FILE,
    DENSE_FILE,
    MANIFEST_FILE,
    IndexStore,
    base_of,
    verify_files,
)

logger = logging.getLogger(__name__)

GENERATION_FILES = (DB_FILE, DENSE_FILE, MANIFEST_FILE)
# Re-reads of CURRENT when the generation just named was pruned before its files were opened;
# each takes a re-index to happen in the milliseconds between two file opens.
ATTEMPTS = 20


class IndexKeptChanging(QabotError):
    def __init__(self, attempts: int) -> None:
        super().__init__(
            f"The index changed {attempts} times while the backup opened its files: "
            "try again when re-indexing is quieter."
        )


@dataclass(frozen=True, slots=True)
class IndexCopy:
    """What a copy of the live index holds."""

    generation: str  # the live generation's name when it was copied
    base: str | None  # its base, for a delta generation
    embedding: str  # the identity of the model that built it
    schema: str  # the index schema it was written with
    files: tuple[str, ...]  # paths written, relative to the copy's folder


@dataclass(frozen=True, slots=True)
class _Open:
    relative: str
    handle: IO[bytes]
    sha256: str | None  # None for the manifest itself


def copy_live(store: IndexStore, target: Path) -> IndexCopy:
    """Copy the live generation (with its base) into `target`, checked against its manifests."""
    for _ in range(ATTEMPTS):
        name = store.current_name()
        if name is None:
            raise IndexNotReady(store.root)
        with contextlib.ExitStack() as stack:
            try:
                opened = list(_open_generation(store.root, name, stack))
            except FileNotFoundError:
                logger.info("generation %s was pruned before the backup opened it; reading CURRENT again", name)
                continue
            for item in opened:
                _copy_checked(item, target / item.relative)
        base = base_of(target / name)
        for folder in (target / name, *([target / base] if base else [])):
            fsync_dir(folder)
        meta = generation_meta(target, name, base)
        return IndexCopy(
            generation=name, base=base, embedding=meta["embedding"], schema=meta.get("schema", ""),
            files=tuple(item.relative for item in opened),
        )
    raise IndexKeptChanging(ATTEMPTS)


def _open_generation(root: Path, name: str, stack: contextlib.ExitStack) -> Iterator[_Open]:
    """The files of generation `name` and of its base, each opened (FileNotFoundError when one
    was pruned meanwhile); the manifest is read through the descriptor that is then copied."""
    manifest_handle = stack.enter_context((root / name / MANIFEST_FILE).open("rb"))
    try:
        manifest = json.loads(manifest_handle.read())
        files = manifest["files"]
        base = manifest.get("base")
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupt(f"manifest of {name} unreadable: {exc}") from exc
    manifest_handle.seek(0)
    yield _Open(f"{name}/{MANIFEST_FILE}", manifest_handle, None)
    for file, sha256 in files.items():
        yield _Open(f"{name}/{file}", stack.enter_context((root / name / file).open("rb")), sha256)
    if base is not None:
        yield from _open_generation(root, str(base), stack)


def _copy_checked(item: _Open, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with destination.open("wb") as out:
        for block in iter(lambda: item.handle.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if item.sha256 is not None and digest.hexdigest() != item.sha256:
        # The live index is damaged: a backup of it would carry the damage silently.
        raise IndexCorrupt(f"{item.relative} fails its checksum")


def generation_meta(root: Path, name: str, base: str | None) -> dict[str, str]:
    """A generation's meta (its base's, overridden by its own), read without loading vectors."""
    merged: dict[str, str] = {}
    for folder in ([base] if base else []) + [name]:
        try:
            db = sqlite3.connect(f"file:{root / folder / DB_FILE}?mode=ro&immutable=1", uri=True)
            try:
                merged.update(db.execute("SELECT key, value FROM meta").fetchall())
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            raise IndexCorrupt(f"{folder} cannot be opened: {exc}") from exc
    return merged


def restore_copy(store: IndexStore, source: Path, name: str) -> str:
    """Make generation `name` of the copy in `source` (checked by the caller) the live one of
    `store`, with its base; returns its new name. ReindexInProgress while a re-index runs."""
    base = base_of(source / name)
    with store.reindex_lock():
        new_base = _place(store, source / base, None) if base else None
        new_name = _place(store, source / name, new_base)
        store.make_live(new_name)
    logger.info("restored generation %s as %s (base %s as %s)", name, new_name, base, new_base)
    return new_name


def _place(store: IndexStore, source: Path, base: str | None) -> str:
    """Copy one generation into INDEX_DIR under the next free name, sealed (not yet live); a
    delta's manifest is pointed at its base's new name. A copy cut short stays a `gen-N.tmp`
    folder, which the next re-index removes."""
    name = store.next_name()
    scratch = store.scratch_dir(name)
    for file in GENERATION_FILES:
        shutil.copyfile(source / file, scratch / file)
    if base is not None:
        manifest = json.loads((scratch / MANIFEST_FILE).read_text(encoding="utf-8"))
        manifest["base"] = base
        (scratch / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    verify_files(scratch)  # what landed on this disk reads back as the manifest says
    for file in GENERATION_FILES:
        with (scratch / file).open("rb") as handle:
            os.fsync(handle.fileno())
    fsync_dir(scratch)
    os.replace(scratch, store.root / name)
    fsync_dir(store.root)
    return name
