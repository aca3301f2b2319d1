"""The learned reader's foundation: its training pairs, and one training step that writes an
adapter and a manifest which reload to the same outputs (the full training is not in the suite)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from answering.reader import load_adapter, save_adapter
from answering.reader.model import ReaderShape
from evaluation.reader_data import build_pairs, fold_of, pairs_sha256
from evaluation.train_reader import Training, auc, encode_all, figures, predict, train
from tests.conftest import SEED_ARTICLE

ECB = Path(__file__).parent / "data" / "ecb-rates.txt"
CORPUS = {"alep.txt": SEED_ARTICLE.read_text(encoding="utf-8"), "ecb.txt": ECB.read_text(encoding="utf-8")}
PARAGRAPH = (
    "Depuis le début de l’offensive, 130 000 civils ont fui Alep. Selon l’OSDH, l’opération militaire aurait coûté "
    "la vie à plus de 415 civils à Alep-Est, et 130 à Alep-Ouest."
)
ROWS: list[dict[str, object]] = [
    {"id": "q1", "question": "Combien de civils ont fui Alep ?", "answers": ["130 000"], "article": "alep.txt",
     "context": PARAGRAPH, "answerable": True},
    {"id": "q2", "question": "Combien de civils sont morts à Alep-Est ?", "answers": ["415"], "article": "alep.txt",
     "context": PARAGRAPH, "answerable": True},
    {"id": "q3", "question": "At what level did the ECB keep its deposit rate?", "answers": ["2.25%"],
     "article": "ecb.txt", "context": "The European Central Bank kept its deposit rate unchanged at 2.25% on Thursday, "
     "after eight cuts in a row since June 2024.", "answerable": True},
    {"id": "q4", "question": "Quel est le prix d'un ticket de métro à Alep ?", "answers": ["200 yens"],
     "article": None, "answerable": False},
]


def test_pairs_label_answer_sentences_with_their_span_and_the_rest_as_negatives() -> None:
    pairs = build_pairs(ROWS, CORPUS, folds=5)
    fled = [p for p in pairs if p.question_id == "q1"]
    positives = [p for p in fled if p.label]
    assert [p.sentence for p in positives] == ["Depuis le début de l’offensive, 130 000 civils ont fui Alep."]
    span = positives[0].answer
    assert span is not None and positives[0].sentence[span[0] : span[1]] == "130 000"
    assert {p.group for p in fled} >= {"answer", "paragraph", "article"}
    assert all(not p.label and "130 000" not in p.sentence for p in fled if p.group != "answer")
    rate = next(p for p in pairs if p.question_id == "q3" and p.label)
    assert rate.answer is not None and rate.sentence[rate.answer[0] : rate.answer[1]] == "2.25%"
    off = [p for p in pairs if p.question_id == "q4"]
    assert off and all(p.group == "off-corpus" and not p.label for p in off)
    # folds by article: every pair of an article in one fold; the same pairs, the same sha256
    assert {p.fold for p in pairs if p.article == "alep.txt"} == {fold_of("alep.txt", 5)}
    assert pairs_sha256(build_pairs(ROWS, CORPUS, folds=5)) == pairs_sha256(pairs)
    assert pairs_sha256(build_pairs(ROWS[:2], CORPUS, folds=5)) != pairs_sha256(pairs)


def test_auc_counts_ties_half() -> None:
    assert auc([0.9, 0.8, 0.1], [1, 0, 0]) == 1.0
    assert auc([0.5, 0.5], [1, 0]) == 0.5
    assert auc([0.1, 0.9], [1, 0]) == 0.0


def test_one_training_step_writes_an_adapter_that_reloads_to_the_same_outputs(tmp_path: Path) -> None:
    import torch

    torch.set_num_threads(1)
    pairs = build_pairs(ROWS, CORPUS, folds=5)
    assert 12 <= len(pairs) <= 60
    shape = ReaderShape(layers=2, adapted=1, max_tokens=96)
    trained = train(pairs, shape, Training(batch=len(pairs), seed=3, max_steps=1))
    assert len(trained.losses) == 1 and math.isfinite(trained.losses[0])
    save_adapter(trained.model, tmp_path, {"base_sha256": trained.base_sha256, "data_sha256": pairs_sha256(pairs),
                                           "command": "test", "seed": 3, "figures": {}})
    adapter = tmp_path / "adapter.safetensors"
    assert adapter.is_file() and adapter.stat().st_size < 5_000_000
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["shape"]["layers"] == 2 and len(manifest["base_sha256"]) == 64

    encoded = encode_all(trained.encoder, pairs)
    before = predict(trained.model, encoded)
    model, encoder, _ = load_adapter(tmp_path)
    after = predict(model, encode_all(encoder, pairs))
    assert [s for _, s in after] == [s for _, s in before]
    assert max(abs(a - b) for (a, _), (b, _) in zip(after, before, strict=True)) < 1e-5
    assert 0.0 <= figures(pairs, encoded, after)["span_token_f1"] <= 1.0
