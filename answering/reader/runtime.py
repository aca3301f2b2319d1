"""The trained reader at answering time: loaded once, it reads (question, sentence) pairs.

For each candidate sentence (with the sentence before it, as in training) it says how likely
the sentence answers the question, and which of its words are the answer with how sure it is
of them. The span is offered only as a lead to quote: the caller decides when it is sure
enough to put it in bold (a lead must be right, or absent).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from answering.reader.model import MAX_ANSWER_TOKENS, Encoded, PairEncoder, batch, best_span

if TYPE_CHECKING:
    from answering.reader.model import ReaderModel


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


class TorchReader:
    """The reader in PyTorch, the adapter merged into the base weights once at load."""

    def __init__(
        self, model: ReaderModel, encoder: PairEncoder, manifest: dict[str, Any], threads: int = 2, batch_size: int = 16
    ) -> None:
        self.manifest = manifest
        self._model = model
        torch_threads(threads)
        self._encoder = encoder
        self._batch_size = batch_size
        self._lock = threading.Lock()  # one forward at a time: torch's threads are the parallelism

    @classmethod
    def load(cls, folder: Path, threads: int = 2) -> TorchReader:
        from answering.reader.store import load_adapter

        model, encoder, manifest = load_adapter(folder)
        return cls(model, encoder, manifest, threads)

    def read(self, question: str, candidates: Sequence[Candidate]) -> list[Reading]:
        import torch

        encoded = [self._encoder.encode(question, c.sentence, c.before) for c in candidates]
        readings: list[Reading] = []
        with self._lock, torch.inference_mode():
            for first in range(0, len(encoded), self._batch_size):
                chunk = encoded[first : first + self._batch_size]
                answer, start, end = self._model(*batch(chunk))
                for row, pair in enumerate(chunk):
                    readings.append(_reading(
                        float(answer[row]), start[row], end[row], pair, candidates[first + row].sentence
                    ))
        return readings


def torch_threads(threads: int) -> None:
    """PyTorch's intra-op threads for the process (the reader is its only PyTorch model at
    answering time), set once when the reader loads rather than on every read."""
    import torch

    torch.set_num_threads(threads)


def _reading(logit: float, start: Any, end: Any, pair: Encoded, sentence: str) -> Reading:
    import torch

    span = best_span(start, end, pair.sentence)
    first, last = pair.sentence
    starts = torch.softmax(start[first : last + 1], dim=-1)
    ends = torch.softmax(end[first : last + 1], dim=-1)
    sure = float(starts[span[0] - first] * ends[span[1] - first])
    answer = pair.quote(sentence, span).strip(" ,;:") if span[1] - span[0] < MAX_ANSWER_TOKENS else None
    return Reading(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit)))), answer or None, sure)
