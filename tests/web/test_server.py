"""The HTTP server's composition (sites sharing a port share one server) and lifecycle (a taken
port is a sentence), and /readyz's answer when a check hangs; real uvicorn on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from cli.serving import web_sites
from qabot.frontdoor import Check
from qabot.metrics import Metrics
from tests.conftest import free_port
from web import ops
from web.server import Site, WebServerError, servers_for


async def _desk_page(request: Request) -> PlainTextResponse:
    return PlainTextResponse("desk")


async def _ready() -> Sequence[Check]:
    return [Check("index"), Check("database", "the bot's database is not open yet")]


async def test_sites_on_one_port_share_one_server() -> None:
    port = free_port()
    [server] = servers_for([
        Site("METRICS_PORT", "127.0.0.1", port, ops.ops_routes(Metrics(), _ready)),
        Site("WEB_PORT", "127.0.0.1", port, [Route("/", _desk_page)]),
    ])
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/")).text == "desk"
            assert (await http.get("/healthz")).status_code == 200
            ready = await http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["database"]["problem"] == "the bot's database is not open yet"
    finally:
        await server.stop()


def test_sites_on_other_ports_get_their_own_servers() -> None:
    first, second = free_port(), free_port()
    servers = servers_for([Site("METRICS_PORT", "127.0.0.1", first, []), Site("WEB_PORT", "0.0.0.0", second, [])])
    assert sorted(s.port for s in servers) == sorted([first, second])


def test_one_port_on_two_addresses_is_refused_with_the_settings_named() -> None:
    with pytest.raises(WebServerError, match="METRICS_PORT and WEB_PORT name the same port"):
        servers_for([Site("METRICS_PORT", "127.0.0.1", 9100, []), Site("WEB_PORT", "0.0.0.0", 9100, [])])


async def test_a_taken_port_is_one_sentence() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        [server] = servers_for([Site("METRICS_PORT", "127.0.0.1", port, [])])
        with pytest.raises(WebServerError, match=f"Cannot listen on 127.0.0.1:{port}.*METRICS_PORT"):
            await server.start()
        await server.stop()  # nothing started: nothing to stop


async def test_a_hanging_check_answers_not_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops, "READY_TIMEOUT_S", 0.2)

    async def hangs() -> Sequence[Check]:
        await asyncio.sleep(30)
        return []

    port = free_port()
    [server] = servers_for([Site("METRICS_PORT", "127.0.0.1", port, ops.ops_routes(Metrics(), hangs))])
    await server.start()
    try:
        async with httpx.AsyncClient() as http:
            ready = await http.get(f"http://127.0.0.1:{port}/readyz")
        assert ready.status_code == 503 and "longer than" in ready.json()["checks"]["checks"]["problem"]
    finally:
        await server.stop()


def test_the_metrics_port_cannot_be_the_webhooks(make_settings: Callable[..., Any]) -> None:
    settings = make_settings(metrics_port=8443, telegram_webhook_url="https://bot.example.org/tg",
                             telegram_webhook_port=8443)
    with pytest.raises(WebServerError, match="METRICS_PORT and TELEGRAM_WEBHOOK_PORT are both 8443"):
        web_sites(settings, Metrics(), _ready)
    assert [site.port for site in web_sites(make_settings(metrics_port=8443), Metrics(), _ready)] == [8443]
