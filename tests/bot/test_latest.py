"""/latest [topic]: the newest articles with their dates, sources and links."""

from __future__ import annotations

from dataclasses import replace

from retrieval.sources.articles import parse_article
from tests.bot.conftest import Harness


def add(h: Harness, name: str, title: str, date: str, text: str, url: str | None = None) -> None:
    link = f"url: {url}\n" if url else ""
    raw = f"---\ntitle: \"{title}\"\ndate: {date}\nsource: Le Télégramme\n{link}---\n{text}\n"
    h.services.retriever.articles[name] = parse_article(name, raw.encode())


async def test_latest_lists_the_newest_with_links(harness: Harness) -> None:
    add(harness, "tram.md", "Le tramway de Brest prolongé", "2030-02-14", "Le tramway de Brest sera prolongé.",
        "https://www.letelegramme.example/tram?a=1&b=2")
    add(harness, "port.md", "Le port de Brest <agrandi>", "2030-02-10", "Le port de Brest sera agrandi.")
    before = len(harness.tg.sent(7))
    harness.ask("/latest")
    reply = await harness.tg.wait_for(lambda: next(iter(harness.tg.sent(7)[before:]), None))
    lines = reply.text.split("\n")
    assert lines[0] == "<b>Les derniers articles :</b>"
    assert lines[1] == ('• <a href="https://www.letelegramme.example/tram?a=1&amp;b=2">Le tramway de Brest prolongé</a>'
                        " — Le Télégramme, 2030-02-14")
    assert lines[2] == "• Le port de Brest &lt;agrandi&gt; — Le Télégramme, 2030-02-10"

    before = len(harness.tg.sent(7))
    harness.ask("/latest tramway", language_code="en")
    reply = await harness.tg.wait_for(lambda: next(iter(harness.tg.sent(7)[before:]), None))
    assert reply.text.startswith("<b>The latest articles on “tramway”:</b>\n• <a href=")
    assert "port" not in reply.text


async def test_a_quote_in_an_article_url_cannot_inject_markup(harness: Harness) -> None:
    # As an attacker would write it in front matter: the quote ends the href, an attribute
    # Telegram refuses follows, and the whole /latest message would be rejected for everyone.
    add(harness, "piege.md", "Un lien piégé", "2030-02-15", "Le texte.",
        "'https://evil.example/a\" onclick=\"alert(1)'")
    # An index built before URLs were checked at ingestion still holds the raw address.
    raw = parse_article("ancien.md", b"---\ntitle: Ancien\ndate: 2030-02-14\n---\nAncien texte.\n")
    harness.services.retriever.articles["ancien.md"] = replace(raw, url='https://old.example/b"><i>x</i>')
    before = len(harness.tg.sent(7))
    harness.ask("/latest")
    reply = await harness.tg.wait_for(lambda: next(iter(harness.tg.sent(7)[before:]), None))
    lines = reply.text.split("\n")
    assert lines[1] == '• <a href="https://evil.example/a%22%20onclick=%22alert(1)">Un lien piégé</a> — Le Télégramme, 2030-02-15'
    assert lines[2] == '• <a href="https://old.example/b&quot;&gt;&lt;i&gt;x&lt;/i&gt;">Ancien</a> — 2030-02-14'
