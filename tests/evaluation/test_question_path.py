"""The path of a question as docs/ARCHITECTURE.md tells it is the path the code runs: the counts
there (files, the French analyser's passes) are the tracer's, and below the front door no front
end's code runs."""

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


def test_architecture_states_the_analysers_passes(path: dict[str, object]) -> None:
    """Each piece of text is read by the French analyser once: the question, the candidate
    sentences together, each placed lead's words, the citation check's texts. The count on
    the page is the trace's (every analysis is one `analyze_each` pass)."""
    stated = re.search(r"\*\*(\d+) passes of the French analyser\*\*", ARCHITECTURE.read_text(encoding="utf-8"))
    assert stated is not None, "docs/ARCHITECTURE.md no longer states the analyser's passes"
    functions = path["functions"]
    assert isinstance(functions, dict)
    callers = {key: n for key, n in functions.items() if key.startswith("retrieval/text.py:analyze")}
    assert int(stated.group(1)) == functions["retrieval/text.py:analyze_each"], f"the analyser's calls: {callers}"
