"""The editors' desk: server-rendered pages over the front door and the bot's records.

`desk_routes` returns the desk's route group for the one HTTP server of `qabot run`
(web/server.py). Every page but sign-in needs a session; every form carries the session's CSRF
token; the Content Security Policy allows scripts and styles from the desk's own static files
only (htmx and desk.js, vendored).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from qabot import signin as auth
from qabot.frontdoor import (
    ArticleRejected,
    FrontDoor,
    IndexNotReady,
    OnTaken,
    QabotError,
    safe_name,
    shown,
)
from qabot.records import DeskRecords, DeskSession, FeedDesk, QuestionFilter
from web.desk.texts import TEXTS, language

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
PAGE_ROWS = 50
REINDEX_LOCK = "qabot.reindex"  # the lock the bot's /reindex takes too
ON_TAKEN: dict[str, OnTaken] = {"refuse": "refuse", "replace": "replace", "keep": "keep"}


@dataclass(frozen=True, slots=True)
class DeskConfig:
    admin_ids: frozenset[int]
    secret: str  # the bot token: signs links and keys the readers' pseudonyms
    public_url: str  # where admins reach the desk (WEB_PUBLIC_URL)
    max_upload_bytes: int = 2_000_000

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https://")


@dataclass(frozen=True, slots=True)
class Desk:
    """What the desk's pages need; built once by the composition root."""

    front_door: FrontDoor
    records: DeskRecords
    feeds: FeedDesk
    config: DeskConfig
    pages: Environment

    @property
    def signer(self) -> auth.LinkSigner:
        return auth.LinkSigner(self.config.secret)


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.filters["when"] = readable_time
    env.filters["web_link"] = web_link
    return env


def web_link(url: str | None) -> str | None:
    """`url` when a browser may follow it (http or https with a host), else None: an article's
    URL comes from its file's front matter, which nobody vouches for (a `javascript:` URL)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def readable_time(iso: str | None) -> str:
    """"2026-12-06 09:14" (UTC) from a stored ISO time."""
    if not iso:
        return "—"
    return iso.replace("T", " ")[:16]


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        # The sign-in URL carries its token: no page may send it on as a Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def desk_routes(desk: Desk) -> list[BaseRoute]:
    """The desk's route group: its pages mounted at the root of the server."""
    handlers = Handlers(desk)
    app = Starlette(
        routes=[
            Route("/", handlers.page(handlers.overview)),
            Route("/questions", handlers.page(handlers.questions)),
            Route("/unanswered", handlers.page(handlers.unanswered)),
            Route("/feedback", handlers.page(handlers.feedback)),
            Route("/audit", handlers.page(handlers.audit)),
            Route("/articles", handlers.page(handlers.articles)),
            Route("/articles/view", handlers.page(handlers.article)),
            Route("/articles/upload", handlers.action(handlers.upload), methods=["POST"]),
            Route("/articles/delete", handlers.page(handlers.confirm_delete)),
            Route("/articles/delete", handlers.action(handlers.delete), methods=["POST"]),
            Route("/articles/restore", handlers.action(handlers.restore), methods=["POST"]),
            Route("/feeds", handlers.page(handlers.feed_list)),
            Route("/feeds/add", handlers.action(handlers.add_feed), methods=["POST"]),
            Route("/feeds/remove", handlers.action(handlers.remove_feed), methods=["POST"]),
            Route("/feeds/poll", handlers.action(handlers.poll_feeds), methods=["POST"]),
            Route("/reindex", handlers.action(handlers.reindex), methods=["POST"]),
            Route("/reindex/events", handlers.reindex_events),
            Route("/signin/{signed}", handlers.signin_page, methods=["GET"]),
            Route("/signin/{signed}", handlers.signin, methods=["POST"]),
            Route("/logout", handlers.action(handlers.logout), methods=["POST"]),
            Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders)],
    )
    return [Mount("/", app=app)]


Page = Callable[[Request, DeskSession, str], Awaitable[Response]]


class Handlers:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.background: set[asyncio.Task[None]] = set()  # referenced until done

    # --- plumbing ------------------------------------------------------------------------

    def render(self, request: Request, template_name: str, lang: str, status: int = 200, **values: Any) -> HTMLResponse:
        template = self.desk.pages.get_template(template_name)
        html = template.render(t=TEXTS[lang], lang=lang, path=request.url.path, **values)
        return HTMLResponse(html, status_code=status)

    def message(self, request: Request, lang: str, key: str, status: int, **values: Any) -> HTMLResponse:
        return self.render(request, "message.html", lang, status=status, text=TEXTS[lang][key].format(**values))

    async def session(self, request: Request) -> DeskSession | None:
        session = await auth.session_of(self.desk.records, request.cookies.get(auth.COOKIE))
        if session is not None and session.admin_id not in self.desk.config.admin_ids:
            return None  # removed from TELEGRAM_ADMIN_IDS since signing in
        return session

    def page(self, handler: Page) -> Callable[[Request], Awaitable[Response]]:
        """A GET page behind sign-in."""

        async def endpoint(request: Request) -> Response:
            lang = language(request.headers.get("accept-language"))
            session = await self.session(request)
            if session is None:
                return self.message(request, lang, "need_signin", 401)
            return await handler(request, session, lang)

        return endpoint

    def action(self, handler: Page) -> Callable[[Request], Awaitable[Response]]:
        """A POST behind sign-in and the session's CSRF token."""

        async def endpoint(request: Request) -> Response:
            lang = language(request.headers.get("accept-language"))
            session = await self.session(request)
            if session is None:
                return self.message(request, lang, "need_signin", 401)
            form = await request.form()
            token = form.get("csrf")
            if not isinstance(token, str) or not hmac.compare_digest(token, session.csrf):
                logger.warning("desk form refused: CSRF token missing or wrong admin=%s path=%s",
                               session.admin_id, request.url.path)
                return self.message(request, lang, "csrf", 403)
            return await handler(request, session, lang)

        return endpoint

    # --- sign-in -------------------------------------------------------------------------

    async def signin_page(self, request: Request) -> Response:
        lang = language(request.headers.get("accept-language"))
        signed = request.path_params["signed"]
        if self.desk.signer.checked(signed) is None:
            return self.message(request, lang, "link_invalid", 403)
        return self.render(request, "signin.html", lang, signed=signed)

    async def signin(self, request: Request) -> Response:
        lang = language(request.headers.get("accept-language"))
        address = request.client.host if request.client else "unknown"
        wait = await self.desk.records.rate_check(auth.client_key(address), auth.SIGNIN_ATTEMPTS, auth.SIGNIN_WINDOW_S)
        if wait:
            return self.message(request, lang, "too_many", 429, minutes=max(1, round(wait / 60)))
        redeemed = await auth.redeem(self.desk.records, self.desk.signer, request.path_params["signed"])
        if redeemed is None:
            logger.warning("desk sign-in refused: link forged, used or expired address=%s", address)
            return self.message(request, lang, "link_invalid", 403)
        cookie, session = redeemed
        if session.admin_id not in self.desk.config.admin_ids:
            return self.message(request, lang, "not_admin", 403)
        await self.desk.records.audit(session.admin_id, "desk", "sign-in", address)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            auth.COOKIE, cookie, max_age=auth.SESSION_LIFETIME_S, httponly=True, samesite="lax",
            secure=self.desk.config.secure, path="/",
        )
        return response

    async def logout(self, request: Request, session: DeskSession, lang: str) -> Response:
        cookie = request.cookies.get(auth.COOKIE, "")
        await self.desk.records.end_desk_session(auth.digest(cookie))
        await self.desk.records.audit(session.admin_id, "desk", "sign-out", "")
        response = self.message(request, lang, "signed_out", 200)
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    # --- pages ---------------------------------------------------------------------------

    async def overview(self, request: Request, session: DeskSession, lang: str) -> Response:
        try:
            stats = await self.desk.front_door.stats()
        except IndexNotReady:
            stats = None
        today = datetime.now(UTC).date()
        activity = await self.desk.front_door.activity((today - timedelta(days=6)).isoformat(), today.isoformat())
        last = await self.desk.front_door.last_reindex()
        feeds = await self.desk.feeds.feeds()
        return self.render(request, "overview.html", lang, session=session, stats=stats, activity=activity,
                           last_reindex=last, followed=len(feeds), failing=[f for f in feeds if f.in_error])

    async def questions(self, request: Request, session: DeskSession, lang: str) -> Response:
        query = request.query_params
        which = QuestionFilter(
            declined=query.get("declined") == "1", downvoted=query.get("down") == "1",
            day=query.get("day") or None, word=(query.get("q") or "").strip() or None, limit=PAGE_ROWS,
        )
        rows = await self.desk.front_door.questions(which)
        template = "questions_rows.html" if request.headers.get("hx-request") else "questions.html"
        return self.render(request, template, lang, session=session, rows=rows, which=which, reader=self.reader)

    async def unanswered(self, request: Request, session: DeskSession, lang: str) -> Response:
        groups = await self.desk.front_door.unanswered_groups(PAGE_ROWS)
        return self.render(request, "unanswered.html", lang, session=session, groups=groups)

    async def feedback(self, request: Request, session: DeskSession, lang: str) -> Response:
        votes = await self.desk.front_door.vote_records(PAGE_ROWS)
        return self.render(request, "feedback.html", lang, session=session, votes=votes, reader=self.reader)

    async def audit(self, request: Request, session: DeskSession, lang: str) -> Response:
        entries = await self.desk.records.audit_entries(PAGE_ROWS * 2)
        return self.render(request, "audit.html", lang, session=session, entries=entries)

    async def articles(self, request: Request, session: DeskSession, lang: str) -> Response:
        contains = (request.query_params.get("q") or "").strip() or None
        entries = await self.desk.front_door.library(contains, PAGE_ROWS * 4)
        trashed = await self.desk.front_door.trashed_articles()
        progress = await self.desk.records.reindex_progress()
        notice = request.query_params.get("notice", "")
        return self.render(
            request, "articles.html", lang, session=session, entries=entries, trashed=trashed[:PAGE_ROWS],
            contains=contains, progress=progress, notice=TEXTS[lang].get(notice, "").format(
                name=request.query_params.get("name", "")),
        )

    async def article(self, request: Request, session: DeskSession, lang: str) -> Response:
        """An article's page: the article, its chunks as the index holds them, its copies."""
        name = request.query_params.get("name", "")
        try:
            view = await self.desk.front_door.article_view(name) if name else None
        except QabotError as exc:
            logger.warning("desk article page failed article=%s: %s", name, exc)
            return self.message(request, lang, "index_trouble", 503, reason=str(exc))
        if view is None:
            return self.message(request, lang, "no_such_article", 404, name=name)
        return self.render(request, "article.html", lang, session=session, view=view)

    async def upload(self, request: Request, session: DeskSession, lang: str) -> Response:
        """An article file, with the same checks as in Telegram; the name-taken question is
        answered in the form (refuse, replace, keep both). Saved, it is indexed at once."""
        form = await request.form()
        upload = form.get("file")
        on_taken = ON_TAKEN.get(str(form.get("on_taken")))
        if not isinstance(upload, UploadFile) or on_taken is None:
            return self.message(request, lang, "upload_bad_type", 400)
        name = safe_name(upload.filename)
        if name is None:
            return self.message(request, lang, "upload_bad_type", 400)
        limit = self.desk.config.max_upload_bytes
        data = await upload.read(limit + 1)
        if len(data) > limit:
            return self.message(request, lang, "upload_too_large", 413, limit=limit)
        try:
            saved = await self.desk.front_door.add_article(name, data, on_taken)
        except ArticleRejected as exc:
            return self.message(request, lang, "upload_refused", 422, reason=str(exc))
        if saved is None:
            return self.message(request, lang, "upload_taken", 409, name=name)
        await self.desk.records.audit(session.admin_id, "desk", "upload", f"{saved} ({on_taken})")
        return await self._changed(session, "uploaded", saved)

    async def confirm_delete(self, request: Request, session: DeskSession, lang: str) -> Response:
        name = request.query_params.get("name", "")
        return self.render(request, "delete.html", lang, session=session, article=name)

    async def delete(self, request: Request, session: DeskSession, lang: str) -> Response:
        name = str((await request.form()).get("name", ""))
        try:
            await self.desk.front_door.trash_article(name)
        except (FileNotFoundError, ValueError):
            return self.message(request, lang, "no_such_article", 404, name=name)
        await self.desk.records.audit(session.admin_id, "desk", "delete", name)
        return await self._changed(session, "deleted", name)

    async def restore(self, request: Request, session: DeskSession, lang: str) -> Response:
        key = str((await request.form()).get("key", ""))
        try:
            restored = await self.desk.front_door.restore_article(key)
        except (FileNotFoundError, ValueError):
            return self.message(request, lang, "no_such_article", 404, name=key)
        if restored is None:
            return self.message(request, lang, "restore_taken", 409, name=key.partition("/")[2])
        await self.desk.records.audit(session.admin_id, "desk", "restore", restored)
        return await self._changed(session, "restored", restored)

    async def _changed(self, session: DeskSession, notice: str, name: str) -> Response:
        """After the library changed: re-index (as Telegram does after an upload), unless one
        is running, which the admin sees in the progress."""
        await self._start_reindex(session, full=False)
        return RedirectResponse(f"/articles?{urlencode({'notice': notice, 'name': name})}", status_code=303)

    async def feed_list(self, request: Request, session: DeskSession, lang: str, notice: str = "",
                        status: int = 200) -> Response:
        feeds = await self.desk.feeds.feeds()
        return self.render(request, "feeds.html", lang, status=status, session=session, feeds=feeds, notice=notice)

    async def add_feed(self, request: Request, session: DeskSession, lang: str) -> Response:
        url = str((await request.form()).get("url", "")).strip()
        refusal = await self.desk.feeds.add(url, session.admin_id, lang)
        if refusal is not None:
            return await self.feed_list(request, session, lang, notice=refusal, status=422)
        await self.desk.records.audit(session.admin_id, "desk", "feed-add", shown(url))
        return RedirectResponse("/feeds", status_code=303)

    async def remove_feed(self, request: Request, session: DeskSession, lang: str) -> Response:
        key = str((await request.form()).get("key", ""))
        if await self.desk.feeds.remove(key):
            await self.desk.records.audit(session.admin_id, "desk", "feed-remove", shown(key))
        return RedirectResponse("/feeds", status_code=303)

    async def poll_feeds(self, request: Request, session: DeskSession, lang: str) -> Response:
        await self.desk.records.audit(session.admin_id, "desk", "feed-poll", "")
        summary = await self.desk.feeds.poll_now()
        return await self.feed_list(request, session, lang, notice=summary or TEXTS[lang]["feeds_none"])

    def reader(self, user_id: int | None) -> str:
        return auth.pseudonym(user_id, self.desk.config.secret)

    # --- re-index ------------------------------------------------------------------------

    async def reindex(self, request: Request, session: DeskSession, lang: str) -> Response:
        full = (await request.form()).get("full") == "1"
        started = await self._start_reindex(session, full=full)
        return RedirectResponse(f"/articles?notice={'reindex_started' if started else 'reindex_busy'}", status_code=303)

    async def _start_reindex(self, session: DeskSession, *, full: bool) -> bool:
        """Start a re-index in the background; False when one runs (here, or on another
        worker, or from Telegram: the same cross-worker lock as /reindex)."""
        held = await self.desk.records.try_exclusive(REINDEX_LOCK)
        if held is None:
            return False
        await self.desk.records.audit(session.admin_id, "desk", "reindex", "full" if full else "incremental")
        await self.desk.records.set_reindex_progress(json.dumps({"state": "running", "done": 0, "total": 0}))
        task = asyncio.create_task(self._run_reindex(held, full), name="desk-reindex")
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return True

    async def _run_reindex(self, held: Any, full: bool) -> None:
        """Run the re-index, writing its progress to the database every half second, so any
        worker's progress stream can show it."""
        latest: dict[str, object] = {"state": "running", "done": 0, "total": 0, "what": ""}

        def report(done: int, total: int, what: str) -> None:  # called from the indexing thread
            latest.update(done=done, total=total, what=what)

        records = self.desk.records
        try:
            job = asyncio.ensure_future(self.desk.front_door.reindex(full=full, progress=report))
            while not job.done():
                await records.set_reindex_progress(json.dumps(latest))
                await asyncio.wait({job}, timeout=0.5)
            summary = job.result().summary()
            latest.update(state="done", summary=summary)
            stamp = datetime.now(UTC).isoformat(timespec="minutes").replace("+00:00", "Z")
            await records.set_last_reindex(f"{stamp} — {summary}")
        except QabotError as exc:
            logger.warning("desk re-index failed: %s", exc)
            latest.update(state="failed", summary=str(exc))
        except Exception:
            logger.exception("desk re-index failed")
            latest.update(state="failed", summary="")
        finally:
            await records.set_reindex_progress(json.dumps(latest))
            await held.release()

    async def reindex_events(self, request: Request) -> Response:
        """Server-sent events: the re-index's progress as the database holds it."""
        if await self.session(request) is None:
            return Response(status_code=401)

        async def stream() -> AsyncIterator[str]:
            last = None
            deadline = time.monotonic() + 3600
            while time.monotonic() < deadline:
                progress = await self.desk.records.reindex_progress() or '{"state": "idle"}'
                if progress != last:
                    last = progress
                    yield f"data: {progress}\n\n"
                # Once nothing runs the stream ends; the page closes it rather than reconnect.
                if json.loads(progress).get("state") != "running" or await request.is_disconnected():
                    return
                await asyncio.sleep(0.5)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})
