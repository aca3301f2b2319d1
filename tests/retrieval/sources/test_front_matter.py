"""Article metadata: YAML front matter, the seed header, and what the index keeps of them."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cli.commands import index as index_command
from qabot import services as services_module
from qabot.services import build_services
from qabot.settings import Settings
from retrieval.errors import IndexCorrupt, IndexSchemaOutdated
from retrieval.files import sha256_file
from retrieval.local.index import DB_FILE, MANIFEST_FILE
from retrieval.sources.articles import parse_article
from tests.conftest import SEED_ARTICLE, local_retriever
from tests.fakes.embedder import HashingEmbedder

FRONT = """---
title: "Alep : les bus verts entrent dans la ville"
date: 2016-12-14T08:30:00+01:00
url: https://example.org/monde/alep-bus-verts
source: AFP
author: Jeanne Martin
lang: fr
---

Les premiers bus verts sont entrés mercredi dans Alep-Est pour évacuer les civils.
"""


def test_front_matter_becomes_metadata_and_offsets_count_from_the_file() -> None:
    article = parse_article("a.md", FRONT.encode())
    assert article.title == "Alep : les bus verts entrent dans la ville"
    assert article.date == "2016-12-14T08:30+01:00"
    assert article.url == "https://example.org/monde/alep-bus-verts"
    assert (article.source, article.author, article.lang) == ("AFP", "Jeanne Martin", "fr")
    assert article.text.startswith("Les premiers bus verts")
    assert "---" not in article.text and "source:" not in article.text
    # The body sits at body_offset in the file: a citation can point into the file as stored.
    assert FRONT[article.body_offset:].rstrip() == article.text


@pytest.mark.parametrize(
    ("date_line", "stored"),
    [("date: 2016-12-14", "2016-12-14"), ("date: '2016-12'", "2016-12"),
     ("date: 2016-12-14 08:30", "2016-12-14T08:30"), ("date: '2016-12-14T08:30:15Z'", "2016-12-14T08:30:15+00:00")],
)
def test_dates_with_or_without_a_time(date_line: str, stored: str) -> None:
    assert parse_article("a.md", f"---\n{date_line}\n---\nTexte.".encode()).date == stored


def test_french_title_with_a_spaced_colon_needs_no_quotes() -> None:
    article = parse_article("a.md", b"---\ntitle: Alep : les bus verts\nsource: Le Monde\n---\nTexte.")
    assert (article.title, article.source, article.text) == ("Alep : les bus verts", "Le Monde", "Texte.")


def test_empty_front_matter_and_unknown_keys_are_fine() -> None:
    assert parse_article("a.md", b"---\n---\nTexte seul.").text == "Texte seul."
    article = parse_article("a.md", b"---\ntags: [a, b]\nsource: AFP\n---\nTexte.")
    assert article.source == "AFP" and article.text == "Texte."


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("title: x\ndate: demain\n", "date"),
        ("title: x\ndate: 2016-02-30\n", "date"),
        ("url: ftp://example.org/a\n", "http(s)"),
        ("url: pas une adresse\n", "http(s)"),
        ("lang: français\n", "language code"),
        ("- a\n- b\n", "key: value"),
        ("title: [unclosed\ntags: {\n", "not valid YAML"),
        ("title: {a: 1}\n", "not text"),
    ],
)
def test_malformed_front_matter_is_plain_text_with_a_warning(
    front: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    raw = f"---\n{front}---\nLe corps de l'article.\n"
    with caplog.at_level(logging.WARNING, logger="retrieval.sources.articles"):
        article = parse_article("dossier/mal.md", raw.encode())
    # Never half-parsed: no metadata at all, and the whole file is the text.
    assert (article.date, article.url, article.source, article.author, article.lang) == (None,) * 5
    assert article.text == raw.strip() and article.body_offset == 0
    assert article.title == "Le corps de l'article." or article.title == front.split("\n")[0]
    [record] = caplog.records
    assert "dossier/mal.md" in record.getMessage() and reason in record.getMessage()


def test_unclosed_front_matter_is_plain_text(caplog: pytest.LogCaptureFixture) -> None:
    raw = "---\ntitle: x\nLe corps sans fin de bloc."
    with caplog.at_level(logging.WARNING, logger="retrieval.sources.articles"):
        article = parse_article("a.md", raw.encode())
    assert article.text == raw and article.title == "title: x"
    assert "never closed" in caplog.text


def test_seed_header_still_works_and_knows_its_offset() -> None:
    raw = SEED_ARTICLE.read_bytes()
    article = parse_article("seed.txt", raw)
    assert article.date == "2016-12" and article.url is None and article.source is None
    assert raw.decode("utf-8")[article.body_offset:].startswith(article.text[:200])


def test_index_keeps_metadata_and_passages_carry_it(
    make_settings: Callable[..., Settings], articles_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    (articles_dir / "bus.md").write_text(FRONT, encoding="utf-8")
    services = build_services(make_settings(), embedder=fake_embedder)
    services.reindex_now()
    [passage] = [p for p in services.retriever.search("bus verts Alep-Est", k=5, mode="bm25").passages
                 if p.article_id == "bus.md"]
    assert (passage.url, passage.source, passage.date) == (
        "https://example.org/monde/alep-bus-verts", "AFP", "2016-12-14T08:30+01:00")
    assert passage.to_dict(1)["source"] == "AFP"
    stored = services.retriever.article("bus.md")
    assert stored is not None and stored.author == "Jeanne Martin" and stored.lang == "fr"
    assert stored.body_offset == FRONT.index("Les premiers")
    seed = [p for p in services.retriever.search("civils Alep", k=5, mode="bm25").passages
            if p.article_id != "bus.md"][0]
    assert seed.url is None and seed.date == "2016-12"


BROKEN = "---\ntitle: Les bus verts à Alep\ntags: [Syrie, Alep\n---\nLes premiers bus verts sont entrés dans Alep-Est.\n"


def test_a_reindex_reports_the_files_whose_front_matter_was_ignored(
    make_settings: Callable[..., Settings], articles_dir: Path, fake_embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (articles_dir / "bus.md").write_text(BROKEN, encoding="utf-8")
    settings = make_settings()
    # `qabot index` as a user runs it, with the test's embedder (the real model is not the point).
    monkeypatch.setattr(services_module, "build_services", lambda s: build_services(s, embedder=fake_embedder))
    assert index_command.run(argparse.Namespace(full=False, json=False), settings) == 0
    out = capsys.readouterr().out
    assert "2 added" in out and "; 1 file(s) indexed without their front matter" in out
    assert f"  indexed as plain text, header included: {articles_dir.resolve() / 'bus.md'}: " \
           "front matter is not valid YAML (line 4)" in out
    # The next re-index has nothing new to read, so nothing new to say.
    assert build_services(settings, embedder=fake_embedder).reindex_now().warnings == []


def _make_schema_2(generation: Path) -> None:
    """Turn a generation into what the previous qabot wrote (schema 2), checksums resealed."""
    db = sqlite3.connect(generation / DB_FILE)
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    db.commit()
    db.close()
    manifest = json.loads((generation / MANIFEST_FILE).read_text())
    manifest["files"][DB_FILE] = sha256_file(generation / DB_FILE)
    (generation / MANIFEST_FILE).write_text(json.dumps(manifest))


def test_an_index_from_an_older_qabot_asks_for_a_rebuild_and_a_reindex_rebuilds_it(
    make_settings: Callable[..., Settings], articles_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    settings = make_settings()
    report = build_services(settings, embedder=fake_embedder).reindex_now()
    _make_schema_2(settings.index_dir / report.generation)
    (articles_dir / "bus.md").write_text(FRONT, encoding="utf-8")
    fresh = build_services(settings, embedder=fake_embedder)
    with pytest.raises(IndexSchemaOutdated, match=r"older qabot .*qabot index --full") as raised:
        fresh.retriever.stats()
    assert isinstance(raised.value, IndexCorrupt)  # `qabot run` refuses to serve it, as before
    again = fresh.reindex_now()
    assert again.full and again.unchanged == 0  # every article read again, front matter included
    local_retriever(fresh).reload()
    stored = fresh.retriever.article("bus.md")
    assert stored is not None and stored.source == "AFP"


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        # A quote would end the href attribute the bot writes and let another one in.
        ('https://example.org/a" onclick="alert(1)', "https://example.org/a%22%20onclick=%22alert(1)"),
        ("https://example.org/a?q=<b>&x='1'", "https://example.org/a?q=%3Cb%3E&x='1'"),
        ("https://example.org/Élysée 2#part 1", "https://example.org/%C3%89lys%C3%A9e%202#part%201"),
        ("https://example.org/déjà%20codé%zz", "https://example.org/d%C3%A9j%C3%A0%20cod%C3%A9%25zz"),
        ("HTTPS://Exemple.ORG:8443/a", "https://exemple.org:8443/a"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_an_url_is_stored_with_what_a_url_may_not_hold_encoded(url: str, stored: str) -> None:
    front = "url: " + json.dumps(url)  # JSON strings are YAML: the quotes survive as they are
    article = parse_article("a.md", f"---\n{front}\n---\nTexte.".encode())
    assert article.url == stored and article.text == "Texte."
    assert parse_article("a.md", f"---\nurl: {stored}\n---\nTexte.".encode()).url == stored  # stable


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "not an http(s) address"),
        ("https://user:secret@example.org/a", "user name or password"),
        ('https://exa"mple.org/a', "no domain name"),
        ("https://example.org:99999/a", "malformed host or port"),
    ],
)
def test_an_url_that_is_no_web_address_leaves_the_header_aside(
    url: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="retrieval.sources.articles"):
        article = parse_article("a.md", f"---\nurl: {json.dumps(url)}\n---\nTexte.".encode())
    assert article.url is None and reason in caplog.text
