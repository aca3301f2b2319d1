"""The errors the front ends catch, named where bot/ and cli/ import them: `qabot` alone.

One base, `QabotError`, defined on the lowest floor (retrieval/errors.py) so that every layer
derives from it; its message is a sentence an admin can act on. Light on purpose (no model,
no index): `import cli.main` reads it. `qabot.frontdoor` re-exports these with the rest of the
contract; the errors of the feeds (`AddressRefused`) are there."""

from __future__ import annotations

from qabot.settings import SettingsError
from retrieval.errors import (
    ArticleRejected,
    IndexCorrupt,
    IndexModelMismatch,
    IndexNotReady,
    QabotError,
    ReindexInProgress,
)

__all__ = [
    "ArticleRejected", "IndexCorrupt", "IndexModelMismatch", "IndexNotReady", "QabotError", "ReindexInProgress",
    "SettingsError",
]
