"""Deep links to a stored answer: `https://t.me/<bot>?start=<payload>`.

Telegram allows 64 characters of [A-Za-z0-9_-] in a start payload, so the payload carries only
the stored answer's id, when it expires, and a signature (HMAC keyed from the bot token): a
forged or edited payload opens nothing, and an old one says it has expired. Nothing is kept
per link, so any worker of the bot can open it.
"""

from __future__ import annotations

import hmac
import re
import time
from dataclasses import dataclass

from qabot.signin import keyed_signature

PAYLOAD_LIMIT = 64
LIFETIME_S = 7 * 24 * 3600
_PAYLOAD = re.compile(r"a(\d{1,18})_(\d{1,8})_([A-Za-z0-9_-]{16})")


@dataclass(frozen=True, slots=True)
class ShareLinks:
    """Makes and reads the start payloads of shared answers; `secret` is the bot token."""

    secret: str
    lifetime_s: float = LIFETIME_S

    def payload(self, answer_id: int, now: float | None = None) -> str:
        expires = int(((time.time() if now is None else now) + self.lifetime_s) // 3600) + 1  # hours
        payload = f"a{answer_id}_{expires}_{self._sign(answer_id, expires)}"
        assert len(payload) <= PAYLOAD_LIMIT
        return payload

    def answer_id(self, payload: str, now: float | None = None) -> int | None:
        """The answer id a genuine, unexpired payload names; None otherwise."""
        match = _PAYLOAD.fullmatch(payload)
        if match is None:
            return None
        answer_id, expires = int(match.group(1)), int(match.group(2))
        if not hmac.compare_digest(match.group(3), self._sign(answer_id, expires)):
            return None
        if expires * 3600 < (time.time() if now is None else now):
            return None
        return answer_id

    def is_answer_payload(self, payload: str) -> bool:
        return payload.startswith("a")

    def _sign(self, answer_id: int, expires: int) -> str:
        return keyed_signature(self.secret, b"qabot share links", f"{answer_id}:{expires}", 16)


def link(username: str, payload: str) -> str:
    return f"https://t.me/{username}?start={payload}"
