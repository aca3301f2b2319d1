from __future__ import annotations

import os
from pathlib import Path

from retrieval.sources.articles import SkippedFile, extract_title, iter_articles, parse_article
from tests.conftest import SEED_ARTICLE


def test_seed_header_becomes_date_and_text_keeps_the_rest() -> None:
    article = parse_article("seed.txt", SEED_ARTICLE.read_bytes())
    assert article.date == "2016-12"
    assert article.text.startswith("Le Secrétaire général des Nations unies")
    assert "date 2016-12" not in article.text
    assert "« un grand nombre de civils »" in article.text  # French typography kept
    assert article.title.startswith("Le Secrétaire général")
    assert len(article.content_hash) == 64


def test_file_without_header_is_an_article_without_date() -> None:
    article = parse_article("a.md", b"# Un titre\n\nDu texte.")
    assert article.date is None
    assert article.title == "Un titre"


def test_an_impossible_month_is_no_date_not_a_date() -> None:
    article = parse_article("a.txt", " date 2016-13 Un texte daté d'un mois qui n'existe pas.".encode())
    assert article.date is None and article.text.startswith("Un texte")


def test_text_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301 cre\u0300me".encode()
    assert parse_article("a.txt", decomposed).text == "Café crème"


def test_long_first_line_title_is_its_first_sentence() -> None:
    line = "Première phrase courte ici. " + "Suite très longue " * 20
    assert extract_title(line) == "Première phrase courte ici."


def test_bad_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    root = tmp_path / "a"
    (root / "sub dir").mkdir(parents=True)
    (root / "good.txt").write_text(" date 2020-01 Bon article.\n\nTexte.", encoding="utf-8")
    (root / "sub dir" / "été à Noël.md").write_text("Accents dans le nom.", encoding="utf-8")
    (root / "empty.txt").write_text("   \n", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (root / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (root / "huge.txt").write_bytes(b"a" * 2000)
    (root / "ignored.pdf").write_bytes(b"%PDF")
    outside = tmp_path / "secret.txt"
    outside.write_text("outside", encoding="utf-8")
    os.symlink(outside, root / "link.txt")
    os.symlink("y.txt", root / "x.txt")  # a loop: x.txt -> y.txt -> x.txt
    os.symlink("x.txt", root / "y.txt")
    os.symlink("nowhere.txt", root / "dangling.txt")

    items = list(iter_articles(root, max_bytes=1000))
    loaded = {i.id for i in items if not isinstance(i, SkippedFile)}
    reasons = {Path(i.path).name: i.reason for i in items if isinstance(i, SkippedFile)}
    assert loaded == {"good.txt", "sub dir/été à Noël.md"}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "too large" in reasons["huge.txt"]
    assert "outside" in reasons["link.txt"]
    assert "loop" in reasons["x.txt"] and "loop" in reasons["y.txt"]
    assert "does not exist" in reasons["dangling.txt"]


def test_a_heading_under_the_lede_is_the_title() -> None:
    text = " date 2024-03 Paris, 12 mars (AFP).\n# Paris lance un plan vélo\n\nLa mairie a présenté son plan."
    assert parse_article("velo.md", text.encode()).title == "Paris lance un plan vélo"
