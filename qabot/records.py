"""What the bot's database holds about readers' questions, as the editors' desk reads it.

The types and the `DeskRecords` Protocol live here, below every front end, so the desk (web/)
reads the bot's records without importing the bot: the composition root hands it the store,
which implements the Protocol (and mypy holds it to it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol


def question_key(question: str) -> str:
    """What makes two declined questions "the same" on the desk: their words, with case,
    accents, punctuation and spacing set aside ("Où est Alep ?" ~ "ou est alep"). Stored with
    the question, so grouping is a GROUP BY, never work at page time."""
    folded = unicodedata.normalize("NFKD", question.casefold())
    letters = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", letters))[:500]


@dataclass(frozen=True, slots=True)
class CitedRecord:
    """A passage an answer cited, as stored with the answer."""

    n: int
    article_id: str
    title: str
    date: str | None
    text: str


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """A question a reader asked, with the answer they got and the votes it received."""

    id: int
    at: str  # ISO time, UTC
    user_id: int | None
    chat_id: int
    question: str
    answer: str  # the cited sentences (the body)
    lead: str | None  # the fact the answer led with
    answered: bool
    answerer: str
    note: str | None
    total_ms: float | None
    citations: tuple[CitedRecord, ...]
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """A reader's 👍 (1) or 👎 (-1) with the question, answer and passages it judged."""

    at: str
    user_id: int
    vote: int
    question: str
    answer: str
    citations: tuple[CitedRecord, ...]


@dataclass(frozen=True, slots=True)
class UnansweredGroup:
    """Declined questions that ask the same thing (near in meaning, by the question encoder;
    by the same words until a background job has embedded them), with how often and when last."""

    question: str  # the most recent wording
    count: int
    last_at: str
    wordings: tuple[str, ...]
    nearest: tuple[str, ...] = ()  # titles of the articles nearest it, most often offered first


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str
    admin_id: int | None
    via: str  # "desk" or "telegram"
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class Activity:
    """Questions of the day and of the last seven days, with their outcomes."""

    today: int
    week: int
    week_declined: int
    up: int
    down: int
    p95_ms: float | None


@dataclass(frozen=True, slots=True)
class QuestionFilter:
    declined: bool = False
    downvoted: bool = False
    day: str | None = None  # YYYY-MM-DD (UTC)
    word: str | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class DeskSession:
    admin_id: int
    csrf: str


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A followed feed as the desk lists it (credentials in its URL masked)."""

    url: str  # as shown: credentials masked
    key: str  # what remove takes (the URL as stored)
    in_settings: bool  # from FEEDS: removed in the settings, not on the desk
    last_polled: str | None
    last_error: str | None
    articles: int
    item_errors: tuple[str, ...]
    failures: int = 0  # polls failed in a row

    @property
    def in_error(self) -> bool:
        """Its last poll failed (or polls keep failing): what the Overview lists."""
        return self.last_error is not None or self.failures > 0


class FeedDesk(Protocol):
    """The feeds the bot follows, as admins manage them (the same rules as /feeds)."""

    async def feeds(self) -> list[FeedStatus]: ...

    async def add(self, url: str, admin_id: int, lang: str) -> str | None:
        """None when added (or already followed), else why not, in `lang`, as plain text."""
        ...

    async def remove(self, key: str) -> bool: ...

    async def poll_now(self) -> str:
        """One pass over the feeds now (then a re-index if something is new); what it did."""
        ...


class Held(Protocol):
    """A cross-worker lock while held."""

    async def release(self) -> None: ...


class DeskRecords(Protocol):
    """The bot's records the desk shows, and the desk's own sign-in state and audit log."""

    async def activity(self, since_day: str, today: str) -> Activity: ...

    async def questions(self, which: QuestionFilter) -> list[QuestionRecord]: ...

    async def vote_records(self, limit: int) -> list[VoteRecord]: ...

    async def unanswered_groups(self, limit: int) -> list[UnansweredGroup]: ...

    async def audit_entries(self, limit: int) -> list[AuditEntry]: ...

    async def audit(self, admin_id: int | None, via: str, action: str, detail: str) -> None: ...

    async def add_desk_link(self, token_hash: str, admin_id: int, expires_at: float) -> None: ...

    async def redeem_desk_link(self, token_hash: str, now: float) -> int | None:
        """The admin the unused, unexpired link was made for, marking it used (once)."""
        ...

    async def add_desk_session(self, id_hash: str, session: DeskSession, expires_at: float) -> None: ...

    async def desk_session(self, id_hash: str, now: float) -> DeskSession | None: ...

    async def end_desk_session(self, id_hash: str) -> None: ...

    async def rate_check(self, user_id: int, limit: int, window_s: float, now: float | None = None) -> float:
        """0 when allowed (and counted), else seconds to wait."""
        ...

    async def try_exclusive(self, name: str) -> Held | None:
        """The cross-worker lock `name` (the bot's /reindex takes the same), or None when held."""
        ...

    async def last_reindex(self) -> str | None:
        """When the last re-index ended and what it did, as the bot's /status shows it."""
        ...

    async def set_last_reindex(self, text: str) -> None: ...

    async def reindex_progress(self) -> str | None:
        """The running (or last) re-index's progress as JSON, written by whichever worker runs it."""
        ...

    async def set_reindex_progress(self, progress: str) -> None: ...
