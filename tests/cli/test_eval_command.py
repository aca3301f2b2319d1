"""`qabot eval` end to end: ten questions, three articles, the real default model, the extractive
answerer; a second run reuses the cached index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.main import main

DATA = Path(__file__).resolve().parents[1] / "evaluation" / "data"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    out = tmp_path_factory.mktemp("eval")
    report_path = out / "report.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(out)  # DATA_DIR defaults to ./var: the cache lands in the temporary folder
        code = main(["eval", "--questions", str(DATA / "questions.jsonl"), "--corpus", str(DATA / "corpus"),
                     "--answers", "--json", str(report_path)])
    assert code == 0
    return out, json.loads(report_path.read_text(encoding="utf-8")), str(report_path)


def test_report_has_retrieval_figures_for_every_mode(first_run: tuple[Path, dict[str, Any], str]) -> None:
    _, report, _ = first_run
    assert report["count"] == 10 and report["answerable"] == 7
    assert report["index"]["articles"] == 3
    retrieval = report["retrieval"]
    assert set(retrieval) == {"hybrid", "dense", "bm25"}
    for figures in retrieval.values():
        assert figures["questions"] == 7
        assert 0.0 <= figures["recall@1"] <= figures["recall@5"] <= figures["recall@10"] <= 1.0
        assert figures["article_recall@5"] >= figures["recall@5"]
        assert figures["latency_ms"]["p50"] > 0
    # Three short articles: every answer is within the first ten passages.
    assert retrieval["hybrid"]["recall@10"] == 1.0


def test_report_has_answer_figures(first_run: tuple[Path, dict[str, Any], str]) -> None:
    _, report, _ = first_run
    answers = report["answers"]
    assert answers["questions"] == 10
    assert answers["citation_validity"] == 1.0
    for key in ("accuracy", "token_f1", "citation_support", "unanswerable_declined", "answerable_wrongly_declined",
                "fact_first", "short_answer_shown", "short_answer_f1"):
        assert 0.0 <= answers[key] <= 1.0
    # Refusal by question group: this file has answerable and off-corpus questions only.
    assert set(answers["declined_by_group"]) <= {"answerable", "off-corpus"}
    assert {"retrieve", "total"} <= set(answers["latency_ms"])
    assert answers["fallbacks"] == {"unreachable": 0, "timeout": 0, "uncited": 0, "busy": 0}


def test_table_and_plot_are_written(first_run: tuple[Path, dict[str, Any], str],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out, _, report_path = first_run
    assert (out / "report.png").read_bytes().startswith(b"\x89PNG")
    assert Path(report_path).exists()


def test_second_run_reuses_the_cached_index(first_run: tuple[Path, dict[str, Any], str],
                                            monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out, report, _ = first_run
    cache = Path(str(report["index_cache"]))
    generations = sorted(p.name for p in cache.iterdir() if p.name.startswith("gen-"))
    monkeypatch.chdir(out)
    assert main(["eval", "--questions", str(DATA / "questions.jsonl"), "--corpus", str(DATA / "corpus"),
                 "--mode", "bm25", "--limit", "4"]) == 0
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith("gen-")) == generations
    table = capsys.readouterr().out
    assert "bm25" in table and "hybrid" not in table


def test_report_counts_llm_fallbacks_by_cause(first_run: tuple[Path, dict[str, Any], str], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    out, _, _ = first_run
    monkeypatch.chdir(out)
    with FakeOpenAI() as fake:
        fake.default.content = "Une réponse sans aucune citation."  # every answer uncited
        for name, value in {"LLM_PROVIDER": "openai", "LLM_BASE_URL": fake.base_url, "LLM_MAX_RETRIES": "0"}.items():
            monkeypatch.setenv(name, value)
        report_path = tmp_path / "llm.json"
        assert main(["eval", "--questions", str(DATA / "questions.jsonl"), "--corpus", str(DATA / "corpus"),
                     "--mode", "bm25", "--answers", "--limit", "6", "--json", str(report_path)]) == 0
        asked = len(fake.requests)
    answers = json.loads(report_path.read_text(encoding="utf-8"))["answers"]
    # Every question the refusal policy let through reached the model and fell back as uncited.
    assert asked > 0 and answers["fallbacks"] == {"unreachable": 0, "timeout": 0, "uncited": asked, "busy": 0}


def test_a_missing_or_malformed_questions_file_is_one_sentence(tmp_path: Path) -> None:
    from evaluation.runner import BadQuestions, load_questions

    with pytest.raises(BadQuestions, match="Cannot read the questions file"):
        load_questions(tmp_path / "none.jsonl")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "1", "question": "Q ?", "answers": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(BadQuestions, match="line 2, is not JSON"):
        load_questions(broken)
    broken.write_text('{"question": "no id"}\n', encoding="utf-8")
    with pytest.raises(BadQuestions, match="line 1: expected an object"):
        load_questions(broken)


def test_the_report_names_the_model_the_answers_came_from(tmp_path: Path) -> None:
    from evaluation.runner import llm_model_label
    from qabot.settings import Settings

    gguf = tmp_path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    gguf.write_bytes(b"GGUF")
    base = Settings(_env_file=None).model_dump()
    local = Settings.model_construct(**{**base, "llm_provider": "local", "llm_model_path": gguf})
    assert llm_model_label(local) == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert llm_model_label(Settings.model_construct(**{**base, "llm_provider": "openai", "llm_model": "m"})) == "m"
    assert llm_model_label(Settings.model_construct(**{**base, "llm_provider": "none"})) is None


def test_an_index_cache_of_an_older_schema_is_not_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evaluation.runner import cache_key
    from qabot.settings import Settings
    from retrieval.local import index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Un article.\n", encoding="utf-8")
    settings = Settings(_env_file=None)
    now = cache_key(corpus, settings, "model")
    monkeypatch.setattr(index, "SCHEMA_VERSION", "older")
    assert cache_key(corpus, settings, "model") != now
