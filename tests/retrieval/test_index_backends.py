"""The index backends' contract, run on `local` (FAISS + FTS5 generations) and `qdrant`
(qdrant-client's embedded local mode): search in every mode, articles, stats, incremental and
full re-index, model checks, and no reader ever seeing an article half replaced."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qabot.services import Services, article_view, build_services
from qabot.settings import Settings
from retrieval.errors import IndexModelMismatch, IndexNotReady
from retrieval.models import Article, Chunk
from tests.bot.conftest import FakeRetriever
from tests.fakes.embedder import HashingEmbedder

GRENOBLE = (
    " date 2021-03 Le budget des pistes cyclables de Grenoble\n\n"
    "Le conseil municipal de Grenoble a voté un budget de six millions pour les pistes cyclables.\n\n"
    "Les travaux commenceront au printemps, selon la mairie."
)


def version(word: str, paragraphs: int = 30) -> str:
    """A long article whose every chunk carries `word`, so a passage tells its version."""
    return " date 2022-05 Chronique des marées\n\n" + "\n\n".join(
        f"Paragraphe {i} : la marée {word} du port numéro {i} monte lentement sur la digue {word}." for i in range(paragraphs)
    )


@pytest.fixture(params=["local", "qdrant"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def services(backend: str, make_settings: Callable[..., Settings], articles_dir: Path) -> Iterator[Services]:
    (articles_dir / "grenoble.txt").write_text(GRENOBLE, encoding="utf-8")
    built = build_services(make_settings(index_backend=backend), embedder=HashingEmbedder())
    yield built
    built.close_now()


def test_nothing_is_served_before_the_first_index(services: Services) -> None:
    assert services.retriever.is_built() is False
    with pytest.raises(IndexNotReady):
        services.retriever.search("Grenoble")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_search_finds_the_article_in_every_mode(services: Services, mode: str, articles_dir: Path) -> None:
    report = services.reindex_now()
    assert (report.added, report.chunks_embedded) == (2, report.chunks)
    assert services.retriever.is_built()
    result = services.retriever.search("budget des pistes cyclables de Grenoble", k=3, mode=mode)
    top = result.passages[0]
    assert top.article_id == "grenoble.txt"
    article = services.retriever.article("grenoble.txt")
    assert article is not None and article.text[top.start:top.end] == top.text
    assert (top.dense_rank is not None) == (mode != "bm25") and (top.bm25_rank is not None) == (mode != "dense")
    assert result.idf_match == (None if mode == "dense" else pytest.approx(1.0))
    assert [p.score for p in result.passages] == sorted((p.score for p in result.passages), reverse=True)


def test_stats_and_articles(services: Services) -> None:
    services.reindex_now()
    stats = services.retriever.stats()
    assert (stats.articles, stats.date_min, stats.date_max) == (2, "2016-12", "2021-03")
    assert stats.embedding == "fake:fake/hashing" and stats.dimension == 64 and stats.chunks >= 2
    assert services.retriever.article("nowhere.txt") is None


def test_incremental_reindex_embeds_only_what_changed(services: Services, articles_dir: Path) -> None:
    embedder = services.embedder
    assert isinstance(embedder, HashingEmbedder)
    first = services.reindex_now()
    assert services.reindex_now().chunks_embedded == 0
    (articles_dir / "grenoble.txt").write_text(GRENOBLE.replace("six millions", "huit millions de Tombouctou"),
                                               encoding="utf-8")
    before = embedder.passages_embedded
    second = services.reindex_now()
    assert (second.added, second.changed, second.removed) == (0, 1, 0)
    assert embedder.passages_embedded - before == second.chunks_embedded < first.chunks
    hits = services.retriever.search("Tombouctou", k=5, mode="bm25").passages
    assert [p.article_id for p in hits] == ["grenoble.txt"]
    assert not services.retriever.search("six millions", k=5, mode="bm25").passages or all(
        "six millions" not in p.text for p in services.retriever.search("six millions", k=5).passages)

    (articles_dir / "grenoble.txt").unlink()
    third = services.reindex_now()
    assert third.removed == 1 and services.retriever.stats().articles == 1
    assert services.retriever.article("grenoble.txt") is None
    assert all(p.article_id != "grenoble.txt" for p in services.retriever.search("Grenoble budget", k=5).passages)


def test_a_full_reindex_serves_the_same_passages(services: Services) -> None:
    services.reindex_now()
    before = [p.text for p in services.retriever.search("Alep civils offensive", k=3).passages]
    full = services.reindex_now(full=True)
    assert full.full and full.chunks_embedded == full.chunks
    assert [p.text for p in services.retriever.search("Alep civils offensive", k=3).passages] == before


def test_another_model_is_refused_with_the_repair(services: Services) -> None:
    services.reindex_now()
    settings = services.settings
    other = build_services(settings, embedder=HashingEmbedder(name="fake/other"))
    services.close_now()  # embedded Qdrant: one client per folder
    try:
        with pytest.raises(IndexModelMismatch, match="--full"):
            other.retriever.search("Grenoble")
    finally:
        other.close_now()


def test_a_reader_never_sees_an_article_half_replaced(services: Services, articles_dir: Path) -> None:
    """Searches run while re-indexes replace a 30-paragraph article, back and forth: every
    result shows the article in one version only, and its page is one version whole."""
    tides = articles_dir / "marees.txt"
    tides.write_text(version("ancienne"), encoding="utf-8")
    services.reindex_now()
    stop = threading.Event()
    mixed: list[object] = []
    searched = [0]

    def read() -> None:
        while not stop.is_set():
            passages = services.retriever.search("marée port digue", k=20, mode="bm25").passages
            words = {w for p in passages if p.article_id == "marees.txt" for w in ("ancienne", "nouvelle") if w in p.text}
            article = services.retriever.article("marees.txt")
            page = {w for w in ("ancienne", "nouvelle") if article and w in article.text}
            # (the search and the page may straddle a switch: each must be one version alone)
            if len(words) != 1 or len(page) != 1:
                mixed.append((words, page))
            searched[0] += 1

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for word in ("nouvelle", "ancienne", "nouvelle", "ancienne"):
            tides.write_text(version(word), encoding="utf-8")
            report = services.reindex_now()
            assert report.changed == 1
    finally:
        stop.set()
        reader.join()
    assert searched[0] > 0 and mixed == []


def test_front_matter_travels_with_passages_and_pages(services: Services, articles_dir: Path) -> None:
    (articles_dir / "meta.md").write_text(
        "---\ntitle: Les ponts de Lyon\ndate: 2023-04-05\nurl: https://example.org/ponts\n"
        "source: Le Journal\nauthor: Ana\nlang: fr\n---\n\nLe pont Bonaparte de Lyon a rouvert après deux ans de travaux.\n",
        encoding="utf-8",
    )
    services.reindex_now()
    top = services.retriever.search("pont Bonaparte Lyon rouvert", k=1).passages[0]
    assert (top.article_id, top.url, top.source, top.date) == ("meta.md", "https://example.org/ponts", "Le Journal", "2023-04-05")
    # Offsets people see count in the file as stored, front matter included, on both backends.
    assert (articles_dir / "meta.md").read_text(encoding="utf-8")[top.file_start : top.file_end] == top.text
    article = services.retriever.article("meta.md")
    assert article is not None and (article.author, article.lang, article.title) == ("Ana", "fr", "Les ponts de Lyon")
    assert article.body_offset > 0


def test_a_reindex_that_died_half_way_leaves_nothing_behind(
    backend: str, make_settings: Callable[..., Settings], articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-index killed after writing some of an article's new chunks: readers keep the old
    version, and the next re-index publishes only what the articles say then."""
    tides = articles_dir / "marees.txt"
    tides.write_text(version("ancienne"), encoding="utf-8")
    embedder = HashingEmbedder()
    services = build_services(make_settings(index_backend=backend, embedding_batch_size=1, qdrant_upsert_batch=1),
                              embedder=embedder)
    try:
        services.reindex_now()
        tides.write_text(version("nouvelle"), encoding="utf-8")
        real = embedder.embed_passages
        calls = [0]

        def die_after_two_batches(texts: list[str]) -> object:
            calls[0] += 1
            if calls[0] > 2:
                raise KeyboardInterrupt  # stands for kill -9: nothing after this runs
            return real(texts)

        monkeypatch.setattr(embedder, "embed_passages", die_after_two_batches)
        with pytest.raises(KeyboardInterrupt):
            services.reindex_now()
        monkeypatch.setattr(embedder, "embed_passages", real)

        def words() -> set[str]:
            passages = services.retriever.search("marée port digue", k=50, mode="bm25").passages
            return {w for p in passages for w in ("ancienne", "nouvelle", "troisième") if w in p.text}

        assert words() == {"ancienne"}
        tides.write_text(version("troisième"), encoding="utf-8")
        services.reindex_now()
        assert words() == {"troisième"}
    finally:
        services.close_now()


def test_an_articles_page_holds_its_chunks_and_copies(services: Services, articles_dir: Path) -> None:
    """The desk's article page, read through the backend: the chunks in order, each a slice
    of the article's text, a delta's version alone, and the near-duplicate group's others."""
    index = services.retriever
    services.reindex_now()
    stats = index.stats()
    dated = [h.article_id for h in index.headlines(newest=10)]
    assert len(dated) == stats.articles == 2
    assert sum(len(index.article_chunks(a)) for a in dated) == stats.chunks
    article = index.article("grenoble.txt")
    chunks = index.article_chunks("grenoble.txt")
    assert article is not None and [c.ordinal for c in chunks] == list(range(len(chunks))) and chunks
    assert all(c.article_id == "grenoble.txt" and article.text[c.start : c.end] == c.text for c in chunks)
    assert index.article_chunks("nowhere.txt") == []
    other = next(a for a in dated if a != "grenoble.txt")
    before = index.article_chunks(other)

    (articles_dir / "grenoble.txt").write_text(GRENOBLE.replace("six millions", "huit millions"), encoding="utf-8")
    (articles_dir / "copie.md").write_text(
        "---\ntitle: Grenoble vote ses pistes\nsource: Le Dauphiné\ndate: 2021-03-02\n---\n\n"
        + GRENOBLE.split("\n\n", 1)[1].replace("six millions", "huit millions"), encoding="utf-8")
    report = services.reindex_now()
    assert (report.added, report.changed) == (1, 1) and not report.full
    text = " ".join(c.text for c in index.article_chunks("grenoble.txt"))
    assert "huit millions" in text and "six millions" not in text
    assert index.article_chunks(other) == before  # an unchanged article keeps its chunks

    view = article_view(articles_dir, index, "grenoble.txt")
    assert view is not None and view.file is not None and view.article is not None
    assert [(c.article_id, c.source, c.date) for c in view.copies] == [("copie.md", "Le Dauphiné", "2021-03-02")]
    assert [c.text for c in view.chunks] == [c.text for c in index.article_chunks("grenoble.txt")]
    page = article_view(articles_dir, index, "copie.md")
    assert page is not None and page.article is not None and [c.article_id for c in page.copies] == ["grenoble.txt"]
    # Offsets people see count in the file as stored, front matter included.
    stored = (articles_dir / "copie.md").read_text(encoding="utf-8")
    assert all(stored[slice(*page.file_span(c))] == c.text for c in page.chunks)

    (articles_dir / "grenoble.txt").unlink()  # deleted, not yet re-indexed: still served
    gone = article_view(articles_dir, index, "grenoble.txt")
    assert gone is not None and gone.file is None and gone.article is not None
    services.reindex_now()
    assert article_view(articles_dir, index, "grenoble.txt") is None
    assert article_view(articles_dir, index, "../grenoble.txt") is None


def test_an_articles_page_read_across_a_reindex_is_read_again(tmp_path: Path) -> None:
    """A re-index published between the page's reads: the chunks of another version are not
    shown with the article; the page is read again, whole."""
    index = FakeRetriever()
    old = Article("a.txt", "A", None, "ancien texte\nsuite", "h1")
    new = Article("a.txt", "A", None, "nouveau texte plus long\nsuite", "h2")
    index.articles = {"a.txt": old}
    reads: list[str] = []
    real = index.article_chunks

    def chunks_then_swap(article_id: str) -> list[Chunk]:
        found = real(article_id)
        if not reads:
            index.articles = {"a.txt": new}  # the swap lands here: the next read sees `new`
            found = real(article_id)
        reads.append(article_id)
        return found

    index.article_chunks = chunks_then_swap  # type: ignore[method-assign]  # the real read, a swap between
    view = article_view(tmp_path, index, "a.txt")
    assert view is not None and view.article == new and len(reads) == 2
    assert [c.text for c in view.chunks] == ["nouveau texte plus long", "suite"]
