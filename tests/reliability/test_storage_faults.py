"""A full disk or a read-only INDEX_DIR during a re-index: one sentence (CLI and Telegram), the
index in use keeps answering, nothing half-built is left behind.

The faults are real where a test can make them real: SQLite's own "database or disk is full"
comes from capping the new generation's database (`PRAGMA max_page_count`). A read-only folder
cannot be made for root (CI and this machine run tests as root, and root writes anyway), so the
OS's PermissionError is raised where opening the re-index lock would raise it.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cli import main as cli
from qabot.services import build_services
from retrieval.local import indexer
from retrieval.local.index import IndexStore, connect_rw
from tests.fakes.embedder import HashingEmbedder
from tests.reliability.conftest import (
    ADMIN,
    GRENOBLE_Q,
    FaultyTelegram,
    live_bot,
    make_live_settings,
)

LONG_ARTICLE = " date 2020-05 Un long article\n\n" + "Une phrase de remplissage sur la météo du jour. " * 600


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next generation's database cannot grow: SQLite reports a full disk as soon as an
    article's text needs a new page (LONG_ARTICLE does)."""
    real = connect_rw

    def capped(path: Path) -> sqlite3.Connection:
        db = real(path)
        (pages,) = db.execute("PRAGMA page_count").fetchone()
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(indexer, "connect_rw", capped)


def make_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    @contextmanager
    def refused(self: IndexStore) -> Iterator[None]:
        raise PermissionError(errno.EACCES, "Permission denied", str(self.root / "reindex.lock"))
        yield  # pragma: no cover

    monkeypatch.setattr(IndexStore, "reindex_lock", refused)


FAULTS: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], str]] = {
    "disk-full": (fill_the_disk, "the disk is full"),
    "read-only": (make_read_only, "permission denied on"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_cli_index_says_one_sentence_and_the_old_index_serves(
    fault: str, monkeypatch: pytest.MonkeyPatch, make_settings: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings()
    (settings.articles_dir / "long.txt").write_text(LONG_ARTICLE, encoding="utf-8")
    live = build_services(settings, embedder=HashingEmbedder()).reindex_now().generation
    monkeypatch.setenv("ARTICLES_DIR", str(settings.articles_dir))
    monkeypatch.setenv("INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))

    inject, detail = FAULTS[fault]
    inject(monkeypatch)
    assert cli.main(["index", "--full"]) == 1
    err = capsys.readouterr().err.rsplit("\r", 1)[-1].lstrip()  # after the progress bar's last redraw
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"qabot: The re-index could not write to INDEX_DIR {settings.index_dir} ({detail}")
    assert "keeps answering" in err
    monkeypatch.undo()
    store = IndexStore(settings.index_dir)
    assert store.current_name() == live
    store.open().close()  # still whole and verified
    assert not list(settings.index_dir.glob("*.tmp"))


@pytest.mark.parametrize("fault", FAULTS)
async def test_telegram_reindex_says_one_sentence_and_questions_are_still_answered(
    fault: str, faulty_telegram: FaultyTelegram, make_settings: Callable[..., Any], corpus_dir: Path,
    no_network: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    tg = faulty_telegram
    settings = make_live_settings(make_settings, tg)
    (corpus_dir / "long.txt").write_text(LONG_ARTICLE, encoding="utf-8")
    build_services(settings, embedder=HashingEmbedder()).reindex_now()
    inject, detail = FAULTS[fault]
    async with live_bot(settings, tg, reindex=False) as bot:
        inject(monkeypatch)
        tg.message("/reindex full", chat_id=ADMIN)
        failed = await tg.wait_for(
            lambda: [m for m in tg.sent(ADMIN) if "Réindexation échouée" in m.visible], within=60
        )
        assert detail in failed[0].visible and "keeps answering" in failed[0].visible, failed[0].visible
        assert "quelque chose s'est mal passé" not in failed[0].visible
        tg.message(GRENOBLE_Q, chat_id=8)
        await tg.wait_answers(8, 1)
        assert "5 millions" in tg.answers(8)[0].visible
        await bot.settle()
        assert not bot.unexpected_errors and tg.rejected == []
