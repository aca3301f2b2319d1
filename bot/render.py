"""Telegram HTML for answers, passages and article pages; inline keyboards; callback data.

Everything that comes from users or articles is escaped here and nowhere else. Long texts are
split on paragraph boundaries *before* they are formatted, so a tag never spans two messages.
Lengths are measured as Telegram does: visible text (tags removed, entities decoded) in UTF-16
code units.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import t
from qabot.frontdoor import reader_date
from qabot.records import CitedPassage, StoredAnswer

MESSAGE_LIMIT = 4096
# Room left for what a formatter adds around a piece (a title line, a note, a page counter).
PIECE_LIMIT = 3800
PAGE_CHARS = 3000
PASSAGE_CHARS = 3000
BUTTON_TITLE_CHARS = 38
PASSAGE_LABEL_CHARS = 48
CALLBACK_LIMIT = 64

_MARKER = re.compile(r"\[(\d{1,3})\]")
_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"(?<=[.!?…»])\s+")


# --- measuring and splitting -------------------------------------------------------------


def telegram_length(text: str) -> int:
    """Length of plain text as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(markup: str) -> int:
    """Length of an HTML message once Telegram has parsed it."""
    return telegram_length(html.unescape(_TAG.sub("", markup)))


def split_plain(text: str, limit: int = PIECE_LIMIT) -> list[str]:
    """Split plain text into pieces under `limit`: paragraphs, then sentences, then words."""
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    current = ""
    for unit in _units(text, limit):
        candidate = f"{current}{unit}" if current else unit.lstrip("\n")
        if current and telegram_length(candidate) > limit:
            pieces.append(current.strip())
            current = unit.lstrip("\n")
        else:
            current = candidate
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _units(text: str, limit: int) -> Iterator[str]:
    """Paragraphs (with their leading blank line), each broken further only when too long."""
    for i, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        prefix = "\n\n" if i else ""
        if telegram_length(paragraph) <= limit:
            yield prefix + paragraph
            continue
        first = True
        for part in _break_long(paragraph, limit):
            yield (prefix if first else " ") + part
            first = False


def _break_long(paragraph: str, limit: int) -> Iterator[str]:
    for sentence in _SENTENCE_END.split(paragraph):
        while telegram_length(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            if cut <= limit // 2:
                cut = limit // 2  # no space in sight: cut the word (a URL, a wall of emoji)
            head, sentence = sentence[:cut], sentence[cut:].lstrip()
            yield head
        if sentence:
            yield sentence


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _format_answer_piece(piece: str) -> str:
    """Escape a piece of answer text and make its `[n]` markers bold (after escaping, so the
    tags are ours and the text inside stays escaped)."""
    return _MARKER.sub(r"<b>[\1]</b>", _escape(piece))


def truncate(text: str, limit: int, *, lines: bool = False) -> str:
    """Cut at a word boundary with an ellipsis when longer than `limit` characters; spaces
    collapsed, and line breaks too unless `lines` (a timeline's or a digest's one line per story)."""
    text = "\n".join(" ".join(line.split()) for line in text.splitlines()) if lines else " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


# --- answers ------------------------------------------------------------------------------


def answer_messages(answer: StoredAnswer, lang: str, page: int = 0) -> list[str]:
    """The HTML messages of an answer: the note in italics, the lead fact in bold, then the
    framed body split in pieces; a declined answer's note comes after its refusal. A timeline
    shows its `page`."""
    answer = answer.page(page)
    messages = [_format_answer_piece(p) for p in split_plain(answer.framed) or [t("empty_answer", lang)]]
    if answer.lead:
        messages = _attach(messages, f"<b>{_escape(truncate(answer.lead, 300))}</b>", "\n", before=True)
    if answer.note:
        note = f"<i>{_escape(truncate(answer.note, 300))}</i>"
        messages = _attach(messages, note, "\n\n", before=answer.answered)
    return messages


def _attach(messages: list[str], part: str, separator: str, before: bool) -> list[str]:
    """`part` above the first message (`before`) or below the last, or a message of its own
    when the two do not fit in one."""
    neighbour = messages[0] if before else messages[-1]
    if visible_length(part) + visible_length(separator) + visible_length(neighbour) > MESSAGE_LIMIT:
        return [part, *messages] if before else [*messages, part]
    if before:
        return [f"{part}{separator}{neighbour}", *messages[1:]]
    return [*messages[:-1], f"{neighbour}{separator}{part}"]


def inline_answer_text(answer: StoredAnswer, lang: str) -> str:
    """An answer as one message sent through inline mode: the lead fact, the framed body, then
    its citations as text, labelled as their buttons are elsewhere, within one message (a
    timeline's first page: an inline message has no button to page with)."""
    answer = answer.page(0)
    sources = "\n".join(_escape(label) for label in citation_labels(answer.citations, lang))
    lead = f"<b>{_escape(truncate(answer.lead, 300))}</b>\n" if answer.lead else ""
    room = MESSAGE_LIMIT - visible_length(sources) - visible_length(lead) - 10
    text = lead + _format_answer_piece(truncate(answer.framed, min(room, PIECE_LIMIT), lines=True))
    return f"{text}\n\n{sources}" if sources else text


def streaming_preview(text: str) -> str:
    """HTML for an answer still being written: the last part that fits, and an ellipsis."""
    text = text.strip()
    if telegram_length(text) > PIECE_LIMIT:
        text = "…" + text[-(PIECE_LIMIT // 2) :]
    return _format_answer_piece(text) + " …"


def answer_keyboard(answer: StoredAnswer, lang: str, page: int = 0) -> InlineKeyboardMarkup:
    """One button per citation (a timeline's: those of its `page`), a timeline's ◀️ / "suite"
    between its pages, then 👍 / 👎."""
    pages = answer.pages
    shown = answer.page(page)
    labels = citation_labels(shown.citations, lang)
    rows = [
        [InlineKeyboardButton(label, callback_data=source_data(answer.id, c.n))]
        for c, label in zip(shown.citations, labels, strict=True)
    ]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(t("timeline_back", lang), callback_data=timeline_data(answer.id, page - 1)))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton(t("timeline_more", lang, page=str(page + 2), pages=str(pages)),
                                        callback_data=timeline_data(answer.id, page + 1)))
    if nav:
        rows.append(nav)
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=vote_data(answer.id, +1)),
            InlineKeyboardButton("👎", callback_data=vote_data(answer.id, -1)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def citation_labels(citations: Sequence[CitedPassage], lang: str) -> list[str]:
    """The citations' button labels, which a reader can tell apart: `[n] Title (date)`, and for
    citations that would read alike (one article cited twice, or articles whose short titles and
    dates match: wire copies, untitled articles whose title is their lede) the passage's own
    words instead."""
    plain = [citation_label(c, lang) for c in citations]
    alike = Counter(label.split(" ", 1)[1] for label in plain)
    per_article = Counter(c.article_id for c in citations)
    return [
        passage_label(c) if per_article[c.article_id] > 1 or alike[label.split(" ", 1)[1]] > 1 else label
        for c, label in zip(citations, plain, strict=True)
    ]


def citation_label(citation: CitedPassage, lang: str) -> str:
    """`[n] Title (5 décembre 2026)`: a short title (cut at a word) and the date alone, as a
    reader reads it."""
    label = f"[{citation.n}] {truncate(citation.title or citation.article_id, BUTTON_TITLE_CHARS)}"
    return f"{label} ({reader_date(citation.date, lang)})" if citation.date else label


def passage_label(citation: CitedPassage) -> str:
    """`[n] Title · « the passage's first words… »` for an article with a title that fits on a
    button; else (an untitled article's title is its lede) the passage's own words alone."""
    title = citation.title or citation.article_id
    if len(title) <= BUTTON_TITLE_CHARS:
        return f"[{citation.n}] {truncate(title, 26)} · « {truncate(citation.text, 24)} »"
    return f"[{citation.n}] « {truncate(citation.text, PASSAGE_LABEL_CHARS)} »"


# --- passages and article pages ----------------------------------------------------------


def _heading(title: str, date: str | None) -> str:
    heading = f"<b>{_escape(truncate(title, 200))}</b>"
    return f"{heading} ({_escape(date)})" if date else heading


def passage_message(answer: StoredAnswer, citation: CitedPassage, lang: str, origin: str | None = None) -> str:
    """The quote under its article's title and, when known, "source, full date" (else the date)."""
    quote = truncate(citation.text, PASSAGE_CHARS)
    return (
        f"<b>[{citation.n}]</b> {_heading(citation.title, origin or citation.date)}\n"
        f"<blockquote>{_escape(quote)}</blockquote>"
    )


def passage_keyboard(
    answer: StoredAnswer, citation: CitedPassage, lang: str, page: int | None = 0, url: str | None = None
) -> InlineKeyboardMarkup:
    """Back to the answer, "read the article" at `page` (None: the article is gone) and, when
    the article has a URL, a button opening the original."""
    row = [InlineKeyboardButton(t("back_to_answer", lang), callback_data=back_data(answer.id))]
    if page is not None:
        row.append(InlineKeyboardButton(t("read_article", lang), callback_data=page_data(answer.id, citation.n, page)))
    rows = [row]
    if url:
        rows.append([InlineKeyboardButton(t("open_original", lang), url=url)])
    return InlineKeyboardMarkup(rows)


def article_pages(text: str) -> list[str]:
    return split_plain(text, PAGE_CHARS) or [""]


def page_holding(text: str, offset: int) -> int:
    """The index of the page of `article_pages(text)` where character `offset` of `text` is."""
    position = 0
    for index, page in enumerate(article_pages(text)):
        found = text.find(page[:40], position)
        if found == -1:
            return 0
        position = found + len(page)
        if offset < position:
            return index
    return max(0, len(article_pages(text)) - 1)


def page_message(citation: CitedPassage, page_text: str, page: int, pages: int, lang: str) -> str:
    counter = t("page_of", lang, page=page + 1, pages=pages)
    return f"{_heading(citation.title, citation.date)}\n\n{_escape(page_text)}\n\n<i>{counter}</i>"


def page_keyboard(
    answer: StoredAnswer, citation: CitedPassage, page: int, pages: int, lang: str
) -> InlineKeyboardMarkup:
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀️", callback_data=page_data(answer.id, citation.n, page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("▶️", callback_data=page_data(answer.id, citation.n, page + 1)))
    rows = [nav] if nav else []
    rows.append(
        [
            InlineKeyboardButton(t("back_to_passage", lang), callback_data=source_data(answer.id, citation.n)),
            InlineKeyboardButton(t("back_to_answer", lang), callback_data=back_data(answer.id)),
        ]
    )
    return InlineKeyboardMarkup(rows)


# --- callback data: short, typed, and only ever an answer id plus small numbers -------------


@dataclass(frozen=True, slots=True)
class Callback:
    kind: str  # "s" source, "a" answer, "p" article page, "v" vote, "t" a timeline's page
    answer_id: int
    n: int = 0
    page: int = 0
    vote: int = 0


def source_data(answer_id: int, n: int) -> str:
    return f"s:{answer_id}:{n}"


def back_data(answer_id: int) -> str:
    return f"a:{answer_id}"


def page_data(answer_id: int, n: int, page: int) -> str:
    return f"p:{answer_id}:{n}:{page}"


def timeline_data(answer_id: int, page: int) -> str:
    return f"t:{answer_id}:{page}"


def vote_data(answer_id: int, vote: int) -> str:
    return f"v:{answer_id}:{'+' if vote > 0 else '-'}"


_CALLBACK = re.compile(
    r"(?:(?P<s>s):(?P<s_id>\d{1,18}):(?P<s_n>\d{1,3})"
    r"|(?P<a>a):(?P<a_id>\d{1,18})"
    r"|(?P<p>p):(?P<p_id>\d{1,18}):(?P<p_n>\d{1,3}):(?P<p_page>\d{1,5})"
    r"|(?P<v>v):(?P<v_id>\d{1,18}):(?P<v_vote>[+-])"
    r"|(?P<t>t):(?P<t_id>\d{1,18}):(?P<t_page>\d{1,3}))"
)


def parse_callback(data: str | None) -> Callback | None:
    """The callback behind `data`, or None for anything this bot did not write."""
    match = _CALLBACK.fullmatch(data or "")
    if not match:
        return None
    g = match.groupdict()
    if g["s"]:
        return Callback("s", int(g["s_id"]), n=int(g["s_n"]))
    if g["a"]:
        return Callback("a", int(g["a_id"]))
    if g["p"]:
        return Callback("p", int(g["p_id"]), n=int(g["p_n"]), page=int(g["p_page"]))
    if g["t"]:
        return Callback("t", int(g["t_id"]), page=int(g["t_page"]))
    return Callback("v", int(g["v_id"]), vote=1 if g["v_vote"] == "+" else -1)


def escape(text: str) -> str:
    """Escape user or article text for Telegram HTML."""
    return _escape(text)


def html_link(url: str, text: str) -> str:
    """`text` as a Telegram HTML link to `url`: the address escaped for an attribute (quotes
    too, or a `"` in it would end the attribute and start another), the text as text."""
    return f'<a href="{html.escape(url, quote=True)}">{_escape(text)}</a>'


# C0/C1 controls, and the bidirectional overrides and isolates that would flip the text after
# them (U+202E turns "txt.exe" into "exe.txt"): what a user typed is shown with them made visible.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown_safely(text: str) -> str:
    """A user's text with control and direction-override characters replaced by U+FFFD."""
    return _INVISIBLE.sub("\ufffd", text)


def bullet_list(items: Sequence[str]) -> str:
    return "\n".join(f"• {_escape(item)}" for item in items)
