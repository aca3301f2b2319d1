"""Uploads waiting for the admin's "replace or keep both": kept as hidden files in ARTICLES_DIR.

Several workers may serve one bot and the button press may reach any of them, so the waiting
upload lives where every worker sees it and the indexer never looks (names starting with a dot
are skipped): `.pending-<user id>-<token>-<name>`. The token (random, in the button's data) and
the user id in the file name mean only the admin who uploaded can resolve it; claiming it is a
rename, so two presses (or two workers) resolve it once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import time
from pathlib import Path

from qabot.frontdoor import save_file, stage_file

logger = logging.getLogger(__name__)

PREFIX = ".pending-"
EXPIRES_S = 24 * 3600


def write_new(root: Path, name: str, data: bytes, *, replace: bool) -> str | None:
    """Write `data` as `root/name` atomically, readable by all; `name`, or None when `replace` is
    False and that name is taken (decided by the kernel as the file appears: no race)."""
    return save_file(root.resolve(), name, data, "replace" if replace else "refuse")


def hold(root: Path, name: str, data: bytes, user_id: int) -> str:
    """Keep an upload aside until its admin chooses; returns the token for the buttons."""
    root = root.resolve()
    _forget_stale(root)
    token = secrets.token_hex(6)
    tmp = stage_file(root, data)
    os.replace(tmp, root / f"{PREFIX}{user_id}-{token}-{name}")
    return token


def claim(root: Path, token: str, user_id: int) -> tuple[str, Path] | None:
    """The held upload's name and its (claimed) file, once, for the admin who sent it."""
    root = root.resolve()
    if not token.isalnum():
        return None
    for held in root.glob(f"{PREFIX}{user_id}-{token}-*"):
        claimed = held.with_name(f".claimed-{secrets.token_hex(4)}{held.name}")
        try:
            os.rename(held, claimed)  # atomic: one press wins
        except FileNotFoundError:
            return None
        return held.name.removeprefix(f"{PREFIX}{user_id}-{token}-"), claimed
    return None


def keep_both(root: Path, claimed: Path, name: str) -> str:
    """Give the claimed upload the first free name among `name`, `stem-2.ext`, `stem-3.ext`…"""
    stem, _, suffix = name.rpartition(".")
    for n in range(1, 10_000):
        candidate = name if n == 1 else f"{stem}-{n}.{suffix}"
        try:
            os.link(claimed, root.resolve() / candidate)
        except FileExistsError:
            continue
        claimed.unlink(missing_ok=True)
        return candidate
    raise FileExistsError(f"no free name for {name} in {root}")


def replace(root: Path, claimed: Path, name: str) -> str:
    os.replace(claimed, root.resolve() / name)
    return name


def _forget_stale(root: Path) -> None:
    """Uploads nobody chose for within a day: their buttons have expired."""
    cutoff = time.time() - EXPIRES_S
    for held in [*root.glob(f"{PREFIX}*"), *root.glob(".claimed-*")]:
        with contextlib.suppress(OSError):
            if held.stat().st_mtime < cutoff:
                held.unlink()
                logger.info("forgot an upload nobody chose for path=%s", held)
