"""`qabot run` checks the index before serving: a damaged one is named, with the repair."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from qabot.commands.run import check_index
from qabot.services import build_services
from tests.fakes.embedder import HashingEmbedder


def test_a_damaged_index_is_reported_at_start_with_the_repair(
    make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    build_services(settings, embedder=HashingEmbedder(), with_answers=False).reindex()
    [faiss_file] = settings.index_dir.glob("gen-*/dense.faiss")
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])  # truncated

    check_index(build_services(settings, embedder=HashingEmbedder(), with_answers=False))
    assert "qabot index --full" in capsys.readouterr().err


def test_a_missing_index_is_reported_at_start(
    make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    check_index(build_services(make_settings(), embedder=HashingEmbedder(), with_answers=False))
    assert "qabot index" in capsys.readouterr().err


def test_a_sound_index_starts_quietly(make_settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings()
    build_services(settings, embedder=HashingEmbedder(), with_answers=False).reindex()
    check_index(build_services(settings, embedder=HashingEmbedder(), with_answers=False))
    assert capsys.readouterr().err == ""
