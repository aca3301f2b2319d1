"""Signing editors in without passwords: one-time links, sessions, CSRF tokens.

An admin gets a link (`/web` in Telegram, or `qabot web-link ADMIN_ID`): a random token with an
HMAC signature, so a forged or mistyped link is refused without touching the database, and
only the token's sha256 is stored, so a copy of the database signs nobody in. Opening the link
shows a button; pressing it (a POST, which link-preview fetchers never send) spends the link,
once, and starts a session whose id — again only hashed in the database — lives in an HttpOnly
cookie for 12 hours. Every form carries the session's CSRF token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from qabot.records import DeskRecords, DeskSession

LINK_LIFETIME_S = 10 * 60
SESSION_LIFETIME_S = 12 * 3600
COOKIE = "qabot_desk"
# Sign-in attempts per client address in any sliding quarter hour.
SIGNIN_ATTEMPTS = 10
SIGNIN_WINDOW_S = 15 * 60


def keyed_signature(secret: str, purpose: bytes, message: str, length: int) -> str:
    """HMAC-SHA256 of `message` under a key derived from `secret` for one `purpose` (so a
    signature made for one kind of link never passes for another), URL-safe, `length` chars."""
    key = hashlib.sha256(purpose + b"\0" + secret.encode()).digest()
    mac = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:length]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LinkSigner:
    """Makes and checks the signature part of sign-in links; `secret` is the bot's token (what
    only this deployment knows), never stored or sent."""

    secret: str

    def _signature(self, token: str) -> str:
        return keyed_signature(self.secret, b"qabot desk links", token, 22)

    def new_token(self) -> str:
        token = secrets.token_urlsafe(24)
        return f"{token}.{self._signature(token)}"

    def checked(self, signed: str) -> str | None:
        """The token of a well-signed link, else None."""
        token, dot, signature = signed.partition(".")
        if not dot or not token or not hmac.compare_digest(signature, self._signature(token)):
            return None
        return token


async def make_link(records: DeskRecords, signer: LinkSigner, admin_id: int, public_url: str,
                    now: float | None = None) -> str:
    """A one-time sign-in URL for `admin_id`, valid LINK_LIFETIME_S."""
    signed = signer.new_token()
    token = signed.partition(".")[0]
    await records.add_desk_link(digest(token), admin_id, (now or time.time()) + LINK_LIFETIME_S)
    return f"{public_url.rstrip('/')}/signin/{signed}"


async def redeem(records: DeskRecords, signer: LinkSigner, signed: str) -> tuple[str, DeskSession] | None:
    """Spend a link: the new session's cookie value and the session, or None when the link is
    forged, used, or expired."""
    token = signer.checked(signed)
    if token is None:
        return None
    now = time.time()
    admin_id = await records.redeem_desk_link(digest(token), now)
    if admin_id is None:
        return None
    cookie = secrets.token_urlsafe(32)
    session = DeskSession(admin_id=admin_id, csrf=secrets.token_urlsafe(24))
    await records.add_desk_session(digest(cookie), session, now + SESSION_LIFETIME_S)
    return cookie, session


async def session_of(records: DeskRecords, cookie: str | None) -> DeskSession | None:
    if not cookie:
        return None
    return await records.desk_session(digest(cookie), time.time())


def client_key(address: str) -> int:
    """The rate-limit key of a client address: a negative number (readers' ids are positive)."""
    return -int.from_bytes(hashlib.sha256(b"desk signin\0" + address.encode()).digest()[:7], "big") - 1


def pseudonym(user_id: int | None, secret: str) -> str:
    """A reader as the desk shows them: a short keyed hash of their Telegram id."""
    if user_id is None:
        return "—"
    key = hashlib.sha256(b"qabot desk readers\0" + secret.encode()).digest()
    return "r-" + hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:8]
