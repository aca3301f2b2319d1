"""Near-duplicate articles: syndicated copies grouped at index time, one copy per story retrieved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qabot.services import build_services
from qabot.settings import Settings
from retrieval.news.duplicates import groups, signature, similar_pairs
from tests.fakes.embedder import HashingEmbedder

WIRE = """Les contrôleurs de la SNCF ont déposé un préavis de grève pour le week-end du 21 et 22 décembre, au moment des grands départs en vacances de Noël. Le collectif national des contrôleurs réclame une prime de fin d'année de 1 200 euros et l'embauche de 300 contrôleurs.

La direction assure que neuf TGV sur dix circuleront samedi, grâce à des contrôleurs non grévistes et à des cadres mobilisés. Environ 800 000 voyageurs sont attendus dans les gares ce week-end.

Le ministre des Transports a appelé les syndicats à ne pas prendre les Français en otage et a rappelé que la loi impose aux grévistes de se déclarer 48 heures à l'avance."""

# Another outlet's copy: a dateline, typographic apostrophes, the last paragraph cut.
COPY = "PARIS (AFP) – " + "\n\n".join(WIRE.split("\n\n")[:2]).replace("'", "’")

# The same subject two months later: many shared words, another story.
LATER = """La direction de la SNCF et trois organisations syndicales ont signé mardi un accord salarial qui prévoit une hausse de 3,5 % des salaires des cheminots et une prime de 400 euros versée en mars.

SUD-Rail a levé le préavis de grève déposé pour les vacances d'hiver. Le mouvement des contrôleurs de décembre, au moment des départs de Noël, avait coûté 35 millions d'euros."""


def test_a_copy_is_paired_and_the_same_subject_is_not() -> None:
    signatures = {"wire.md": signature(WIRE), "copy.md": signature(COPY), "later.md": signature(LATER)}
    assert similar_pairs(signatures, signatures) == {("copy.md", "wire.md")}
    # Only pairs touching a fresh article are looked up (a re-index signs only what changed).
    assert similar_pairs(signatures, ["later.md"]) == set()
    assert similar_pairs(signatures, ["copy.md"]) == {("copy.md", "wire.md")}
    assert similar_pairs(signatures, []) == set()
    # The LSH path (many fresh articles at once) finds the same pairs as the direct comparison.
    many = {**signatures, **{f"other-{i}.md": signature(f"Un tout autre article numéro {i} sur la pêche.") for i in range(300)}}
    assert similar_pairs(many, many) == {("copy.md", "wire.md")}


def test_groups_are_connected_components() -> None:
    assert groups([("b", "c"), ("a", "b"), ("x", "y")]) == {"a": "a", "b": "a", "c": "a", "x": "x", "y": "x"}
    assert groups([]) == {}


def write(folder: Path, name: str, source: str, text: str) -> None:
    (folder / name).write_text(f"---\ndate: 2024-12-17\nsource: {source}\nurl: https://{name}.example/\n---\n{text}\n",
                               encoding="utf-8")


@pytest.mark.parametrize("backend", ["local", "qdrant"])  # part of the index backends' contract
def test_retrieval_hands_over_one_copy_and_names_the_others(
    backend: str, tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    write(folder, "wire.md", "AFP", WIRE)
    write(folder, "copy-1.md", "Le Parisien", COPY)
    write(folder, "later.md", "AFP", LATER)
    services = build_services(make_settings(articles_dir=folder, index_backend=backend), embedder=HashingEmbedder())
    services.reindex_now()
    question = "Pourquoi les contrôleurs de la SNCF font-ils grève à Noël ?"
    passages = services.retriever.search(question, k=3).passages
    ids = [p.article_id for p in passages]
    assert len({"wire.md", "copy-1.md"} & set(ids)) == 1 and "later.md" in ids
    kept = next(p for p in passages if p.article_id in {"wire.md", "copy-1.md"})
    [other] = kept.copies
    assert other.article_id != kept.article_id and other.source in {"AFP", "Le Parisien"}
    assert other.url is not None and other.url.startswith("https://")

    # A copy added later is paired on the incremental re-index, without re-signing the rest.
    write(folder, "copy-2.md", "Ouest-France", COPY.replace("PARIS (AFP) – ", "RENNES – "))
    report = services.reindex_now()
    assert (report.added, report.unchanged) == (1, 3)
    assert services.retriever.duplicate_groups()["copy-2.md"] == ["copy-1.md", "copy-2.md", "wire.md"]
    passages = services.retriever.search(question, k=3).passages
    assert sum(p.article_id in {"wire.md", "copy-1.md", "copy-2.md"} for p in passages) == 1

    # A copy removed leaves the group.
    (folder / "copy-1.md").unlink()
    services.reindex_now()
    assert services.retriever.duplicate_groups()["wire.md"] == ["copy-2.md", "wire.md"]
    assert "copy-1.md" not in services.retriever.duplicate_groups()
    services.close_now()
