"""A fake Telegram Bot API on loopback, strict where Telegram is strict.

It runs in the test's event loop (aiohttp), serves queued updates to `getUpdates` with a short
long-poll, records every call, keeps the messages the bot sent (so edits can be checked), and
rejects what Telegram rejects: HTML with unknown or unclosed tags or bad entities, texts over
4096 characters, callback data over 64 bytes, edits that change nothing, edits of unknown
messages. Faults (429 with retry_after, 5xx) can be injected per method.

    server = FakeTelegram()
    await server.start()            # server.base_url → TELEGRAM_API_BASE_URL
    server.message("Bonjour", chat_id=7)
    await server.wait_for(lambda: server.sent(7))
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from aiohttp import web

T = TypeVar("T")

TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijk"
BOT_ID = 123456789
BOT_USERNAME = "qabot_test_bot"

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "span": {"class"}, "code": {"class"}, "blockquote": {"expandable"},
                      "tg-emoji": {"emoji-id"}}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "entities", "link_preview_options",
               "reply_parameters", "scope"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id"}
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64


class TelegramHtmlError(ValueError):
    pass


def parse_html(text: str) -> str:
    """The visible text of a Telegram HTML message; raises TelegramHtmlError like Telegram."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            match = _TAG.match(text, pos)
            if not match:
                raise TelegramHtmlError(f"Unsupported start tag at byte offset {len(text[:pos].encode())}")
            closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                raise TelegramHtmlError(f'Unsupported start tag "{name}" at byte offset {len(text[:pos].encode())}')
            if closing:
                if not stack or stack[-1] != name:
                    raise TelegramHtmlError(f'Unmatched end tag at byte offset {len(text[:pos].encode())}, expected "</{stack[-1] if stack else ""}>", found "</{name}>"')
                stack.pop()
            else:
                found = {m.group(1).lower(): m.group(2) for m in _ATTRIBUTE.finditer(attributes)}
                if set(found) - ALLOWED_ATTRIBUTES.get(name, set()):
                    raise TelegramHtmlError(f"Unsupported attribute in tag {name}")
                if name == "span" and (found.get("class") or "").strip("\"'") != "tg-spoiler":
                    raise TelegramHtmlError("Tag \"span\" must have class \"tg-spoiler\"")
                if name == "a" and "href" not in found:
                    raise TelegramHtmlError("Tag \"a\" must have href")
                stack.append(name)
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(text, pos)
            if not match:
                raise TelegramHtmlError(f"Character entity expected at byte offset {len(text[:pos].encode())}")
            out.append(html.unescape(match.group(0)))
            pos = match.end()
        else:
            out.append(char)
            pos += 1
    if stack:
        raise TelegramHtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    error: str | None = None


@dataclass
class Delivery:
    """One webhook POST of an update to a backend, with the HTTP status it got."""

    update_id: int
    backend: int
    status: int | None = None


@dataclass
class Fault:
    method: str
    status: int
    times: int
    retry_after: int = 1


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str  # raw (HTML) text as sent
    visible: str
    reply_markup: dict[str, Any] | None
    edits: int = 0
    history: list[str] = field(default_factory=list)

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button(self, label_start: str) -> dict[str, Any]:
        for button in self.buttons():
            if button["text"].startswith(label_start):
                return button
        raise AssertionError(f"no button starting {label_start!r} in {[b['text'] for b in self.buttons()]}")


@dataclass
class SentDocument:
    chat_id: int
    message_id: int
    file_name: str
    content: bytes
    caption: str


class FakeTelegram:
    """The fake Bot API. Public state: `calls`, `rejected`, `messages`, `callback_answers`, `documents`."""

    def __init__(self, token: str = TOKEN, *, max_long_poll_s: float = 0.25) -> None:
        self.token = token
        # What stamps each call (`Call.at`): a test pacing the bot with a clock of its own
        # reads the calls in that clock's time.
        self.clock: Callable[[], float] = time.monotonic
        self.max_long_poll_s = max_long_poll_s
        self.calls: list[Call] = []
        self.rejected: list[Call] = []  # requests Telegram would have refused (4xx)
        self.unmodified_edits: list[Call] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}  # inline query id -> answerInlineQuery params
        self.inline_queries: set[str] = set()
        self.commands: list[dict[str, Any]] = []  # setMyCommands calls: commands, scope, language_code
        self.files: dict[str, bytes] = {}
        self.documents: list[SentDocument] = []  # sendDocument calls, with the file's bytes
        self.faults: list[Fault] = []
        self.served_update_ids: list[int] = []
        self.pushed: dict[int, dict[str, Any]] = {}  # every update ever pushed, by id
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None
        # Webhook mode (`route_to`): updates are POSTed to the workers behind a round-robin
        # "reverse proxy" instead of waiting for getUpdates.
        self.webhook: dict[str, Any] | None = None  # what setWebhook last registered
        self.backends: list[str] = []
        self.pinned: int | None = None  # deliver to this backend instead of the next in turn
        self.deliveries: list[Delivery] = []
        self._turn = itertools.count()
        self._delivering: set[asyncio.Task[None]] = set()
        self.port = 0

    # --- server lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- building updates ------------------------------------------------------------------

    def user(self, user_id: int, language_code: str = "fr") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": language_code}

    def chat(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": chat_type, "title": f"Group {chat_id}"}

    def message(
        self,
        text: str | None = None,
        *,
        chat_id: int,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "fr",
        reply_to: dict[str, Any] | None = None,
        edited: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        """Queue an incoming message (a command gets its bot_command entity); returns it."""
        user_id = chat_id if user_id is None else user_id
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.user(user_id, language_code),
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0] if text.split() else text
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_length(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.push({"edited_message" if edited else "message": message})
        return message

    def document(self, *, chat_id: int, file_name: str, content: bytes, user_id: int | None = None,
                 mime_type: str = "text/plain", file_size: int | None = None, **kw: Any) -> dict[str, Any]:
        file_id = f"file{next(self._ids)}"
        self.files[file_id] = content
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                    "mime_type": mime_type, "file_size": len(content) if file_size is None else file_size}
        return self.message(None, chat_id=chat_id, user_id=user_id, document=document, **kw)

    def inline_query(self, query: str, *, user_id: int, language_code: str = "fr") -> str:
        """Queue an inline query (`@bot query` typed in any chat); returns its id."""
        query_id = f"iq{next(self._ids)}"
        self.inline_queries.add(query_id)
        self.push({"inline_query": {"id": query_id, "from": self.user(user_id, language_code),
                                    "query": query, "offset": ""}})
        return query_id

    def sticker(self, *, chat_id: int, **kw: Any) -> dict[str, Any]:
        sticker = {"file_id": "stk", "file_unique_id": "ustk", "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False}
        return self.message(None, chat_id=chat_id, sticker=sticker, **kw)

    def press(self, sent: SentMessage, data: str, *, user_id: int | None = None,
              language_code: str = "fr", chat_type: str = "private") -> str:
        """Queue a button press on a message the bot sent; returns the callback query id."""
        query_id = f"cq{next(self._ids)}"
        user_id = sent.chat_id if user_id is None else user_id
        self.push({
            "callback_query": {
                "id": query_id,
                "from": self.user(user_id, language_code),
                "chat_instance": f"ci{sent.chat_id}",
                "data": data,
                "message": self._message_json(sent, chat_type),
            }
        })
        return query_id

    def push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self.pushed[update_id] = {"update_id": update_id, **update}
        if self.backends:
            backend = self.pinned if self.pinned is not None else next(self._turn) % len(self.backends)
            self.deliver(update_id, backend)
        else:
            self._updates.append(self.pushed[update_id])
            self._new_update.set()
        return update_id

    # --- webhook mode ------------------------------------------------------------------------

    def route_to(self, backends: list[str]) -> None:
        """Act as Telegram plus a reverse proxy: POST each new update to one of `backends`
        (webhook URLs of the workers), in turn, with the secret setWebhook registered."""
        self.backends = backends

    def deliver(self, update_id: int, backend: int) -> None:
        """POST update `update_id` to `backends[backend]`: a first delivery, or a redelivery
        as Telegram makes when a webhook call failed or timed out."""
        delivery = Delivery(update_id, backend)
        self.deliveries.append(delivery)
        task = asyncio.get_running_loop().create_task(self._post(delivery))
        self._delivering.add(task)
        task.add_done_callback(self._delivering.discard)

    async def _post(self, delivery: Delivery) -> None:
        import aiohttp

        headers = {}
        if self.webhook and self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(self.webhook["secret_token"])
        async with aiohttp.ClientSession() as session, session.post(
            self.backends[delivery.backend], json=self.pushed[delivery.update_id], headers=headers
        ) as response:
            delivery.status = response.status

    def delivered(self) -> bool:
        """Every webhook POST made has been answered."""
        return all(d.status is not None for d in self.deliveries)

    # --- inspecting ------------------------------------------------------------------------

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c for c in self.calls
            if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def sent(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat, in the order they were sent, as they are now."""
        return sorted((m for (c, _), m in self.messages.items() if c == chat_id), key=lambda m: m.message_id)

    def last(self, chat_id: int) -> SentMessage:
        sent = self.sent(chat_id)
        assert sent, f"the bot sent nothing to chat {chat_id}"
        return sent[-1]

    async def wait_for(self, condition: Callable[[], T | None | Literal[False]], within: float = 10.0) -> T:
        """Poll `condition` until it is truthy; fail with the calls so far after `within` s. What it
        returns is what `condition` gave once truthy: never the None or False it waits through."""
        deadline = time.monotonic() + within
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                summary = [(c.method, c.params.get("chat_id"), str(c.params.get("text", ""))[:60]) for c in self.calls
                           if c.method not in ("getUpdates",)]
                raise AssertionError(f"timed out waiting; calls: {summary[-20:]}")
            await asyncio.sleep(0.01)

    async def reply(self, chat_id: int, after: int, within: float = 10.0) -> SentMessage:
        """Wait for the bot's first message in `chat_id` beyond the `after` it had sent before."""
        return (await self.wait_for(lambda: self.sent(chat_id)[after:], within))[0]

    def fail(self, method: str, status: int = 429, times: int = 1, retry_after: int = 1) -> None:
        """Make the next `times` calls of `method` fail with `status`."""
        self.faults.append(Fault(method, status, times, retry_after))

    # --- the API ---------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, self.clock())
        self.calls.append(call)
        try:
            self._inject_fault(method)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except ApiError as exc:
            call.status, call.error = exc.code, exc.description
            if "not modified" in exc.description:
                self.unmodified_edits.append(call)  # Telegram refuses it; a bot may shrug it off
            elif 400 <= exc.code < 500 and exc.code != 429:
                self.rejected.append(call)
            body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.code)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        if request.content_type == "application/json":
            raw = await request.json()
        elif request.method == "POST":
            raw = dict(await request.post())
        raw.update(request.query)
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and key in JSON_FIELDS:
                value = json.loads(value)
            elif isinstance(value, str) and key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
                value = int(value)
            params[key] = value
        return params

    def _inject_fault(self, method: str) -> None:
        for fault in self.faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                if fault.status == 429:
                    raise ApiError(429, f"Too Many Requests: retry after {fault.retry_after}",
                                   {"retry_after": fault.retry_after})
                raise ApiError(fault.status, "Internal Server Error")

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    # methods (named _m_<method>)

    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "QA Bot", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        if not str(params.get("url", "")).startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = params
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        self.commands.append({"commands": commands, "scope": params.get("scope"),
                              "language_code": params.get("language_code")})
        return True

    async def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        """Checked as Telegram checks it: a known query answered once, at most 50 results with
        unique ids of 1-64 bytes, valid HTML message texts, deep links with a valid start payload."""
        query_id = str(params.get("inline_query_id"))
        if query_id not in self.inline_queries or query_id in self.inline_answers:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        results = params.get("results") or []
        if isinstance(results, str):
            results = json.loads(results)
        ids = [str(r.get("id", "")) for r in results]
        if len(results) > 50 or len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            try:
                visible = parse_html(str(content.get("message_text", "")))
            except TelegramHtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            if not visible.strip() or utf16_length(visible) > MESSAGE_LIMIT:
                raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
            for row in (result.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    start = re.search(r"[?&]start=([^&]*)", str(button.get("url", "")))
                    if start and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", start.group(1)):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        button = params.get("button")
        if isinstance(button, str):
            button = json.loads(button)
        if button is not None and not (
            1 <= len(str(button.get("text", ""))) <= 64
            and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(button.get("start_parameter", "")))
        ):
            raise ApiError(400, "Bad Request: BUTTON_INVALID")  # the hint above the results
        self.inline_answers[query_id] = {**params, "results": results, "button": button}
        return True

    async def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = min(float(params.get("timeout") or 0), self.max_long_poll_s)
        deadline = time.monotonic() + timeout
        while not self._updates and (remaining := deadline - time.monotonic()) > 0:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                break
        batch = self._updates[: int(params.get("limit") or 100)]
        self.served_update_ids.extend(u["update_id"] for u in batch)
        return batch

    async def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat_id(params)
        return True

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        text, visible = self._text(params)
        markup = self._markup(params)
        sent = SentMessage(chat_id, next(self._ids), text, visible, markup)
        self.messages[(chat_id, sent.message_id)] = sent
        return self._message_json(sent)

    async def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        upload = params.get("document")
        if not isinstance(upload, web.FileField):
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = str(params.get("caption") or "")
        if str(params.get("parse_mode", "")).upper() == "HTML":
            try:
                caption = parse_html(caption)
            except TelegramHtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if utf16_length(caption) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        document = SentDocument(chat_id, next(self._ids), upload.filename, upload.file.read(), caption)
        self.documents.append(document)
        return {"message_id": document.message_id, "date": int(time.time()),
                "chat": self.chat(chat_id, "private" if chat_id > 0 else "supergroup"),
                "document": {"file_id": f"doc{document.message_id}", "file_unique_id": f"udoc{document.message_id}",
                             "file_name": document.file_name, "file_size": len(document.content)},
                "caption": caption}

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        sent = self._find(params)
        text, visible = self._text(params)
        markup = self._markup(params)
        if text == sent.text and markup == sent.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content "
                                "and reply markup are exactly the same as a current content and reply markup of the message")
        sent.history.append(sent.text)
        sent.text, sent.visible, sent.reply_markup = text, visible, markup
        sent.edits += 1
        return self._message_json(sent)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        sent = self._find(params)
        sent.reply_markup = self._markup(params)
        return self._message_json(sent)

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id in self.callback_answers:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if utf16_length(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = params
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}"}

    # helpers

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _find(self, params: dict[str, Any]) -> SentMessage:
        key = (self._chat_id(params), params.get("message_id"))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _text(self, params: dict[str, Any]) -> tuple[str, str]:
        text = str(params.get("text") or "")
        visible = text
        if str(params.get("parse_mode", "")).upper() == "HTML":
            try:
                visible = parse_html(text)
            except TelegramHtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(visible) > MESSAGE_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return text, visible

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup: dict[str, Any] | None = params.get("reply_markup")
        if markup is None:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _message_json(self, sent: SentMessage, chat_type: str | None = None) -> dict[str, Any]:
        kind = chat_type or ("private" if sent.chat_id > 0 else "supergroup")
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self.chat(sent.chat_id, kind),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "QA Bot", "username": BOT_USERNAME},
            "text": sent.visible,
        }
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message
