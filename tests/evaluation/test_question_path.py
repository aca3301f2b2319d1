"""The path of a question as docs/ARCHITECTURE.md tells it is the path the code runs: the count
there is the tracer's, and below the front door no front end's code runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluation.question_path import QUESTION, SEEDS, trace

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


@pytest.fixture(scope="module")
def path() -> dict[str, object]:
    return trace(QUESTION, SEEDS)


def test_architecture_states_the_traced_count(path: dict[str, object]) -> None:
    stated = re.search(r"\*\*(\d+) files below the front door\*\*", ARCHITECTURE.read_text(encoding="utf-8"))
    assert stated is not None, "docs/ARCHITECTURE.md no longer states the path's count"
    calls = path["calls"]
    assert isinstance(calls, dict)
    assert int(stated.group(1)) == path["count"], f"the question passes through: {sorted(calls)}"


def test_each_stage_is_on_the_path_and_no_front_end_below_the_door(path: dict[str, object]) -> None:
    calls = path["calls"]
    assert isinstance(calls, dict)
    files = set(calls)
    # One file per stage: the pipeline, reading the question, the search, the answer's contract.
    assert {"answering/service.py", "answering/query.py", "retrieval/search.py", "answering/protocol.py"} <= files
    assert not {f for f in files if f.split("/")[0] in ("bot", "cli", "web")}
