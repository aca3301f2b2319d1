"""Rendering: escaping, splitting under the limit, callback data; and the fake's HTML check."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import (
    answer_keyboard,
    answer_messages,
    article_pages,
    page_message,
    parse_callback,
    passage_message,
    split_plain,
    streaming_preview,
    telegram_length,
)
from qabot.records import CitedPassage, StoredAnswer
from tests.fakes.telegram_server import TelegramHtmlError, parse_html

texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=9000) | st.sampled_from(
    ["<b>x</b>", "**15 novembre**\nD'après [1]", "**a [1] b** **", "** <i> & **", "a & b &amp; <i", "</blockquote>", "[1] [2]. <a href='x'>", "😀" * 4100, "\n\n".join(["x" * 4000] * 3)]
)


def stored(
    text: str, title: str = "T", note: str | None = None, lead: str | None = None, framing: str | None = None,
    answered: bool = True,
) -> StoredAnswer:
    citation = CitedPassage(1, "a.txt", title, "2020-01", text[:500])
    return StoredAnswer(10**12, -100123456789, "q", text, answered, "fr", note, (citation,), lead, framing)


@settings(max_examples=150, deadline=None)
@given(text=texts, title=texts, note=st.none() | texts, lead=st.none() | texts, answered=st.booleans())
def test_every_rendering_is_valid_telegram_html_under_the_limit(
    text: str, title: str, note: str | None, lead: str | None, answered: bool
) -> None:
    answer = stored(text, title, note, lead, "D'après les articles :", answered)
    rendered = [*answer_messages(answer, "fr"), streaming_preview(text or "x"),
                passage_message(answer, answer.citations[0], "en")]
    pages = article_pages(text)
    rendered += [page_message(answer.citations[0], p, i, len(pages), "fr") for i, p in enumerate(pages)]
    for html in rendered:
        visible = parse_html(html)
        assert visible.strip() and telegram_length(visible) <= 4096
    for row in answer_keyboard(answer, "fr").inline_keyboard:
        for button in row:
            assert isinstance(button.callback_data, str) and len(button.callback_data.encode()) <= 64
            assert 0 < len(button.text) <= 64


def test_the_lead_fact_is_bold_and_escaped_above_the_framed_body_and_the_note_first() -> None:
    body = "l'offensive lancée le 15 novembre & <après>. [1]"
    [html] = answer_messages(stored(body, lead="15 novembre & <après>", framing="D'après les articles :"), "fr")
    assert html == "<b>15 novembre &amp; &lt;après&gt;</b>\nD'après les articles : l'offensive lancée le 15 novembre &amp; &lt;après&gt;. <b>[1]</b>"
    [noted] = answer_messages(stored(body, note="(Le modèle est occupé.)", lead="15 novembre"), "fr")
    assert noted.startswith("<i>(Le modèle est occupé.)</i>\n\n<b>15 novembre</b>\nl'offensive")
    [declined] = answer_messages(stored("Je n'ai pas trouvé.", note="(Le modèle est occupé.)", answered=False), "fr")
    assert declined == "Je n'ai pas trouvé.\n\n<i>(Le modèle est occupé.)</i>"


def test_asterisks_in_an_articles_words_are_shown_as_written() -> None:
    """Only the lead field is bold: a quoted sentence with **…** in it is not read as markup."""
    [html] = answer_messages(stored("**Exclusif**\nLe taux passe de 2 ** 3 à 8. [1]"), "fr")
    assert html == "**Exclusif**\nLe taux passe de 2 ** 3 à 8. <b>[1]</b>"


@given(text=texts)
def test_split_keeps_every_word(text: str) -> None:
    pieces = split_plain(text, 500)
    assert all(telegram_length(p) <= 500 for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())


def test_split_prefers_paragraph_boundaries() -> None:
    paragraphs = [f"P{i} " + "mot " * 200 for i in range(10)]
    pieces = split_plain("\n\n".join(paragraphs), 3000)
    assert len(pieces) == 4
    assert all(p.startswith("P") for p in pieces)


def test_callback_data_round_trips_and_rejects_junk() -> None:
    source, page, vote = parse_callback("s:12:3"), parse_callback("p:12:3:4"), parse_callback("v:12:-")
    assert source and source.kind == "s"
    assert page and page.page == 4
    assert vote and vote.vote == -1
    for junk in (None, "", "s:1", "s:a:1", "p:1:2", "v:1:x", "a:1:2", "s:1:2\n", "s:99999999999999999999:1"):
        assert parse_callback(junk) is None


@pytest.mark.parametrize(
    "bad",
    ["<foo>x</foo>", "<b>x", "<b><i>x</b></i>", "x</b>", "a < b", "a & b", "&nbsp;", "<span>x</span>",
     "<a>x</a>", "<b onclick='x'>y</b>", "<br>"],
)
def test_fake_rejects_html_telegram_rejects(bad: str) -> None:
    with pytest.raises(TelegramHtmlError):
        parse_html(bad)


def test_fake_accepts_telegram_html() -> None:
    assert parse_html('<b>a</b> <a href="https://x">l</a> &lt;&amp;&#39;&#x27; <blockquote expandable>q</blockquote>'
                      ' <span class="tg-spoiler">s</span> a > b') == "a l <&'' q s a > b"
