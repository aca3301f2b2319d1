"""The article library as files: what ARTICLES_DIR holds, adding a file, and a restorable trash.

The index reads ARTICLES_DIR; these functions change it only by atomic steps (a new file appears
whole, a deleted one moves whole into the trash, under DATA_DIR so the indexer never sees it),
and a re-index then brings the index in line. Names come from people (an upload, a form):
every path is checked to stay inside its folder.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

ARTICLE_MODE = 0o644  # like the articles copied in by hand; mkstemp alone makes 0600
SUFFIXES = (".txt", ".md")

OnTaken = Literal["refuse", "replace", "keep"]


@dataclass(frozen=True, slots=True)
class LibraryFile:
    name: str  # path relative to ARTICLES_DIR, with forward slashes (the article's id)
    bytes: int
    modified: str  # ISO time, UTC


@dataclass(frozen=True, slots=True)
class TrashedFile:
    key: str  # "<when>/<name>": what restore takes
    name: str
    trashed_at: str


def _inside(root: Path, name: str) -> Path:
    """root/name, refusing anything that would land outside root or on a link."""
    root = root.resolve()
    target = (root / name).resolve()
    if root not in target.parents or (root / name).is_symlink():
        raise ValueError(f"{name!r} is not a file name inside {root}")
    return target


def files(root: Path, contains: str | None = None, limit: int = 200) -> list[LibraryFile]:
    """The article files (hidden ones skipped, as the indexer does), by name, optionally only
    those whose name contains `contains` (case set aside)."""
    wanted = (contains or "").casefold()
    found: list[LibraryFile] = []
    if not root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            name = path.relative_to(root).as_posix()
            if filename.startswith(".") or not filename.endswith(SUFFIXES) or wanted not in name.casefold():
                continue
            stat = path.stat()
            found.append(LibraryFile(name, stat.st_size, _iso(stat.st_mtime)))
    found.sort(key=lambda f: f.name)
    return found[:limit]


def find(root: Path, name: str) -> LibraryFile | None:
    """root/name when it is an article file the indexer reads, named as `files` names it (an
    untrusted name: anything hidden, outside root, through a link or spelled otherwise is None)."""
    try:
        path = _inside(root, name)
    except ValueError:
        return None
    hidden = any(part.startswith(".") for part in name.split("/"))
    if hidden or not name.endswith(SUFFIXES) or not path.is_file() or path.relative_to(root.resolve()).as_posix() != name:
        return None
    stat = path.stat()
    return LibraryFile(name, stat.st_size, _iso(stat.st_mtime))


def save(root: Path, name: str, data: bytes, on_taken: OnTaken) -> str | None:
    """Write `data` as root/name atomically; when the name is taken: None ("refuse"), the old
    file replaced ("replace"), or the first free `stem-2.ext`, `stem-3.ext`… ("keep"). Returns
    the name written."""
    root.mkdir(parents=True, exist_ok=True)
    if _inside(root, name).parent != root.resolve():
        raise ValueError(f"{name!r} is not a plain file name")  # offered files land at the top
    staged = stage(root, data)
    try:
        if on_taken == "replace":
            os.replace(staged, _inside(root, name))
            return name
        stem, dot, suffix = name.rpartition(".")
        for n in range(1, 10_000 if on_taken == "keep" else 2):
            candidate = name if n == 1 else f"{stem}-{n}{dot}{suffix}"
            try:
                os.link(staged, _inside(root, candidate))  # fails if the name exists: no race
            except FileExistsError:
                continue
            return candidate
        return None
    finally:
        staged.unlink(missing_ok=True)


def stage(root: Path, data: bytes) -> Path:
    """`data` in a hidden file of `root` (never indexed), flushed to disk, readable by all: a
    rename or a link then makes it appear whole under its name."""
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), ARTICLE_MODE)
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def safe_name(raw: str | None) -> str | None:
    """A plain `name.txt`/`name.md` from an uploaded file's name, or None for other types.

    Directory parts are dropped, anything but letters, digits, spaces, `-` and `_` becomes `_`
    (so no `..`, no hidden file, no control character), and the length is capped.
    """
    if not raw:
        return None
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    stem, dot, suffix = name.rpartition(".")
    if not dot or f".{suffix.lower()}" not in SUFFIXES:
        return None
    stem = re.sub(r"[^\w\- ]+", "_", stem, flags=re.UNICODE)
    stem = re.sub(r"\s+", " ", stem).strip(" _-")[:80].strip() or "article"
    return f"{stem}.{suffix.lower()}"


def trash(root: Path, bin_dir: Path, name: str) -> TrashedFile:
    """Move root/name into the trash (a rename: whole or not at all)."""
    source = _inside(root, name)
    if not source.is_file():
        raise FileNotFoundError(name)
    when = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = bin_dir / when / name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    return TrashedFile(f"{when}/{name}", name, _iso(target.stat().st_mtime))


def trashed(bin_dir: Path) -> list[TrashedFile]:
    """What the trash holds, most recently deleted first."""
    if not bin_dir.is_dir():
        return []
    found = []
    for when in sorted((d for d in bin_dir.iterdir() if d.is_dir()), reverse=True):
        for path in sorted(p for p in when.rglob("*") if p.is_file()):
            name = path.relative_to(when).as_posix()
            stamp = datetime.strptime(when.name, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
            found.append(TrashedFile(f"{when.name}/{name}", name, stamp.isoformat(timespec="seconds")))
    return found


def restore(root: Path, bin_dir: Path, key: str) -> str | None:
    """Put a trashed file back under its name; None when that name is taken again (nothing
    moves)."""
    when, _, name = key.partition("/")
    source = _inside(bin_dir / when, name) if when and name else None
    if source is None or not source.is_file():
        raise FileNotFoundError(key)
    target = _inside(root, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        return None
    source.unlink()
    folder = source.parent
    while folder != bin_dir and not any(folder.iterdir()):  # an emptied deletion leaves no folder
        folder.rmdir()
        folder = folder.parent
    return name


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
