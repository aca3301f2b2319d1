"""The guard every test runs under (tests/conftest.py): loopback and Unix sockets only."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NetworkBlocked, is_local

# TEST-NET-1 (RFC 5737): never routed, so nothing is reached even if the guard were off.
OUTSIDE = "192.0.2.1"


@pytest.mark.parametrize(
    ("family", "address", "local"),
    [
        (socket.AF_INET, ("127.0.0.1", 80), True),
        (socket.AF_INET, ("127.8.9.10", 80), True),
        (socket.AF_INET, ("localhost", 80), True),
        (socket.AF_INET6, ("::1", 80, 0, 0), True),
        (socket.AF_INET6, ("::ffff:127.0.0.1", 80, 0, 0), True),
        (socket.AF_UNIX, "/tmp/.s.PGSQL.5432", True),
        (socket.AF_UNIX, b"\0abstract", True),
        (socket.AF_INET, (OUTSIDE, 80), False),
        (socket.AF_INET, ("0.0.0.0", 80), False),
        (socket.AF_INET, ("example.com", 443), False),
        (socket.AF_INET, ("localhost.example.com", 443), False),
        (socket.AF_INET6, ("2001:db8::1", 443, 0, 0), False),
        (socket.AF_INET6, ("::ffff:192.0.2.1", 443, 0, 0), False),
    ],
)
def test_only_loopback_and_unix_sockets_are_local(family: int, address: object, local: bool) -> None:
    assert is_local(family, address) is local


@pytest.fixture
def expected_attempts(_network_guard: list[str]) -> Iterator[list[str]]:
    """The attempts this test makes on purpose, taken off the list before `no_network` checks it."""
    before = len(_network_guard)
    yield _network_guard
    del _network_guard[before:]


def test_a_connection_beyond_loopback_raises_and_is_listed(expected_attempts: list[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlocked, match=r"test tried to reach the network: \('192\.0\.2\.1', 9\)"):
            sock.connect((OUTSIDE, 9))
        with pytest.raises(NetworkBlocked, match="loopback"):
            sock.connect_ex((OUTSIDE, 9))
    assert expected_attempts[-2:] == [repr((OUTSIDE, 9))] * 2


async def test_asyncio_connections_go_through_the_guard(expected_attempts: list[str]) -> None:
    with pytest.raises(NetworkBlocked):
        await asyncio.open_connection(OUTSIDE, 9)
    assert expected_attempts[-1] == repr((OUTSIDE, 9))


def _accept_once(server: socket.socket) -> threading.Thread:
    def accept() -> None:
        connection, _ = server.accept()
        connection.sendall(b"ok")
        connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return thread


def test_loopback_connections_are_allowed() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        thread = _accept_once(server)
        with socket.create_connection(("localhost", server.getsockname()[1]), timeout=10) as client:
            assert client.recv(2) == b"ok"
        thread.join(timeout=10)


def test_unix_socket_connections_are_allowed(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        thread = _accept_once(server)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(10)
            client.connect(path)
            assert client.recv(2) == b"ok"
        thread.join(timeout=10)
