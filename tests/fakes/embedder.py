"""A deterministic embedder for exact-rank unit tests: hashed bag of folded words, L2-normalised."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class HashingEmbedder:
    """Same interface as retrieval.encoders.embedding's backends; counts its calls for incremental tests."""

    def __init__(self, dimension: int = 64, max_tokens: int = 512, name: str = "fake/hashing") -> None:
        self.name = name
        self.backend = "fake"
        self.dimension = dimension
        self.max_tokens = max_tokens
        self.passage_calls = 0
        self.passages_embedded = 0
        self.query_calls = 0

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text)) + 2

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        for word in _WORD.findall(_fold(text)):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vec[int.from_bytes(digest, "little") % self.dimension] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passage_calls += 1
        self.passages_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        self.query_calls += 1
        return self._vector(text)
