"""The reader's trained part on disk: `adapter.safetensors` (LoRA and heads) and `manifest.json`
(base weights' and training data's sha256, the command, the seed, the shape, the figures)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from answering.reader.model import ReaderModel, ReaderShape, build_reader

ADAPTER = "adapter.safetensors"
MANIFEST = "manifest.json"


def trained_state(model: ReaderModel) -> dict[str, Any]:
    """The tensors training changes: the adapter's and the heads'."""
    return {name: p.detach().contiguous() for name, p in model.named_parameters() if p.requires_grad}


def save_adapter(model: ReaderModel, folder: Path, manifest: dict[str, object]) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file(trained_state(model), str(folder / ADAPTER))
    full = {"format": 1, "shape": asdict(model.shape), **manifest}
    (folder / MANIFEST).write_text(json.dumps(full, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_adapter(folder: Path, model_file: Path | None = None) -> tuple[ReaderModel, Any, dict[str, Any]]:
    """The reader as trained: base rebuilt, adapter and heads loaded (refused when the base
    weights are not the ones it was trained on)."""
    from safetensors.torch import load_file

    manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    model, encoder, base = build_reader(ReaderShape(**manifest["shape"]), seed=0, model_file=model_file)
    if base != manifest["base_sha256"]:
        raise ValueError(f"{folder} was trained on base weights {manifest['base_sha256'][:12]}, not {base[:12]}.")
    trained = load_file(str(folder / ADAPTER))
    missing = set(trained_state(model)) - set(trained)
    if missing:
        raise ValueError(f"{folder / ADAPTER} lacks {len(missing)} trained tensors (e.g. {sorted(missing)[0]}).")
    model.load_state_dict(trained, strict=False)
    return model.eval(), encoder, manifest
