"""Bad article files and a damaged index, seen from Telegram. tests/retrieval covers each file kind
at the loader (test_articles.py) and the damaged FAISS and SQLite files at the index
(test_index.py); here the admin's `/reindex full` meets all the bad files at once, and a bot
started over a damaged index says what to do, then is repaired by `/reindex full`."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qabot.services import build_services
from retrieval.local.index import DB_FILE, DENSE_FILE
from tests.fakes.embedder import HashingEmbedder
from tests.reliability.conftest import (
    ADMIN,
    GRENOBLE_Q,
    FaultyTelegram,
    live_bot,
    make_live_settings,
)

HUGE_BYTES = 30 * 2**20  # over the default MAX_ARTICLE_BYTES (20 MB)
ACCENTED = " date 2023-05 Tombouctou\n\nLes manuscrits de Tombouctou ont été numérisés par une équipe malienne."
SECRET = "Le mot de passe du serveur est hunter2."


def write_bad_files(articles: Path, outside: Path) -> dict[str, str]:
    """Every kind of bad file in ARTICLES_DIR; the name each is skipped under, with its reason."""
    (articles / "vide.txt").write_text(" \n\t\n", encoding="utf-8")
    (articles / "binaire.md").write_bytes(bytes(range(256)) * 40)
    (articles / "latin1.txt").write_bytes("Été à Paris, café crème.".encode("latin-1"))
    with (articles / "énorme.txt").open("wb") as handle:  # real bytes, not a sparse file
        line = "Un article démesuré sur les pistes cyclables de Grenoble. ".encode() * 64 + b"\n"
        for _ in range(HUGE_BYTES // len(line) + 1):
            handle.write(line)
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    os.symlink(outside / "secret.txt", articles / "lien.txt")
    os.symlink(outside, articles / "dossier lié")  # a linked folder: not walked
    os.symlink("boucle-b.txt", articles / "boucle-a.txt")  # a loop: a -> b -> a
    os.symlink("boucle-a.txt", articles / "boucle-b.txt")
    (articles / "sous dossier").mkdir()
    (articles / "sous dossier" / "Été à Tombouctou, l'été.txt").write_text(ACCENTED, encoding="utf-8")
    return {"vide.txt": "empty", "binaire.md": "binary", "latin1.txt": "UTF-8", "énorme.txt": "too large",
            "lien.txt": "outside", "boucle-a.txt": "loop", "boucle-b.txt": "loop"}


async def test_bad_files_are_skipped_with_a_warning_and_the_reindex_completes(
    faulty_telegram: FaultyTelegram, make_settings: Callable[..., Any], corpus_dir: Path, tmp_path: Path,
    no_network: None, caplog: pytest.LogCaptureFixture,
) -> None:
    bad = write_bad_files(corpus_dir, tmp_path / "dehors")
    tg = faulty_telegram
    async with live_bot(make_live_settings(make_settings, tg), tg) as bot:
        caplog.clear()
        tg.message("/reindex full", chat_id=ADMIN)
        done = await tg.wait_for(lambda: [m for m in tg.sent(ADMIN) if "Réindexation terminée" in m.visible],
                                 within=60)
        assert f"{len(bad)} fichier(s) ignoré(s)" in done[0].visible, done[0].visible
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        for name, reason in bad.items():
            assert any(f"{name} reason=" in w and reason in w for w in warnings), (name, warnings)

        assert await bot.services.article("sous dossier/Été à Tombouctou, l'été.txt") is not None
        assert all([await bot.services.article(n) is None for n in (*bad, "dossier lié/secret.txt")])
        tg.message("Qui a numérisé les manuscrits de Tombouctou ?", chat_id=5)
        tg.message("Quel est le mot de passe du serveur ?", chat_id=6)
        await tg.wait_answers(5, 1)
        await tg.wait_answers(6, 1)
        await bot.settle()
        assert "numérisés" in tg.answers(5)[0].visible
        assert "hunter2" not in " ".join(m.text for m in tg.messages.values())
        assert not bot.unexpected_errors and tg.rejected == []


@pytest.mark.parametrize("damage", ["truncated-faiss", "corrupt-sqlite"])
async def test_a_damaged_index_says_to_rebuild_and_reindex_full_repairs_it(
    faulty_telegram: FaultyTelegram, make_settings: Callable[..., Any], corpus_dir: Path, no_network: None,
    damage: str,
) -> None:
    settings = make_live_settings(make_settings, faulty_telegram)
    report = build_services(settings, embedder=HashingEmbedder()).reindex_now()
    generation = settings.index_dir / report.generation
    if damage == "truncated-faiss":
        dense = generation / DENSE_FILE
        dense.write_bytes(dense.read_bytes()[: dense.stat().st_size // 2])
    else:
        database = generation / DB_FILE
        data = bytearray(database.read_bytes())
        data[200:260] = b"\xff" * 60
        database.write_bytes(bytes(data))

    tg = faulty_telegram
    async with live_bot(settings, tg, reindex=False) as bot:
        tg.message(GRENOBLE_Q, chat_id=8)
        tg.message(GRENOBLE_Q, chat_id=ADMIN)
        tg.message("/status", chat_id=ADMIN)
        await bot.settle()
        assert [m.visible for m in tg.sent(8)] == ["Ma bibliothèque d'articles n'est pas disponible pour le "
                                                   "moment. Réessayez plus tard."]
        admin = " ".join(m.visible for m in tg.sent(ADMIN))
        assert admin.count("run `qabot index --full`") == 2, admin  # the question and /status

        tg.message("/reindex full", chat_id=ADMIN)
        await tg.wait_for(lambda: any("Réindexation terminée" in m.visible for m in tg.sent(ADMIN)), within=60)
        tg.message(GRENOBLE_Q, chat_id=8)
        await tg.wait_answers(8, 1)
        assert "5 millions" in tg.answers(8)[0].visible
        await bot.settle()
        assert not bot.unexpected_errors and tg.rejected == []
