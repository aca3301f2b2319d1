"""What the bot's database holds about readers' questions, as the front ends read it: part of
the contract (tests/qabot/test_edges.py), beside `qabot.frontdoor`.

The record types are the stores' own (qabot/stores/, the floor below), named here so the desk
(web/) and the bot read them without importing a store; the `DeskRecords` and `FeedDesk`
Protocols say what the desk may ask, and the stores implement them (mypy holds them to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from qabot.stores.answers import CitedPassage, StoredAnswer, question_key
from qabot.stores.asked import (
    Activity,
    CitedRecord,
    QuestionFilter,
    QuestionRecord,
    UnansweredGroup,
    VoteRecord,
)
from qabot.stores.desk import AuditEntry, DeskSession
from qabot.stores.training import DeclinedQuestion, TrainingExport, VotedPair

__all__ = [
    "Activity", "AuditEntry", "CitedPassage", "CitedRecord", "DeclinedQuestion", "DeskRecords", "DeskSession",
    "FeedDesk", "FeedStatus", "Held", "QuestionFilter", "QuestionRecord", "StoredAnswer", "TrainingExport",
    "UnansweredGroup", "VoteRecord", "VotedPair", "question_key",
]


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
    """The desk's own state: sign-in links and sessions, the audit log, the re-index's progress
    (what readers asked, it reads through the front door)."""

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

    async def set_last_reindex(self, text: str) -> None:
        """When the desk's re-index ended and what it did (read back by `FrontDoor.last_reindex`)."""
        ...

    async def reindex_progress(self) -> str | None:
        """The running (or last) re-index's progress as JSON, written by whichever worker runs it."""
        ...

    async def set_reindex_progress(self, progress: str) -> None: ...
