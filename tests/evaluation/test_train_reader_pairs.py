"""`train_reader --pairs`: pairs made elsewhere (`qabot export-training`) join the set's in the fold of
their article, are trained on or held out with it, reported apart and named in the manifest. One
training step on a few pairs, as the reader's smoke test (the full training is not in the suite)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from evaluation import train_reader
from evaluation.reader_data import Pair, fold_of, load, pairs_sha256, read_pairs
from tests.answering.test_reader import CORPUS, ROWS

FOLDS = 7  # alep.txt and ecb.txt fall in different folds of 7 (3 and 4)
VOTED = [
    Pair("bot-1", "Combien de civils ont fui Alep ?", "Depuis le début de l’offensive, 130 000 civils ont fui Alep.",
         "", 1, (32, 39), "alep.txt", 0, "voted-up"),
    Pair("bot-2", "Quel taux la BCE a-t-elle gardé ?", "The European Central Bank kept its deposit rate unchanged "
         "at 2.25% on Thursday, after eight cuts in a row since June 2024.", "", 0, None, "ecb.txt", 0, "voted-down"),
]


def test_pairs_held_out_with_their_article_are_reported_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    torch.set_num_threads(1)
    assert fold_of("alep.txt", FOLDS) == 3 and fold_of("ecb.txt", FOLDS) == 4
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (tmp_path / "q.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    (tmp_path / "voted.jsonl").write_text("".join(json.dumps(asdict(p), ensure_ascii=False) + "\n" for p in VOTED),
                                          encoding="utf-8")
    extra = read_pairs(tmp_path / "voted.jsonl", FOLDS)
    assert extra == [replace(p, fold=fold_of(str(p.article), FOLDS)) for p in VOTED]

    assert train_reader.main([
        "--fold", "3", "--folds", str(FOLDS), "--questions", str(tmp_path / "q.jsonl"), "--corpus", str(corpus),
        "--pairs", str(tmp_path / "voted.jsonl"), "--layers", "2", "--adapted", "1", "--batch", "200",
        "--threads", "1", "--out", str(tmp_path / "adapter"),
    ]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["held_out_pairs"]["pairs"] == 1 and report["held_out_pairs"]["positives"] == 1
    assert report["held_out"]["pairs"] > 1  # the set's held-out pairs beside it

    manifest = json.loads((tmp_path / "adapter" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pairs_files"] == [{"path": str(tmp_path / "voted.jsonl"), "pairs": 2, "sha256": pairs_sha256(extra)}]
    assert manifest["figures"]["train_pairs"] == report["train_pairs"]
    # trained on the other folds: ecb.txt's voted pair and the off-corpus question's, never alep.txt's
    trained = [p for p in load(tmp_path / "q.jsonl", corpus, FOLDS) if p.fold != 3]
    assert report["train_pairs"] == len(trained) + 1
