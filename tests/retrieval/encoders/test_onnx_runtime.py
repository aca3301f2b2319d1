"""EMBEDDING_RUNTIME=onnx|onnx-int8: exported once into the cache folder, offline, close to PyTorch.

The export tests need the `onnx` extra (`pip install -e '.[onnx]'`), which `make install` leaves
out: optimum-onnx pins transformers 4.x, so it resolves sentence-transformers 5.x instead of the
6.x the base install runs. Without it they are skipped; the error and the CPU preset are always
tested.
"""

from __future__ import annotations

import importlib.util
import platform
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.encoders import embedding
from retrieval.encoders.embedding import SentenceTransformerEmbedder, cpu_flags, int8_preset
from retrieval.encoders.model_cache import ModelCache
from retrieval.errors import EmbeddingUnavailable

SENTENCES = [
    "Combien de civils ont fui Alep ?",
    "Plus de 130 000 civils ont quitté la ville depuis le début de l'offensive.",
    "Le métro de Tokyo transporte chaque jour des millions de voyageurs.",
    "La cathédrale Notre-Dame de Paris a rouvert ses portes après l'incendie.",
]


def _onnx_installed() -> bool:
    try:
        return importlib.util.find_spec("optimum.onnxruntime") is not None
    except ModuleNotFoundError:  # optimum itself is absent
        return False


needs_onnx = pytest.mark.skipif(
    not _onnx_installed(),
    reason="the onnx extra is not installed (pip install -e '.[onnx]'); make install leaves it out",
)


def test_missing_onnx_runtime_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "optimum.onnxruntime", None)  # import now raises ImportError
    with pytest.raises(EmbeddingUnavailable, match=r"pip install -e '\.\[onnx\]'"):
        SentenceTransformerEmbedder(runtime="onnx", cache=ModelCache(tmp_path))


def test_unknown_runtime_lists_the_choices() -> None:
    with pytest.raises(EmbeddingUnavailable, match="torch, onnx, onnx-int8"):
        SentenceTransformerEmbedder(runtime="tensorrt")


@pytest.mark.parametrize(
    ("flags", "machine", "preset"),
    [
        ({"avx2", "fma"}, "x86_64", "avx2"),
        ({"avx2", "avx512f", "avx512bw"}, "x86_64", "avx512"),
        ({"avx2", "avx512f", "avx512bw", "avx512_vnni"}, "x86_64", "avx512_vnni"),
        (set(), "aarch64", "arm64"),
    ],
)
def test_int8_preset_follows_the_cpu(flags: set[str], machine: str, preset: str) -> None:
    assert int8_preset(frozenset(flags), machine) == preset


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2\n", encoding="utf-8")
    assert cpu_flags(cpuinfo) == {"fpu", "sse2", "avx2"}
    assert cpu_flags(tmp_path / "missing") == frozenset()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    cosines: np.ndarray = np.sum(a * b, axis=1)  # both L2-normalised
    return cosines


@needs_onnx
def test_onnx_runtimes_export_once_offline_and_match_torch(
    minilm_embedder: SentenceTransformerEmbedder, no_network: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "models"
    reference = minilm_embedder.embed_passages(SENTENCES)

    onnx = SentenceTransformerEmbedder(runtime="onnx", cache=ModelCache(cache))
    assert onnx.name == "all-MiniLM-L6-v2+onnx"
    assert _cosines(reference, onnx.embed_passages(SENTENCES)).min() > 0.99
    int8 = SentenceTransformerEmbedder(runtime="onnx-int8", cache=ModelCache(cache))
    assert int8.name == "all-MiniLM-L6-v2+onnx-int8"
    # Dynamic int8 loses a little; retrieval quality is measured in benchmarks/bench_onnx.py.
    assert _cosines(reference, int8.embed_passages(SENTENCES)).min() > 0.95

    (folder,) = cache.iterdir()
    assert sorted(p.name for p in (folder / "onnx").iterdir()) == sorted(
        ["model.onnx", Path(embedding.quantised_file(int8_preset(cpu_flags(), platform.machine()))).name]
    )
    bundled = Path(embedding._resolve_st_model("")[0])
    assert not (bundled / "onnx").exists(), "the export must not be written next to the bundled model"

    def no_second_export(*_: object) -> None:
        raise AssertionError("the cached export should have been reused")

    monkeypatch.setattr(embedding, "export_onnx", no_second_export)
    monkeypatch.setattr(embedding, "quantise_onnx", no_second_export)
    again = SentenceTransformerEmbedder(runtime="onnx-int8", cache=ModelCache(cache))
    assert np.allclose(again.embed_query(SENTENCES[0]), int8.embed_query(SENTENCES[0]), atol=1e-5)
