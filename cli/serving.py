"""What `qabot run` serves, composed: the bot over the services, with the HTTP server of the
sites its settings ask for attached, so PTB's lifecycle starts and stops both on one event loop.
Kept apart from cli/commands/run.py, which imports it only when it runs (Telegram, uvicorn and
the bot are heavy for the other commands)."""

from __future__ import annotations

from functools import partial

from bot.app import AnyApplication, attach, build_application, readiness
from bot.desk_feeds import BotFeeds
from bot.state import BotState
from qabot.metrics import Metrics
from qabot.services import Services
from qabot.settings import Settings
from qabot.stores import DeskStore
from web.desk.app import Desk, DeskConfig, desk_routes, templates
from web.ops import Readiness, ops_routes
from web.server import Site, WebServerError, servers_for


def compose(settings: Settings, services: Services) -> AnyApplication:
    """The bot over `services`, with the HTTP server of the sites configured (none without
    METRICS_PORT) attached: PTB's lifecycle starts and stops both on its event loop."""
    application = build_application(settings, services, metrics=services.metrics)
    desk = editors_desk(settings, services, application) if settings.web_port is not None else None
    for server in servers_for(web_sites(settings, services.metrics, partial(readiness, application), desk)):
        attach(application, server)
    return application


def editors_desk(settings: Settings, services: Services, application: AnyApplication) -> Desk:
    """The editors' desk over the front door, the bot's records and its feeds."""
    state: BotState = application.bot_data["state"]
    config = DeskConfig(
        admin_ids=frozenset(settings.telegram_admin_ids), secret=settings.desk_secret,
        public_url=settings.desk_url, max_upload_bytes=settings.max_upload_bytes,
    )
    return Desk(front_door=services, records=DeskStore(lambda: state.db), feeds=BotFeeds(state, application.bot),
                config=config, pages=templates())


def web_sites(settings: Settings, metrics: Metrics, ready: Readiness, desk: Desk | None = None) -> list[Site]:
    """What `qabot run` serves over HTTP, each at the address its settings give; sites on one
    port share one server (web.server.servers_for)."""
    sites = []
    if settings.telegram_webhook_url and settings.metrics_port == settings.telegram_webhook_port:
        raise WebServerError(
            f"METRICS_PORT and TELEGRAM_WEBHOOK_PORT are both {settings.metrics_port}: Telegram's webhook "
            "has a server of its own; give METRICS_PORT another port."
        )
    if settings.metrics_port is not None:
        sites.append(Site("METRICS_PORT", settings.metrics_listen, settings.metrics_port,
                          ops_routes(metrics, ready)))
    if desk is not None and settings.web_port is not None:
        sites.append(Site("WEB_PORT", settings.web_listen, settings.web_port, desk_routes(desk)))
    return sites
