"""Delta generations: a re-index writes only what changed beside a base it shares, and reads
exactly as a full rebuild of the same articles would."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qabot.services import Services, build_services
from qabot.settings import Settings
from retrieval.local import indexer, lexical
from retrieval.local.index import DB_FILE, IndexStore
from retrieval.text import analyze
from tests.conftest import local_retriever
from tests.fakes.embedder import HashingEmbedder
from tests.retrieval.local.test_index import ALEPPO, write_articles

QUESTIONS = [ALEPPO, "Article numéro 3 sur la ville 3", "sujet 40", "Tombouctou et la ville 7", "offensive"]


def _manifest(settings: Settings, generation: str) -> dict[str, object]:
    manifest: dict[str, object] = json.loads((settings.index_dir / generation / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def _edit(articles_dir: Path, i: int, extra: str) -> None:
    target = articles_dir / f"extra_{i:03d}.txt"
    target.write_text(target.read_text(encoding="utf-8") + f" {extra}", encoding="utf-8")


def _changes(articles_dir: Path) -> list[Callable[[], None]]:
    """A history of edits: add, change, delete, change again, touch without change, re-add."""

    def touch() -> None:
        path = articles_dir / "extra_001.txt"
        later = path.stat().st_mtime + 5
        os.utime(path, (later, later))

    return [
        lambda: write_articles(articles_dir, 2, start=20),
        lambda: _edit(articles_dir, 3, "Une phrase ajoutée sur Tombouctou."),
        lambda: (articles_dir / "extra_005.txt").unlink(),
        lambda: _edit(articles_dir, 3, "Et une autre sur la ville 7."),
        touch,
        lambda: _edit(articles_dir, 20, "Le sujet 40 revient."),
        lambda: write_articles(articles_dir, 1, start=5),
    ]


def _dense(services: Services) -> list[list[tuple[float, str, str]]]:
    """For each question, every chunk with its similarity: (score, article, text), sorted."""
    generation = local_retriever(services).generation
    ranked = []
    for question in QUESTIONS:
        found = generation.dense_search(HashingEmbedder().embed_query(question), 10_000)
        rows = generation.chunks([i for i, _ in found])
        ranked.append(sorted((round(score, 5), rows[i].article_id, rows[i].text) for i, score in found))
    return ranked


def _lexical(services: Services) -> list[list[tuple[str, str]]]:
    """For each question, the chunks BM25 matches (article, text), best first."""
    generation = local_retriever(services).generation
    matched = []
    for question in QUESTIONS:
        found = generation.lexical_search(analyze(question), 10_000)
        rows = generation.chunks([i for i, _ in found])
        matched.append([(rows[i].article_id, rows[i].text) for i, _ in found])
    return matched


@pytest.fixture
def old_articles(articles_dir: Path) -> Path:
    """Eight articles whose files are older than any scan (fresh files are re-read as "racy")."""
    write_articles(articles_dir, 8)
    an_hour_ago = time.time() - 3600
    for path in articles_dir.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))
    return articles_dir


def test_one_changed_article_is_a_small_delta_sharing_the_base(
    make_settings: Callable[..., Settings], old_articles: Path
) -> None:
    settings = make_settings()
    embedder = HashingEmbedder()
    services = build_services(settings, embedder=embedder)
    first = services.reindex_now()
    held = local_retriever(services).generation
    _edit(old_articles, 3, "Une phrase ajoutée sur Tombouctou.")
    second = services.reindex_now()

    assert (second.changed, second.unchanged) == (1, 8) and second.chunks == first.chunks
    assert _manifest(settings, second.generation)["base"] == first.generation
    delta = sqlite3.connect(settings.index_dir / second.generation / DB_FILE)
    assert [r[0] for r in delta.execute("SELECT id FROM articles")] == ["extra_003.txt"]
    assert [r[0] for r in delta.execute("SELECT id FROM removed_articles")] == ["extra_003.txt"]
    delta.close()
    live = local_retriever(services).generation
    assert live.base == first.generation and live.dense is held.dense  # the base's vectors kept
    hits = services.retriever.search("Tombouctou", k=3, mode="bm25").passages
    assert hits and hits[0].article_id == "extra_003.txt" and "Tombouctou" in hits[0].text
    assert all("Tombouctou" in p.text or p.article_id != "extra_003.txt"
               for p in services.retriever.search("Article numéro 3", k=20).passages
               if p.text.endswith("sujet 60.")), "the changed article's old last chunk is still served"
    stats = live.stats()
    assert (stats.articles, stats.chunks) == (9, first.chunks)


@pytest.mark.parametrize("dense_index", ["flat", "ivf"])
def test_deltas_read_like_a_full_rebuild(
    make_settings: Callable[..., Settings], old_articles: Path, tmp_path: Path, dense_index: str
) -> None:
    """After each edit, the delta finds what a full rebuild finds: every chunk at the same
    similarity (exact search), the same chunks for BM25 with the same best (the delta's rows
    are scored on its base's statistics, which may move near ties)."""
    settings = make_settings(dense_index=dense_index)
    services = build_services(settings, embedder=HashingEmbedder())
    services.reindex_now()
    for step, change in enumerate(_changes(old_articles)):
        change()
        report = services.reindex_now()
        assert _manifest(settings, report.generation).get("base"), f"step {step} folded"
        rebuilt = build_services(make_settings(index_dir=tmp_path / f"full-{step}"), embedder=HashingEmbedder())
        full = rebuilt.reindex_now()
        assert (report.chunks, services.retriever.stats().articles) == (full.chunks, rebuilt.retriever.stats().articles)
        if dense_index == "flat":
            assert _dense(services) == _dense(rebuilt), f"step {step}"
        for mine, theirs in zip(_lexical(services), _lexical(rebuilt), strict=True):
            assert set(mine) == set(theirs) and mine[0] in theirs[:3], f"step {step}"
        assert local_retriever(services).generation.duplicate_groups() == local_retriever(rebuilt).generation.duplicate_groups()
        assert [h.article_id for h in services.retriever.headlines(newest=5)] == [h.article_id for h in rebuilt.retriever.headlines(newest=5)]


def test_a_delta_that_outgrows_its_base_is_folded_into_a_full_generation(
    make_settings: Callable[..., Settings], old_articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexer, "FOLD_MIN_CHUNKS", 8)
    settings = make_settings()
    services = build_services(settings, embedder=HashingEmbedder())
    first = services.reindex_now()
    bases = []
    for change in _changes(old_articles):
        change()
        bases.append(_manifest(settings, services.reindex_now().generation).get("base"))
    assert bases[0] == first.generation and None in bases, bases  # deltas, then a fold
    folded = bases.index(None)
    assert first.generation not in bases[folded + 1 :]  # later deltas sit on a folded base
    rebuilt = build_services(make_settings(index_dir=tmp_path / "full"), embedder=HashingEmbedder())
    rebuilt.reindex_now()
    assert _dense(services) == _dense(rebuilt)
    # Superseded generations are pruned, the live one's base and the spare one's kept.
    names = sorted(p.name for p in settings.index_dir.glob("gen-*"))
    live = IndexStore(settings.index_dir).current_name()
    assert first.generation not in names and live in names and len(names) <= 4, names


def test_rescored_rows_get_fts5s_own_bm25(make_settings: Callable[..., Settings], old_articles: Path) -> None:
    """lexical.rescored with an index's own statistics gives exactly FTS5's bm25()."""
    settings = make_settings()
    report = build_services(settings, embedder=HashingEmbedder()).reindex_now()
    db = sqlite3.connect(settings.index_dir / report.generation / DB_FILE)
    (rows,) = db.execute("SELECT count(*) FROM chunk_terms").fetchone()
    totals = lexical.totals(db)
    assert totals.rows == rows and totals.tokens == sum(len(t.split()) for (t,) in db.execute("SELECT terms FROM chunk_terms"))
    for question in QUESTIONS:
        terms = analyze(question)
        exact = lexical.search(db, terms, 20)
        mine = lexical.rescored(db, terms, 20, "main", totals, lexical.document_counts(db, terms))
        assert exact and [i for i, _ in mine] == [i for i, _ in exact]
        assert all(abs(a - b) < 1e-9 for (_, a), (_, b) in zip(mine, exact, strict=True))
    db.close()


def test_a_damaged_base_is_rebuilt_by_the_next_reindex(
    make_settings: Callable[..., Settings], old_articles: Path
) -> None:
    settings = make_settings()
    first = build_services(settings, embedder=HashingEmbedder()).reindex_now()
    _edit(old_articles, 2, "Tombouctou.")
    second = build_services(settings, embedder=HashingEmbedder()).reindex_now()
    assert _manifest(settings, second.generation)["base"] == first.generation
    vectors = settings.index_dir / first.generation / "dense.faiss"
    vectors.write_bytes(vectors.read_bytes()[:-8] + b"\0" * 8)  # same size, other bytes
    _edit(old_articles, 4, "Tombouctou.")
    third = build_services(settings, embedder=HashingEmbedder()).reindex_now()
    assert third.full and "base" not in _manifest(settings, third.generation)
    shutil.rmtree(settings.index_dir / first.generation, ignore_errors=True)
    assert build_services(settings, embedder=HashingEmbedder()).retriever.search("Tombouctou", mode="bm25").passages


def test_precomputed_postings_score_as_fts5(make_settings: Callable[..., Settings], old_articles: Path) -> None:
    """A full generation's term_postings give FTS5's own BM25: same chunks, same scores."""
    settings = make_settings()
    report = build_services(settings, embedder=HashingEmbedder()).reindex_now()
    db = sqlite3.connect(settings.index_dir / report.generation / DB_FILE)
    assert lexical.has_postings(db)
    (highest,) = db.execute("SELECT max(rowid) FROM chunk_terms").fetchone()
    for question in [*QUESTIONS, "civils Alep Alep offensive 130 000", "mot-absent-partout"]:
        terms = analyze(question)
        exact = lexical.search(db, terms, 30)
        mine = lexical.search_postings(db, terms, 30, "main", highest)
        assert len(mine) == len(exact)
        assert all(abs(a - b) < 1e-4 * max(1.0, abs(b)) for (_, a), (_, b) in zip(mine, exact, strict=True)), question
        assert {i for i, s in mine if s > exact[-1][1] + 1e-4} <= {i for i, _ in exact} if exact else not mine
    db.close()
