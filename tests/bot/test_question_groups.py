"""Declined questions grouped by meaning by the background job (bot/question_groups.py), on
each backend, with the deterministic encoder (the real e5: tests/web/test_desk_groups.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence

import numpy as np
import pytest
import sqlalchemy as sa

from answering.protocol import Answer
from bot.jobs import slot_of
from bot.question_groups import (
    GROUPING_JOB,
    GROUPING_PERIOD_S,
    assign,
    group_declined,
    group_once,
)
from qabot.settings import Settings
from qabot.stores import Grouped, Stores, database
from retrieval.encoders.embedding import question_vectors
from tests.fakes.embedder import HashingEmbedder


class Encoder:
    """The front door's `embed_questions` over the hashing embedder, counting what it reads."""

    def __init__(self) -> None:
        self.embedder = HashingEmbedder()
        self.read: list[str] = []

    async def embed_questions(self, texts: Sequence[str]) -> list[list[float]]:
        self.read += texts
        return question_vectors(self.embedder, texts)


def declined(question: str) -> Answer:
    return Answer(question=question, text="Je ne trouve pas la réponse dans les articles.", citations=[],
                  answered=False, language="fr", answerer="extractive")


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Stores]:
    opened = await Stores.open(database_url)
    yield opened
    await opened.close()


def test_a_question_joins_the_group_of_its_nearest_earlier_one_when_near_enough() -> None:
    earlier = Grouped(ids=[1, 2], groups=[1, 1], vectors=np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0]], dtype=np.float32))
    new = np.array([[0.79, 0.61, 0.0], [0.0, 0.0, 1.0], [0.0, 0.1, 0.995]], dtype=np.float32)
    # 3 is nearest 2 (group 1); 4 is near nothing: a group of its own; 5 joins 4, new in this pass.
    assert assign([3, 4, 5], new, earlier, threshold=0.9) == [1, 4, 4]
    assert assign([3], new[:1], Grouped([], [], np.zeros((0, 3), dtype=np.float32)), threshold=0.9) == [3]


async def test_the_job_groups_declined_questions_once_across_workers(store: Stores, database_url: str) -> None:
    other = await Stores.open(database_url)  # a second worker on the same database
    encoder = Encoder()
    try:
        for question in ("Qui a gagné l'Eurovision 2019 ?", "L'Eurovision 2019 : qui a gagné ?",
                         "Quel est le prix du ticket de métro ?"):
            await store.answers.save_answer(5, 6, declined(question))
        desk = store.asked
        # Before the job: grouped by their words only (the two Eurovision wordings differ).
        assert sorted(g.count for g in await desk.unanswered_groups(10)) == [1, 1, 1]

        now = 10 * GROUPING_PERIOD_S
        ran = await asyncio.gather(group_once(store, encoder, now), group_once(other, encoder, now + 1))
        assert sorted(ran) == [False, True]
        assert len(encoder.read) == 3  # each question embedded once, by one worker

        groups = await desk.unanswered_groups(10)
        assert [(g.count, len(g.wordings)) for g in groups] == [(2, 2), (1, 1)]
        assert "Eurovision" in groups[0].question and "métro" in groups[1].question

        # A question stored after the run shows by its words until the next period's run.
        await store.answers.save_answer(5, 7, declined("2019 : l'Eurovision, qui a gagné ?"))
        assert sorted(g.count for g in await desk.unanswered_groups(10)) == [1, 1, 2]
        assert await group_once(other, encoder, now + 2) is False  # same period: not again
        assert await group_once(other, encoder, now + GROUPING_PERIOD_S) is True
        assert encoder.read[3:] == ["2019 : l'Eurovision, qui a gagné ?"]
        assert [g.count for g in await desk.unanswered_groups(10)] == [3, 1]

        # Each period claims a row; those two periods back are dropped as the job runs on.
        assert await group_once(store, encoder, now + 3 * GROUPING_PERIOD_S) is True
        with store.db.connection() as db:
            slots = db.execute(sa.select(database.job_runs.c.slot).where(database.job_runs.c.name == GROUPING_JOB)).all()
        assert sorted(s[0] for s in slots) == [slot_of(GROUPING_PERIOD_S, now + p * GROUPING_PERIOD_S) for p in (1, 3)]
    finally:
        await other.close()


async def test_a_backlog_is_grouped_in_batches_each_seeing_the_ones_before(store: Stores) -> None:
    questions = ["Qui a gagné l'Eurovision 2019 ?", "Quel est le prix du ticket de métro ?",
                 "Où se déroulent les Jeux olympiques de 2024 ?", "Quand ont lieu les municipales ?",
                 "2019 : l'Eurovision, qui a gagné ?"]
    for question in questions:
        await store.answers.save_answer(5, 6, declined(question))
    encoder = Encoder()
    assert await group_declined(store, encoder, batch=2) == 5
    assert await group_declined(store, encoder, batch=2) == 0  # nothing left: nothing embedded again
    assert encoder.read == questions
    groups = await store.asked.unanswered_groups(10)
    assert [g.count for g in groups] == [2, 1, 1, 1]
    assert set(groups[0].wordings) == {questions[0], questions[4]}  # the fifth, two batches later


async def test_the_front_door_embeds_questions_with_its_question_encoder(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    from qabot.services import build_services

    with build_services(make_settings(), embedder=fake_embedder) as services:
        vectors = await services.embed_questions(["Qui a gagné l'Eurovision 2019 ?", "Le prix du métro ?"])
    assert fake_embedder.query_calls == 2  # read as questions ("query: " for e5), not passages
    assert [round(float(np.linalg.norm(v)), 5) for v in vectors] == [1.0, 1.0]
    assert np.allclose(vectors[0], fake_embedder.embed_query("Qui a gagné l'Eurovision 2019 ?"))
