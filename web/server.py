"""The one HTTP server of `qabot run`: Starlette apps served by uvicorn on the bot's event loop.

Each part of the process that speaks HTTP brings a route group (today `web.ops`: metrics and
health; the editors' desk will bring its pages) and the address it was configured for. Groups
asked for on the same port are served by one server, so METRICS_PORT and the desk's WEB_PORT
may name the same port. A server starts and stops with the bot (`bot.app`'s companions): no
thread of its own, no second event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from qabot.errors import QabotError

logger = logging.getLogger(__name__)

RouteGroup = Sequence[BaseRoute]
# Seconds an open request may take to finish once the bot stops.
GRACEFUL_STOP_S = 5


class WebServerError(QabotError):
    """A server could not be set up or started (a port taken, two addresses for one port)."""


@dataclass(frozen=True, slots=True)
class Site:
    """Routes asked for at one address; `setting` names who asked (for error messages)."""

    setting: str
    host: str
    port: int
    routes: RouteGroup


def build_web_app(route_groups: Sequence[RouteGroup]) -> Starlette:
    """One Starlette app serving every group's routes (the first group wins a shared path)."""
    return Starlette(routes=[route for group in route_groups for route in group])


def servers_for(sites: Sequence[Site]) -> list[WebServer]:
    """One server per port, with every site asked for there; two sites on one port must
    listen on the same address (one socket cannot be bound twice)."""
    by_port: dict[int, list[Site]] = {}
    for site in sites:
        by_port.setdefault(site.port, []).append(site)
    servers = []
    for port, shared in by_port.items():
        hosts = {site.host for site in shared}
        if len(hosts) > 1:
            names = " and ".join(site.setting for site in shared)
            raise WebServerError(
                f"{names} name the same port ({port}) on different addresses ({', '.join(sorted(hosts))}): "
                "give them the same listen address to share one server, or different ports."
            )
        servers.append(WebServer(build_web_app([site.routes for site in shared]), shared[0].host, port))
    return servers


class _BotLoopServer(uvicorn.Server):
    """uvicorn without its signal handling: Ctrl-C and SIGTERM are the bot's (PTB stops the
    application, whose shutdown stops this server). uvicorn's own would take them over."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """One uvicorn server for `app` at host:port, run as a task of the running event loop."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        config = uvicorn.Config(
            app, host=host, port=port, lifespan="off", access_log=False, log_config=None,
            timeout_graceful_shutdown=GRACEFUL_STOP_S,
        )
        self._server = _BotLoopServer(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind the port (a taken one is a sentence, not uvicorn's exit) and serve."""
        try:
            sock = socket.create_server((self.host, self.port), family=_family(self.host), reuse_port=False)
        except OSError as exc:
            raise WebServerError(
                f"Cannot listen on {self.host}:{self.port} for metrics and health ({exc.strerror or exc}): "
                "choose a free port (METRICS_PORT) or another address (METRICS_LISTEN)."
            ) from None
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name=f"web {self.url}")
        while not self._server.started:
            if self._task.done():  # failed before serving: say why
                await self._task
                raise WebServerError(f"the web server at {self.url} stopped as it started")
            await asyncio.sleep(0.01)
        logger.info("web server listening url=%s", self.url)

    async def stop(self) -> None:
        """Stop accepting, let open requests finish (GRACEFUL_STOP_S at most), close."""
        if self._task is None:
            return
        self._server.should_exit = True
        try:
            await self._task
        finally:
            self._task = None
        logger.info("web server stopped url=%s", self.url)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
