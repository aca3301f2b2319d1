"""Small file-system helpers for writes that must survive a crash (no heavy imports: the
model cache and the CLI's start use them)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make the folder's entries (a file just renamed into it) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
