"""Scheduled jobs that must run once across all bot workers (e.g. polling news feeds).

Every worker schedules the job (PTB's JobQueue, or any timer); when it fires, `run_once`
lets only one worker run it for that period: the first to claim the period's slot in the
shared store runs it, under the store's cross-worker lock, so a run still going when the next
period starts is not doubled either.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from qabot.stores import Stores

logger = logging.getLogger(__name__)


def slot_of(period_s: float, now: float | None = None) -> str:
    """The period a moment falls in, e.g. '2026-11-30T06:00:00' for an hourly job at 06:20."""
    now = time.time() if now is None else now
    start = now - now % period_s
    return datetime.fromtimestamp(start, UTC).isoformat(timespec="seconds")


async def run_once(store: Stores, name: str, period_s: float, job: Callable[[], Awaitable[None]],
                   now: float | None = None) -> bool:
    """Run `job` if no worker has run `name` in this period and none is running it; True if
    it ran here."""
    held = await store.coordination.try_exclusive(f"job:{name}")
    if held is None:
        logger.info("job %s already running on another worker", name)
        return False
    try:
        if not await store.coordination.claim_job(name, slot_of(period_s, now)):
            logger.info("job %s already ran this period", name)
            return False
        # Two periods back: a worker whose clock lags a little still finds the last claim.
        await store.coordination.forget_job_runs(name, slot_of(period_s, (time.time() if now is None else now) - 2 * period_s))
        await job()
        return True
    finally:
        await held.release()
