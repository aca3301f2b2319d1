"""Telegram's documented flood limit in groups: "no more than 20 messages per minute in the same
group". Counted on the loopback Bot API's log while a busy group gets streamed answers: new
messages stay within it, streamed edits too, and the answers are not held back by typing
actions and edits queued against that budget (PTB's AIORateLimiter counted them all)."""

from __future__ import annotations

from tests.bot.conftest import StartBot
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram

GROUP = -1002
TELEGRAM_GROUP_MESSAGES_PER_MINUTE = 20
ASKERS = 6
NEW_MESSAGES = {"sendMessage", "sendDocument", "copyMessage", "forwardMessage"}


def most_in_a_minute(stamps: list[float]) -> int:
    """The largest number of stamps inside any 60-second window."""
    stamps = sorted(stamps)
    return max((sum(1 for t in stamps[i:] if t - start < 60.0) for i, start in enumerate(stamps)), default=0)


def group_calls(tg: FakeTelegram, methods: set[str]) -> list[float]:
    return [c.at for c in tg.calls if c.method in methods and c.params.get("chat_id") == GROUP]


async def test_a_busy_group_stays_within_telegrams_limit_and_streamed_answers_do_not_stall(
    start_bot: StartBot,
) -> None:
    from bot.state import Tuning

    # Telegram's real group limit (20/min), typing and frames at a test's fast pace.
    h = await start_bot(tuning=Tuning(typing_every_s=0.1, edit_every_s=0.2, group_requests_per_minute=20))
    h.services.answers.stream = [f"Le conseil municipal{' de Grenoble' * i}" for i in range(1, 30)]
    h.services.answers.stream_pause_s = 0.05
    for user in range(ASKERS):
        h.tg.message(f"@{BOT_USERNAME} Quel budget le conseil municipal de Grenoble a-t-il voté ?",
                     chat_id=GROUP, user_id=100 + user, chat_type="supergroup")

    def complete() -> int:
        done = sum(1 for m in h.tg.sent(GROUP) if any(b["text"] == "👍" for b in m.buttons()))
        return done if done == ASKERS else 0

    # Generous: answers that do not stall come within seconds; queued behind typing actions and
    # frames at 20 a minute, they came after minutes.
    await h.tg.wait_for(complete, within=45)
    assert most_in_a_minute(group_calls(h.tg, NEW_MESSAGES)) <= TELEGRAM_GROUP_MESSAGES_PER_MINUTE
    assert most_in_a_minute(group_calls(h.tg, {"editMessageText"})) <= TELEGRAM_GROUP_MESSAGES_PER_MINUTE + ASKERS
    assert group_calls(h.tg, {"editMessageText"}), "answers were streamed"
    typing = group_calls(h.tg, {"sendChatAction"})
    assert all(b - a >= 0.08 for a, b in zip(typing, typing[1:], strict=False)), "one typing action per refresh"
