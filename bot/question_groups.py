"""Declined questions grouped by meaning, for the desk's Unanswered page, by a background job.

"Qui a gagné l'Eurovision 2019 ?" and "Quel pays a remporté l'Eurovision en 2019 ?" ask the
same thing in other words. Every GROUPING_PERIOD_S, one worker (`bot.jobs.run_once`) embeds
the declined questions not grouped yet with the front door's question encoder, and puts each
in the group of its nearest earlier question when their cosine similarity reaches
SAME_QUESTION, else in a group of its own (its own id). The group id and the vector are stored
with the question, so the page is a GROUP BY, never an encoder call; rows the job has not
reached yet are grouped by their words (`group_key`) meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from telegram.ext import Application, ContextTypes

from bot.jobs import run_once
from bot.state import BotState, state_of
from qabot.stores import Grouped, Stores

logger = logging.getLogger(__name__)

# Cosine similarity (e5 "query: " vectors, unit length) from which two questions are one group.
# Measured by `python -m evaluation.group_threshold` with the bundled multilingual-e5-small-q4 on
# 40 hand-written pairs (evaluation/data/question_pairs.json, French and English: 20 asking the
# same thing, 20 that do not, most of those on the same subject): the same-question pairs scored
# 0.918-0.993 (mean 0.958), the others 0.815-0.959 (mean 0.907); 0.94 puts the fewest on the
# wrong side, 7 of 40 (4 same-question pairs split, 3 questions on one subject joined, e.g.
# "who won" with "where was" the same contest). e5 reads the subject more than the question
# asked, so no threshold separates them all; a group lists all its wordings, so a question
# joined to another stays visible to the editor.
SAME_QUESTION = 0.94
GROUPING_JOB = "question_groups"
GROUPING_PERIOD_S = 60.0
GROUPING_FIRST_S = 30.0  # after start-up: the bot answers its first readers before this
BATCH = 64  # questions per pass, embedded one by one: a reader's question waits for one at most
MAX_BATCHES = 20  # per run: after an upgrade, the backlog is caught up over a few periods


class QuestionEncoder(Protocol):
    """What the job needs of the front door (`FrontDoor.embed_questions`)."""

    async def embed_questions(self, texts: Sequence[str]) -> list[list[float]]: ...


def assign(ids: list[int], vectors: np.ndarray, earlier: Grouped, threshold: float = SAME_QUESTION) -> list[int]:
    """The group of each new question, in order: that of its nearest earlier question (the
    new ones before it included) when similar enough, else its own id."""
    to_earlier = vectors @ earlier.vectors.T  # (new, earlier): one product for the batch
    to_new = vectors @ vectors.T  # (new, new): a question may join one asked in the same pass
    groups: list[int] = []
    for i, question_id in enumerate(ids):
        candidates = [(float(to_new[i, j]), groups[j]) for j in range(i)]
        if len(earlier.groups):
            nearest = int(np.argmax(to_earlier[i]))
            candidates.append((float(to_earlier[i, nearest]), earlier.groups[nearest]))
        similarity, group = max(candidates, default=(-1.0, question_id))
        groups.append(group if similarity >= threshold else question_id)
    return groups


async def group_declined(store: Stores, encoder: QuestionEncoder, batch: int = BATCH,
                         max_batches: int = MAX_BATCHES) -> int:
    """Group the declined questions not grouped yet (up to `max_batches` of `batch`); how many."""
    groups = store.groups
    earlier: Grouped | None = None
    done = 0
    for _ in range(max_batches):
        pending = await groups.ungrouped(batch)
        if not pending:
            break
        ids = [question_id for question_id, _ in pending]
        vectors = np.asarray(await encoder.embed_questions([q for _, q in pending]), dtype=np.float32)
        if earlier is None:  # read once a run; this run's questions are added as they are grouped
            earlier = await groups.grouped(vectors.shape[1])
        assigned = assign(ids, vectors, earlier)
        await groups.save(ids, assigned, vectors)
        earlier = Grouped(earlier.ids + ids, earlier.groups + assigned, np.vstack([earlier.vectors, vectors]))
        done += len(pending)
        if len(pending) < batch:
            break
    return done


async def group_once(store: Stores, encoder: QuestionEncoder, now: float | None = None) -> bool:
    """Group the declined questions unless another worker did this period; True if here."""

    async def job() -> None:
        grouped = await group_declined(store, encoder)
        if grouped:
            logger.info("grouped %d declined questions", grouped)

    return await run_once(store, GROUPING_JOB, GROUPING_PERIOD_S, job, now)


async def grouping_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's callback. A failure (the encoder, the database) is logged and the
    questions stay ungrouped, grouped by their words on the page, until the next period."""
    state: BotState = state_of(context)
    try:
        await group_once(state.db, state.services)
    except Exception:
        logger.exception("grouping the declined questions failed; the next period tries again")


def schedule_grouping(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Group declined questions every GROUPING_PERIOD_S, once across workers (post_init)."""
    queue = application.job_queue
    if queue is None or queue.get_jobs_by_name(GROUPING_JOB):
        return
    queue.run_repeating(grouping_job, interval=GROUPING_PERIOD_S, first=GROUPING_FIRST_S, name=GROUPING_JOB)
