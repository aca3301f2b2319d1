"""A real, throwaway PostgreSQL cluster for tests: initdb in a temporary folder, served on a Unix
socket in that folder (no TCP port), stopped and removed afterwards.

PostgreSQL refuses to run as root, and tests run as root here: the cluster then belongs to an
unprivileged user (`nobody`) that owns the folder. The server binaries come from the
PostgreSQL packages (`make test` installs them on a fresh machine).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

UNPRIVILEGED = "nobody"


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: PG_BINDIR, the newest Debian layout, or PATH."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    if (initdb := shutil.which("initdb")) is not None:
        candidates.append(str(Path(initdb).resolve().parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


class PostgresCluster:
    """`start()`, then `create_database()` for a fresh database URL per test; `stop()`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # Short path: a Unix socket path must fit in 107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="qabot-pg-"))
        self.data = self.root / "data"
        self._names = itertools.count(1)
        self._user: pwd.struct_passwd | None = pwd.getpwnam(UNPRIVILEGED) if os.geteuid() == 0 else None

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        # As root, the cluster's programs run as its unprivileged owner; otherwise as ourselves.
        owner = self._user
        return subprocess.run(  # noqa: S603
            [str(self.bindir / args[0]), *args[1:]], check=True, capture_output=True, text=True,
            cwd=self.root, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
            user=owner.pw_uid if owner else None, group=owner.pw_gid if owner else None,
            extra_groups=[] if owner else None,
        )

    def tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """One of the cluster's client programs (pg_dump, pg_restore...), run as its owner."""
        return self._run(*args)

    def start(self, *, durable: bool = False) -> None:
        """`durable`: commits wait for the disk as on a real server (a benchmark's timings);
        tests skip it."""
        if self._user is not None:
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses='' -c unix_socket_directories='{self.root}' -c max_connections=60"
        options += "" if durable else " -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The URL as a user writes it in DATABASE_URL (psycopg 3 is chosen by the store)."""
        return f"postgresql://postgres@/{database}?host={self.root}"

    def create_database(self) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(host=str(self.root), user="postgres", dbname="postgres", autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def log(self) -> str:
        path = self.root / "log"
        return path.read_text(errors="replace") if path.exists() else ""
