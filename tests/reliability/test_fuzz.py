"""Property-based fuzzing of the message path: hypothesis generates batches of updates (random
Unicode, control characters, right-to-left text, emoji, 4,096-character texts, HTML and Markdown
fragments, commands with junk arguments, forged and stale callback data, edited messages,
messages without text, admin commands and uploads), the real application handles them through
the loopback Bot API, and after every batch: no unexpected exception reached the error handler,
no reply was refused by the Telegram-like HTML check, no update was handled twice. Afterwards the
bot still answers a real question."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.telegram_server import BOT_USERNAME, SentMessage
from tests.reliability.conftest import (
    ADMIN,
    FAST,
    GRENOBLE_Q,
    FaultyTelegram,
    LiveBot,
    LoopThread,
    live_bot,
    make_live_settings,
    write_report,
)

BATCH = 25
BATCHES = 44  # 1,100 updates
PRIVATE_CHATS = (101, 102, 103)
GROUPS = (-201, -202)
GROUP_USERS = (301, 302)

RTL = ["مرحبا بالعالم", "שלום עולם", "\u202eevil.txt\u202c", "\u200fمتى\u200f ?", "abc\u202edef"]
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷", "🏳️‍🌈", "❤️", "🤖", "\ufe0f", "🫠"]
MARKUP = [
    "<b>", "</b>", "<i>x</i>", "<script>alert(1)</script>", "<a href='javascript:alert(1)'>x</a>",
    "&", "&amp;", "&#0;", "&lt;", "<", ">", "<pre><code>", "**gras**", "__x__", "`code`",
    "```py\nx\n```", "[lien](http://example.com)", "||spoiler||", "~barré~", "\\", "[1]", "[999]",
    "<tg-spoiler>", "<blockquote>",
]
CONTROL = ["\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\u2028", "\u200b", "\ufeff", "\x7f", "\u0301"]
WORDS = ["Grenoble", "budget", "pistes", "cyclables", "Alep", "civils", "offensive", "?", "le", "la"]
COMMANDS = ["start", "help", "new", "ask", "reindex", "status", "unanswered", "foo", "ASK", "ask@" + BOT_USERNAME,
            "ask@other_bot", "reindex@" + BOT_USERNAME, "st@tus", ""]
LANGS = ["fr", "en", "ar", "he", "", "zz-ZZ"]

fragment = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.sampled_from(RTL + EMOJI + MARKUP + CONTROL + WORDS),
)
short_text = st.lists(fragment, min_size=1, max_size=12).map(" ".join)
long_text = st.tuples(short_text, st.integers(3000, 4096)).map(
    lambda p: ((p[0] or "x") * (p[1] // max(1, len(p[0])) + 1))[: p[1]]
)
text = st.one_of(short_text, short_text, short_text, long_text)
command = st.builds(lambda c, a: f"/{c} {a}".rstrip(), st.sampled_from(COMMANDS), short_text)
callback_data = st.one_of(
    st.text(max_size=64).filter(lambda d: 1 <= len(d.encode()) <= 64),
    st.builds(lambda i, n: f"s:{i}:{n}", st.integers(0, 80), st.integers(0, 12)),
    st.builds(lambda i: f"a:{i}", st.integers(0, 80)),
    st.builds(lambda i, n, p: f"p:{i}:{n}:{p}", st.integers(0, 80), st.integers(0, 12), st.integers(0, 99999)),
    st.builds(lambda i, v: f"v:{i}:{v}", st.integers(0, 80), st.sampled_from("+-")),
    st.sampled_from(["reindex", "r:full", "s:1:1:1", "s:-1:1", "p:1:1:-1", "a:1 ", "s:../../etc/passwd:1",
                     "v:1:0", "a:99999999999999999999", "admin:reindex"]),
)
private_chat = st.sampled_from(PRIVATE_CHATS)
no_text = st.sampled_from([
    {"sticker": {"file_id": "s", "file_unique_id": "us", "type": "regular", "width": 1, "height": 1,
                 "is_animated": False, "is_video": False}},
    {"location": {"latitude": 48.85, "longitude": 2.35}},
    {"photo": [{"file_id": "p", "file_unique_id": "up", "width": 1, "height": 1}], "caption": "/reindex full"},
    {"voice": {"file_id": "v", "file_unique_id": "uv", "duration": 1}},
    {"contact": {"phone_number": "+33100000000", "first_name": "X"}},
    {"dice": {"emoji": "🎲", "value": 3}},
    {"new_chat_members": [{"id": 9, "is_bot": False, "first_name": "N"}]},
    {"animation": {"file_id": "a", "file_unique_id": "ua", "width": 1, "height": 1, "duration": 1}},
])
upload_name = st.one_of(
    st.text(max_size=30).map(lambda s: s + ".txt"),
    st.sampled_from(["../../evil.txt", "..\\x.md", ".hidden.txt", "a.pdf", "noext", "", "x/../../y.md",
                     "\u202etxt.exe", "CON.txt", "a" * 300 + ".md"]),
)
upload_content = st.one_of(st.binary(max_size=300), text.map(lambda t: t.encode("utf-8")))

update_spec = st.one_of(
    st.fixed_dictionaries({"kind": st.just("text"), "chat": private_chat, "text": text, "lang": st.sampled_from(LANGS),
                           "edited": st.booleans()}),
    st.fixed_dictionaries({"kind": st.just("text"), "chat": private_chat, "text": command,
                           "lang": st.sampled_from(LANGS), "edited": st.booleans()}),
    st.fixed_dictionaries({"kind": st.just("group"), "chat": st.sampled_from(GROUPS),
                           "user": st.sampled_from(GROUP_USERS), "text": st.one_of(text, command),
                           "mention": st.booleans(), "reply": st.booleans()}),
    st.fixed_dictionaries({"kind": st.just("channel"), "chat": st.sampled_from(GROUPS), "text": text}),
    st.fixed_dictionaries({"kind": st.just("no_text"), "chat": st.one_of(private_chat, st.sampled_from(GROUPS)),
                           "extra": no_text}),
    st.fixed_dictionaries({"kind": st.just("press"), "chat": st.one_of(private_chat, st.sampled_from(GROUPS)),
                           "data": callback_data, "user": st.sampled_from((*PRIVATE_CHATS, *GROUP_USERS))}),
    st.fixed_dictionaries({"kind": st.just("document"), "chat": st.sampled_from((*PRIVATE_CHATS, ADMIN)),
                           "name": upload_name, "content": upload_content}),
    st.fixed_dictionaries({"kind": st.just("admin"), "text": st.one_of(command, text)}),
)


def push(tg: FaultyTelegram, spec: dict[str, Any]) -> None:
    """Queue the update `spec` describes."""
    kind, chat = spec["kind"], spec.get("chat", ADMIN)
    if kind == "text":
        tg.message(spec["text"], chat_id=chat, language_code=spec["lang"], edited=spec["edited"])
    elif kind == "group":
        text = f"@{BOT_USERNAME} {spec['text']}" if spec["mention"] else spec["text"]
        reply = _bot_message(tg, chat) if spec["reply"] else None
        tg.message(text, chat_id=chat, user_id=spec["user"], chat_type="supergroup",
                   reply_to=tg._message_json(reply, "supergroup") if reply else None)
    elif kind == "channel":  # an anonymous admin or a linked channel: no `from`
        tg.push({"message": {"message_id": 1, "date": int(time.time()), "chat": tg.chat(chat, "supergroup"),
                             "sender_chat": {"id": -1009, "type": "channel", "title": "C"},
                             "text": f"@{BOT_USERNAME} {spec['text']}"}})
    elif kind == "no_text":
        tg.message(None, chat_id=chat, chat_type="private" if chat > 0 else "supergroup", **spec["extra"])
    elif kind == "press":
        target = _bot_message(tg, chat)
        tg.press(target, spec["data"], user_id=spec["user"] if chat < 0 else chat,
                 chat_type="private" if chat > 0 else "supergroup")
    elif kind == "document":
        tg.document(chat_id=chat, file_name=spec["name"], content=spec["content"])
    else:
        tg.message(spec["text"], chat_id=ADMIN)


def _bot_message(tg: FaultyTelegram, chat: int) -> SentMessage:
    """The bot's latest message in `chat` (each chat got an answer before fuzzing starts)."""
    return tg.last(chat)


# Two groups take a good share of the fuzz: with Telegram's 20 requests a minute per group kept,
# the bot would spend most of the run waiting on its own flood control (the loopback API has none).
UNTHROTTLED = replace(FAST, group_requests_per_minute=0)


@pytest.mark.slow
def test_fuzzed_updates_never_break_the_bot(
    loop_thread: LoopThread, make_settings: Callable[..., Any], corpus_dir: Path, no_network: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def start() -> tuple[Any, LiveBot]:
        tg = FaultyTelegram()
        await tg.start()
        manager = live_bot(make_live_settings(make_settings, tg, max_upload_bytes=2000), tg, tuning=UNTHROTTLED)
        bot = await manager.__aenter__()
        for chat in (*PRIVATE_CHATS, *GROUPS):  # something to press buttons on, everywhere
            tg.message(f"@{BOT_USERNAME} {GRENOBLE_Q}", chat_id=chat, user_id=abs(chat),
                       chat_type="private" if chat > 0 else "supergroup")
        await tg.wait_for(lambda: all(tg.answers(c) for c in (*PRIVATE_CHATS, *GROUPS)), within=30)
        await bot.settle()
        return manager, bot

    manager, bot = loop_thread.run(start())
    kinds: Counter[str] = Counter()
    started = time.monotonic()
    try:

        @settings(max_examples=BATCHES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.lists(update_spec, min_size=BATCH, max_size=BATCH))
        def handle(batch: list[dict[str, Any]]) -> None:
            async def feed() -> None:
                for spec in batch:
                    push(bot.tg, spec)
                await bot.settle()

            loop_thread.run(feed())
            kinds.update(spec["kind"] for spec in batch)
            assert not bot.unexpected_errors, [repr(e) for e in bot.unexpected_errors]
            assert bot.tg.rejected == [], [(c.method, c.error, c.params) for c in bot.tg.rejected]
            assert set(bot.processed.values()) == {1}, "an update was handled twice"
            # nothing failed outside the error handler either (polling loop, background tasks)
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[-3000:]

        handle()
        fuzz_seconds = time.monotonic() - started

        async def still_answers() -> str:
            bot.tg.message(GRENOBLE_Q, chat_id=555)
            return (await bot.tg.wait_for(lambda: bot.tg.answers(555), within=30))[0].visible

        answer = loop_thread.run(still_answers())
        assert "5 millions" in answer and "[1]" in answer, answer
        assert not bot.unexpected_errors and bot.tg.rejected == []
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[-3000:]
        articles = Path(bot.settings.articles_dir).resolve()
        assert all(p.resolve().parent == articles for p in articles.rglob("*")), "an upload left ARTICLES_DIR"
        updates = sum(kinds.values())
        sent = [c for c in bot.tg.calls if c.method in ("sendMessage", "editMessageText")]
        write_report("fuzz", {
            "updates": updates, "batches": updates // BATCH, "by_kind": dict(sorted(kinds.items())),
            "seconds": round(fuzz_seconds, 1),
            "unexpected_errors": len(bot.unexpected_errors),
            "error_log_records": sum(r.levelno >= logging.ERROR for r in caplog.records),
            "warning_log_records": sum(r.levelno == logging.WARNING for r in caplog.records),
            "expected_errors": len(bot.errors) - len(bot.unexpected_errors),
            "replies_sent_or_edited": len(sent), "replies_rejected_by_html_check": len(bot.tg.rejected),
            "callback_queries_answered": len(bot.tg.callback_answers),
            "questions_reaching_the_answerer": sum(bot.asked.values()),
            "reindexes_started": len(bot.reindexes),
        })
        assert updates >= 1000
    finally:
        loop_thread.run(manager.__aexit__(None, None, None))
        loop_thread.run(bot.tg.stop())
