"""The Telegram application: builder, lifecycle, handler wiring, the one error handler.

`build_application(settings, services)` is the only way in; `qabot run` and the tests call it
(the tests with a loopback Bot API as TELEGRAM_API_BASE_URL and fake services).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import admin, ask, desk, feeds, help, inline, latest, privacy, sources
from bot.question_groups import schedule_grouping
from bot.render import escape
from bot.share import ShareLinks
from bot.state import BotState, Clock, Companion, GroupPace, QuestionTurns, Tuning, WallClock
from bot.texts import language_of, t
from qabot.frontdoor import Check, FrontDoor, QabotError
from qabot.logs import log_context
from qabot.metrics import Metrics
from qabot.settings import Settings
from qabot.stores import StoreUnavailable

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# Updates in hand at once (button presses, commands, questions waiting their turn to be answered:
# `answer_concurrency`).
MAX_CONCURRENT_UPDATES = 64
RATE_LIMIT_RETRIES = 3
NETWORK_RETRIES = 3
NETWORK_RETRY_FIRST_DELAY_S = 0.5
# Handler groups run in order and one handler per group answers an update: the redelivery check
# has a group of its own, before any other (tests put their recorders in group -1).
REDELIVERY_GROUP = -100

COMMANDS = {
    "fr": [
        ("help", "Ce que je sais et comment me questionner"),
        ("ask", "Poser une question (dans un groupe)"),
        ("new", "Oublier la conversation en cours"),
        ("mydata", "Recevoir ce que le bot garde sur moi"),
        ("forget", "Effacer tout ce que le bot garde sur moi"),
    ],
    "en": [
        ("help", "What I know and how to ask"),
        ("ask", "Ask a question (in a group)"),
        ("new", "Forget the current conversation"),
        ("mydata", "Get what the bot keeps about me"),
        ("forget", "Delete everything the bot keeps about me"),
    ],
}


ADMIN_COMMANDS = {
    "fr": [
        ("reindex", "Réindexer les articles (/reindex full : tout reconstruire)"),
        ("status", "État de l'index et chiffres du jour"),
        ("unanswered", "Dernières questions sans réponse"),
        ("web", "Un lien de connexion au pupitre web"),
    ],
    "en": [
        ("reindex", "Re-index the articles (/reindex full: rebuild everything)"),
        ("status", "Index status and today's figures"),
        ("unanswered", "Latest unanswered questions"),
        ("web", "A sign-in link to the web desk"),
    ],
}


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Different chats run concurrently; one chat's messages are handled one after the other.

    Button presses skip the queue: they only show stored things, and should not wait behind a
    question being answered. Every record logged while an update is handled carries its id and
    chat (`qabot.logs.log_context`); `metrics` counts the updates in hand.
    """

    def __init__(self, max_concurrent_updates: int, metrics: Metrics | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}
        self._metrics = metrics or Metrics()

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        update_id = update.update_id if isinstance(update, Update) else None
        with self._metrics.handling_update(), log_context(update=update_id, chat=chat.id if chat else None):
            await self._in_chat_order(update, chat.id if chat else None, coroutine)

    async def _in_chat_order(self, update: object, chat: int | None, coroutine: Any) -> None:
        if chat is None or (isinstance(update, Update) and update.callback_query):
            await coroutine
            return
        lock, users = self._locks.setdefault(chat, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                await coroutine
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[chat]

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class RetryingRateLimiter(AIORateLimiter):
    """Flood control (429 with retry_after) as AIORateLimiter does, plus a few retries, with
    back-off, of calls that failed before Telegram could act on them: 5xx answers and dropped
    connections. Refusals (4xx) and timeouts are not retried: a timed-out send may have been
    delivered, and sending it again would duplicate the answer.

    Every failed call and every retry (flood or network) is counted in `metrics`."""

    def __init__(self, *args: Any, metrics: Metrics | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics or Metrics()

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        delay = NETWORK_RETRY_FIRST_DELAY_S
        counted = self._counted(callback, endpoint)
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                return await super().process_request(counted, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if isinstance(exc, BadRequest | TimedOut) or attempt == NETWORK_RETRIES:
                    raise
                self._metrics.telegram_retry(endpoint, "network")
                logger.warning("telegram %s failed, retry %d in %.1fs: %s", endpoint, attempt + 1, delay, exc)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _counted(self, callback: Any, endpoint: str) -> Any:
        """`callback` (one call to the Bot API), counting its failures; AIORateLimiter sends a
        call again after RetryAfter while it has retries left, so those are flood retries."""
        calls = 0

        async def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            try:
                return await callback(*args, **kwargs)
            except TelegramError as exc:
                self._metrics.telegram_error(endpoint, exc)
                if isinstance(exc, RetryAfter) and calls <= RATE_LIMIT_RETRIES:
                    self._metrics.telegram_retry(endpoint, "flood")
                raise

        return call


class GroupBudget(Protocol):
    """Where a group's new messages are counted so that every worker sees them (the bot's
    database: `ConversationStore.take_group_message`)."""

    async def take_group_message(self, chat_id: int, per_minute: float, now: float) -> float:
        """0 when the message may go now (and is counted), else the seconds to wait; raises
        StoreUnavailable when the count cannot be reached."""
        ...


class MessagesPacedRateLimiter(RetryingRateLimiter):
    """Telegram's documented group limit is on *messages*: "no more than 20 messages per minute
    in the same group". PTB's AIORateLimiter applies it to every request naming a group, so the
    typing action (refreshed every few seconds) and each streamed edit used up the group's
    budget and a streamed answer stalled behind its own frames for minutes.

    Here only requests that post a new message count against a group; the others (typing,
    edits, button answers) still count against the overall 30 per second. Edits are kept within
    the group's pace where they are made instead: streamed frames over the group's budget are
    dropped, never queued (`GroupPace`), and typing is sent once per chat per refresh, however
    many questions it is answering (`typing`), and only when the overall budget has room at
    once: under load it is skipped, never queued ahead of an answer. Dropping a frame only makes
    the preview coarser; queueing it delayed the answer itself.

    The new messages are counted in the shared store (`budget`, set once the store is open),
    so N workers posting in one group keep one budget between them, not N. Without the store
    (before it opens, or when it cannot be reached) each worker counts its own, as PTB does."""

    def __init__(self, *, group_per_minute: float, clock: Clock, **kwargs: Any) -> None:
        super().__init__(group_max_rate=group_per_minute, **kwargs)
        self.group_per_minute = group_per_minute
        self.clock = clock
        self.budget: GroupBudget | None = None

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        chat_id = data.get("chat_id")
        if endpoint == "sendChatAction" and not self._room_now():
            # "typing…" only fills spare room in the 30 a second: queued, it delayed the answers
            # behind it (under load, one action per question took half the budget). Skipped,
            # it is sent again at the next refresh.
            logger.debug("typing skipped: the overall budget is spent chat=%s", chat_id)
            return True
        shared = endpoint in NEW_MESSAGE_ENDPOINTS and await self._wait_in_shared_budget(chat_id)
        if chat_id is not None and (shared or endpoint not in NEW_MESSAGE_ENDPOINTS):
            # PTB decides from `data` alone (the request itself travels in args/kwargs): a chat
            # id that is not a group's keeps the overall limit and lifts the group's, which is
            # either not a message's or already counted in the store.
            data = {**data, "chat_id": 0}
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

    def _room_now(self) -> bool:
        """Whether the overall budget takes one more request without waiting (PTB's bucket,
        None when the limit is lifted)."""
        bucket = getattr(self, "_base_limiter", None)
        return bucket is None or bool(bucket.has_capacity())

    async def _wait_in_shared_budget(self, chat_id: object) -> bool:
        """Wait until the group's shared budget lets one more message go, and count it; False
        when it is not counted there (no store, a private chat, an '@channel' name, the store
        unreachable): PTB's per-worker count applies then."""
        budget = self.budget
        if budget is None or not self.group_per_minute or not isinstance(chat_id, int) or chat_id >= 0:
            return False
        while True:
            try:
                wait = await budget.take_group_message(chat_id, self.group_per_minute, self.clock.now())
            except StoreUnavailable as exc:
                logger.warning("group budget counted by this worker alone chat=%s: %s", chat_id, exc)
                return False
            if not wait:
                return True
            await self.clock.sleep(wait)


# Bot API methods that post a new message in a chat: what "20 messages per minute" counts.
NEW_MESSAGE_ENDPOINTS = frozenset({
    "sendMessage", "sendDocument", "sendPhoto", "sendAudio", "sendVideo", "sendVoice", "sendAnimation",
    "sendVideoNote", "sendSticker", "sendMediaGroup", "sendLocation", "sendVenue", "sendContact",
    "sendPoll", "sendDice", "sendInvoice", "copyMessage", "copyMessages", "forwardMessage",
    "forwardMessages",
})


def file_url_for(base_url: str) -> str:
    """The file download base matching a Bot API base URL (`…/bot` → `…/file/bot`)."""
    if "{token}" in base_url:
        return base_url.replace("/bot{token}", "/file/bot{token}")
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url.rstrip("/") + "/file/bot"


def build_application(
    settings: Settings, services: FrontDoor, *, tuning: Tuning | None = None, clock: Clock | None = None,
    metrics: Metrics | None = None,
) -> AnyApplication:
    """The bot, wired to `services`; nothing touches the network until it is initialised.
    `clock` paces a group's messages (the wall clock unless a test brings its own); `metrics`:
    where the bot records (the services' own, in `qabot run`)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base_url = settings.telegram_api_base_url
    tuning = tuning or Tuning()
    metrics = metrics or Metrics()
    limiter = MessagesPacedRateLimiter(
        overall_max_rate=tuning.requests_per_second,
        group_per_minute=tuning.group_requests_per_minute,
        clock=clock or WallClock(),
        max_retries=RATE_LIMIT_RETRIES,
        metrics=metrics,
    )
    application = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(base_url)
        .base_file_url(file_url_for(base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(limiter)
        .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT_UPDATES, metrics))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["state"] = BotState(
        settings=settings,
        services=services,
        tuning=tuning,
        group_pace=GroupPace(tuning.group_requests_per_minute),
        share=ShareLinks(settings.telegram_bot_token.get_secret_value()),
        metrics=metrics,
        turns=QuestionTurns(answer_concurrency(settings)),
    )
    metrics.watch_update_queue(application.update_queue.qsize)
    register_handlers(application, frozenset(settings.telegram_admin_ids))
    application.add_error_handler(on_error)
    return application


def answer_concurrency(settings: Settings) -> int:
    """ANSWER_CONCURRENCY, or when 0: twice the cores for the extractive answerer, whose stages
    are all CPU work (a second question per core keeps the cores busy while one waits on a hop
    between threads); no limit with an LLM, whose answers mostly wait on the model."""
    if settings.answer_concurrency:
        return settings.answer_concurrency
    return 2 * (os.cpu_count() or 1) if settings.llm_provider == "none" else 0


def attach(application: AnyApplication, companion: Companion) -> None:
    """Start `companion` with the bot and stop it with the bot (before `run_*` is called)."""
    application.bot_data["state"].companions.append(companion)


def register_handlers(application: AnyApplication, admin_ids: frozenset[int]) -> None:
    """Admin handlers behind the admin filter, then one refusal for everyone else; then users."""
    # First, in its own group: an update another worker (or this one) already took is dropped.
    application.add_handler(TypeHandler(Update, drop_redelivered), group=REDELIVERY_GROUP)
    is_admin = filters.User(user_id=admin_ids)
    new_message = filters.UpdateType.MESSAGE
    edited = filters.UpdateType.EDITED_MESSAGE
    private = filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CommandHandler("reindex", admin.on_reindex, filters=is_admin & new_message),
            CommandHandler("status", admin.on_status, filters=is_admin & new_message),
            CommandHandler("unanswered", admin.on_unanswered, filters=is_admin & new_message),
            CommandHandler("feeds", feeds.on_feeds, filters=is_admin & new_message),
            CommandHandler("web", desk.on_web, filters=is_admin & new_message),
            MessageHandler(is_admin & private & new_message & filters.Document.ALL, admin.on_upload),
            # Articles are added in private only (a group's members would see every file).
            MessageHandler(is_admin & filters.ChatType.GROUPS & new_message & filters.Document.ALL, admin.on_group_upload),
            MessageHandler(
                new_message
                & (filters.Regex(rf"^/({'|'.join(admin.ADMIN_COMMANDS)})(@\w+)?(\s|$)") | (private & filters.Document.ALL)),
                admin.refuse,
            ),
            CommandHandler(["start", "help"], help.on_help, filters=new_message),
            CommandHandler("new", help.on_new, filters=new_message),
            CommandHandler("latest", latest.on_latest, filters=new_message),
            CommandHandler("ask", ask.on_ask, filters=new_message),
            CommandHandler("forget", privacy.on_forget, filters=new_message),
            CommandHandler("mydata", privacy.on_mydata, filters=new_message),
            # An edited question is answered again: the person fixed a typo and expects the answer.
            MessageHandler(private & (new_message | edited) & filters.TEXT & ~filters.COMMAND, ask.on_private_text),
            MessageHandler(
                filters.ChatType.GROUPS & (new_message | edited) & filters.TEXT & ~filters.COMMAND, ask.on_group_text
            ),
            MessageHandler(
                private & new_message & (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO
                                         | filters.VIDEO | filters.VIDEO_NOTE | filters.ANIMATION),
                ask.on_not_text,
            ),
            MessageHandler(private & new_message & filters.COMMAND, help.on_help),
            CallbackQueryHandler(admin.on_upload_choice, pattern=rf"^{admin.UPLOAD_CALLBACK}"),
            CallbackQueryHandler(privacy.on_forget_choice, pattern=rf"^{privacy.FORGET_CALLBACK}"),
            CallbackQueryHandler(sources.on_callback),
            InlineQueryHandler(inline.on_inline_query),
        ]
    )


async def drop_redelivered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop an update whose id the shared store has seen: Telegram resends an update when its
    webhook call failed or timed out, and with several workers the resend may reach another."""
    if not await context.application.bot_data["state"].db.coordination.first_delivery(update.update_id):
        logger.info("update already handled update=%s", update.update_id)
        raise ApplicationHandlerStop


async def _post_init(application: AnyApplication) -> None:
    """Start the companions, open the services and the store, and publish the command list."""
    state: BotState = application.bot_data["state"]
    for companion in state.companions:
        await companion.start()
        state.started.append(companion)
    await state.services.open()
    state.store = await state.services.database()  # opened by the front door, closed with it
    if isinstance(limiter := application.bot.rate_limiter, MessagesPacedRateLimiter):
        limiter.budget = state.store.conversations  # a group's messages are counted with the other workers'
    await publish_commands(application.bot, state.admin_ids)
    if await state.services.feeds():
        feeds.schedule(application)
    privacy.schedule_retention(application)
    schedule_grouping(application)
    logger.info("bot ready username=%s admins=%d", application.bot.username, len(state.admin_ids))


async def publish_commands(bot: Any, admin_ids: frozenset[int]) -> None:
    """The command menu in French (the default) and English; each admin's private chat gets
    the admin commands too, in its own scope (nobody else sees them)."""
    for lang in COMMANDS:
        language = None if lang == "fr" else lang
        scopes: list[tuple[Any, list[tuple[str, str]]]] = [(None, COMMANDS[lang])]
        scopes += [(BotCommandScopeChat(admin), COMMANDS[lang] + ADMIN_COMMANDS[lang]) for admin in sorted(admin_ids)]
        for scope, commands in scopes:
            try:
                await bot.set_my_commands(
                    [BotCommand(name, text) for name, text in commands], scope=scope, language_code=language
                )
            except TelegramError as exc:
                logger.warning("could not publish the command list lang=%s scope=%s: %s", lang, scope, exc)


async def _post_shutdown(application: AnyApplication) -> None:
    state: BotState = application.bot_data["state"]
    while state.started:  # those started, even when post_init failed half-way
        await state.started.pop().stop()
    if isinstance(limiter := application.bot.rate_limiter, MessagesPacedRateLimiter):
        limiter.budget = None
    state.store = None
    await state.services.close()


async def readiness(application: AnyApplication) -> list[Check]:
    """The services' checks (index, models) and the bot's database (`/readyz`)."""
    state: BotState = application.bot_data["state"]
    return [*await state.services.ready(), await database_check(state)]


async def database_check(state: BotState) -> Check:
    if state.store is None:
        return Check("database", "the bot's database is not open yet")
    try:
        await state.store.ping()
    except SQLAlchemyError as exc:
        logger.warning("the bot's database cannot be reached at %s: %s", state.store.safe_url, type(exc).__name__,
                       extra={"cause": type(exc).__name__})
        return Check("database", f"the bot's database cannot be reached at {state.store.safe_url} ({type(exc).__name__})")
    return Check("database")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error sink: log with context; the user gets a fixed short sentence."""
    error = context.error
    upd = update if isinstance(update, Update) else None
    chat = upd.effective_chat.id if upd and upd.effective_chat else None
    user = upd.effective_user if upd else None
    if isinstance(error, QabotError):
        logger.warning("expected error update=%s chat=%s user=%s: %s",
                       upd.update_id if upd else None, chat, user.id if user else None, error,
                       extra={"cause": type(error).__name__})
        state: BotState = context.application.bot_data["state"]
        is_admin = user is not None and user.id in state.admin_ids
        text = str(error) if is_admin else t("index_unavailable", language_of(user))
    else:
        logger.error("unhandled error update=%s chat=%s user=%s",
                     upd.update_id if upd else None, chat, user.id if user else None, exc_info=error,
                     extra={"cause": type(error).__name__})
        text = t("apology", language_of(user))
    if upd is None:
        return
    try:
        if upd.callback_query:
            await upd.callback_query.answer(text[:190])
        elif chat is not None:
            await context.bot.send_message(chat, escape(text))
    except TelegramError as exc:
        logger.warning("could not tell the user about the error chat=%s: %s", chat, exc)
