"""The index backends stay apart: retrieval/local/ and retrieval/qdrant/ build on the top level
(the contract, the pipeline, what both share) and never import each other, so either can change,
or go, alone; answering/ reads passages through the contract and imports neither. Read from the
source (ast), as tests/qabot/test_edges.py reads the front ends."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT
from tests.qabot.test_edges import imports

BACKENDS = ("local", "qdrant")


def sibling_imports(backend: str, source: str) -> list[str]:
    """What `source` (a file of retrieval/`backend`/) imports of another backend."""
    return backend_imports([b for b in BACKENDS if b != backend], source)


def backend_imports(backends: list[str], source: str) -> list[str]:
    """What `source` imports of `backends` (their modules or names)."""
    others = [f"retrieval.{b}" for b in backends]
    found = []
    for line, module, name in sorted(imports(ast.parse(source)), key=lambda found: found[0]):
        target = f"{module}.{name}" if name is not None else module
        if any(target == other or target.startswith(f"{other}.") for other in others):
            found.append(f"{line}: {target}")
    return found


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backend_never_imports_the_other(backend: str) -> None:
    files = sorted((ROOT / "retrieval" / backend).rglob("*.py"))
    assert files
    leaks = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := sibling_imports(backend, path.read_text(encoding="utf-8")))
    }
    assert leaks == {}


def test_the_walk_sees_a_sibling_import_however_written() -> None:
    leaky = (
        "from retrieval.local.indexer import compare_files\n"
        "def build():\n    from retrieval import local\n"
        "import retrieval.local.index\n"
    )
    assert sibling_imports("qdrant", leaky) == [
        "1: retrieval.local.indexer.compare_files", "3: retrieval.local", "4: retrieval.local.index",
    ]
    shared = "from retrieval.reindexing import compare_files\nfrom retrieval.search import IndexView\n"
    assert sibling_imports("qdrant", shared) == []
    assert sibling_imports("local", "from retrieval.qdrant.index import QdrantIndex\n") == [
        "1: retrieval.qdrant.index.QdrantIndex"
    ]


def test_answering_imports_no_backend() -> None:
    files = sorted((ROOT / "answering").rglob("*.py"))
    leaks = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := backend_imports(list(BACKENDS), path.read_text(encoding="utf-8")))
    }
    assert leaks == {}
    assert backend_imports(list(BACKENDS), "from retrieval.local.index import sha256_file\n") == [
        "1: retrieval.local.index.sha256_file"
    ]
