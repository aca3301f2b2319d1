"""BM25 over SQLite FTS5, over terms analysed in Python (retrieval/text.py).

Why FTS5: the index lives in the same SQLite file as the chunks, so one transaction adds or
removes an article's chunks from both and the generation swap covers it; updates are
incremental (no rebuild of the whole index for one changed article); and SQLite is as well kept
as software gets. Its `bm25()` ranks with the inverted index instead of re-scoring every chunk
in Python per query, as LangChain's `BM25Retriever` does.

FTS5 scores every posting of every query term with a function call per row: past ~100k chunks
a question's common words cost tens of milliseconds (benchmarks/bench_lexical.py). A full
generation therefore also keeps, per term, its chunks and their BM25 contribution already
computed (`term_postings`, written once when the generation is sealed: it never changes); a
search adds those arrays up with numpy, scoring exactly as FTS5's bm25() would. The small
deltas of later re-indexes use FTS5 (`rescored`).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.text import analyze


def create_schema(db: sqlite3.Connection) -> None:
    # Terms are analysed in Python; FTS5 only splits on the spaces we join them with.
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(terms, tokenize='unicode61 remove_diacritics 0')"
    )


def add(db: sqlite3.Connection, rows: list[tuple[int, str]]) -> None:
    """Index (chunk_id, text) pairs."""
    db.executemany(
        "INSERT INTO chunk_terms(rowid, terms) VALUES (?, ?)",
        [(chunk_id, " ".join(analyze(text))) for chunk_id, text in rows],
    )


def remove(db: sqlite3.Connection, chunk_ids: list[int]) -> None:
    db.executemany("DELETE FROM chunk_terms WHERE rowid = ?", [(i,) for i in chunk_ids])


def query_expression(terms: Sequence[str]) -> str | None:
    """An FTS5 OR query of the question's distinct analysed terms, each quoted (no FTS syntax
    leaks in)."""
    terms = list(dict.fromkeys(terms))
    if not terms:
        return None
    return " OR ".join(f'"{t}"' for t in terms)


def term_idf(db: sqlite3.Connection, terms: Sequence[str], chunk_count: int, schemas: Sequence[str] = ("main",)) -> dict[str, float]:
    """The question's distinct analysed terms with their IDF over the N chunks, ln(1 + N / (1 + df)):
    positive at any corpus size (FTS5's own BM25 IDF is near zero for a term in over half of a
    small index's chunks), highest for a term no chunk holds. `schemas`: the indexes the chunks
    are in (a delta generation and its base)."""
    terms = list(dict.fromkeys(terms))
    if not terms:
        return {}
    df: Counter[str] = Counter()
    for schema in schemas:
        df.update(document_counts(db, terms, schema))
    return {term: math.log(1 + chunk_count / (1 + df.get(term, 0))) for term in terms}


def stored_terms(
    db: sqlite3.Connection, chunk_ids: Sequence[int], schemas: Sequence[str] = ("main",)
) -> dict[int, set[str]]:
    """The analysed terms kept in the index for these chunks (no re-analysis at query time)."""
    if not chunk_ids:
        return {}
    marks = ",".join("?" * len(chunk_ids))
    held: dict[int, set[str]] = {}
    for schema in schemas:
        rows = db.execute(
            f"SELECT rowid, terms FROM {schema}.chunk_terms WHERE rowid IN ({marks})", list(chunk_ids)  # noqa: S608
        )
        held.update((int(rowid), set(terms.split())) for rowid, terms in rows)
    return held


def search(
    db: sqlite3.Connection, terms: Sequence[str], limit: int, schema: str = "main", skip: str | None = None
) -> list[tuple[int, float]]:
    """(chunk_id, BM25 score) best first for the question's analysed terms; higher is better.
    `schema`: the attached database to search; `skip`: a table of chunk ids to leave out (the
    base's chunks a delta generation replaced), filtered before the LIMIT."""
    expression = query_expression(terms)
    if expression is None:
        return []
    unless = f"AND rowid NOT IN (SELECT id FROM {skip})" if skip else ""
    rows = db.execute(
        f"SELECT rowid, bm25(chunk_terms) AS s FROM {schema}.chunk_terms WHERE chunk_terms MATCH ? {unless} "  # noqa: S608
        "ORDER BY s LIMIT ?",
        (expression, limit),
    ).fetchall()
    # FTS5's bm25() is negated so that ORDER BY ascending ranks best first.
    return [(int(rowid), -float(score)) for rowid, score in rows]


# FTS5's bm25() constants (fts5_aux.c).
_K1, _B = 1.2, 0.75
_AVERAGES_ROWID = 1  # FTS5 keeps (rows, tokens per column) in this record of its %_data table


@dataclass(frozen=True, slots=True)
class Totals:
    """What FTS5's bm25() scores an index with: its row count, token count, and term counts."""

    rows: int
    tokens: int

    @property
    def average_length(self) -> float:
        return self.tokens / self.rows if self.rows else 1.0


def totals(db: sqlite3.Connection, schema: str = "main") -> Totals:
    """The row and token counts FTS5 keeps for its own bm25() (read from its averages record:
    a varint row count, then a varint token count per column), without scanning the index."""
    row = db.execute(
        f"SELECT block FROM {schema}.chunk_terms_data WHERE id = ?", (_AVERAGES_ROWID,)  # noqa: S608
    ).fetchone()
    if row is None:
        return Totals(0, 0)
    rows, offset = _varint(row[0], 0)
    tokens, _ = _varint(row[0], offset)
    return Totals(rows, tokens)


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """SQLite's variable-length integer: 7 bits a byte, big end first, the ninth byte whole."""
    value = 0
    for position in range(9):
        byte = data[offset]
        offset += 1
        if position == 8:
            return (value << 8) | byte, offset
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value, offset


def document_counts(db: sqlite3.Connection, terms: Sequence[str], schema: str = "main") -> dict[str, int]:
    """How many chunks of `schema`'s index hold each term (FTS5's own counts, through fts5vocab;
    a TEMP table works on read-only connections)."""
    if not terms:
        return {}
    vocabulary = f"{schema}_chunk_vocab"
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{vocabulary} USING fts5vocab({schema}, chunk_terms, row)")
    marks = ",".join("?" * len(terms))
    rows = db.execute(f"SELECT term, doc FROM temp.{vocabulary} WHERE term IN ({marks})", list(terms))  # noqa: S608
    return dict(rows.fetchall())


def rescored(
    db: sqlite3.Connection, terms: Sequence[str], limit: int, schema: str, scale: Totals,
    frequencies: dict[str, int],
) -> list[tuple[int, float]]:
    """BM25 of `schema`'s best chunks on another index's scale: FTS5's formula with the row
    count, average length and term counts of `scale` (a delta generation's chunks, scored as
    though they sat in its base, so both lists merge by score). The candidates are the
    `limit` x 4 best by the small index's own BM25, whose order its few rows make noisy."""
    distinct = list(dict.fromkeys(terms))
    expression = query_expression(distinct)
    if expression is None or not scale.rows:
        return []
    rows = db.execute(
        f"SELECT rowid, terms FROM {schema}.chunk_terms WHERE chunk_terms MATCH ? "  # noqa: S608
        "ORDER BY bm25(chunk_terms) LIMIT ?",
        (expression, limit * 4),
    ).fetchall()
    idf = {}
    for term in distinct:
        hits = frequencies.get(term, 0)
        idf[term] = max(math.log((scale.rows - hits + 0.5) / (hits + 0.5)), 1e-6)
    scored = []
    for rowid, text in rows:
        held = _fts_tokens(text)
        counts = Counter(held)
        norm = _K1 * (1 - _B + _B * len(held) / scale.average_length)
        score = sum(idf[t] * counts[t] * (_K1 + 1) / (counts[t] + norm) for t in distinct if counts[t])
        scored.append((int(rowid), score))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


# What a sealed full generation holds for BM25 beside FTS5 (a cache of indexes, such as the
# evaluation's, keys on it: one built before the postings would be measured without them).
FORMAT = "fts5+postings-1"

# FTS5's tokenizer (unicode61) splits the stored terms on spaces and on underscores (a
# punctuation character to it, a word character to Python's \w).
_FTS_SEPARATORS = re.compile(r"[\s_]+")


def _fts_tokens(text: str) -> list[str]:
    return [token for token in _FTS_SEPARATORS.split(text) if token]


def write_postings(db: sqlite3.Connection) -> int:
    """(Re)write `term_postings` for a sealed generation's chunks: each term's chunk ids and
    BM25 contributions, read from FTS5 itself one term at a time (a one-term query's bm25() is
    exactly that term's contribution), so memory stays that of the longest list. Returns the
    number of postings."""
    db.execute("DROP TABLE IF EXISTS term_postings")
    db.execute("CREATE TABLE term_postings (term TEXT PRIMARY KEY, chunk_ids BLOB NOT NULL, scores BLOB NOT NULL)")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.main_chunk_vocab USING fts5vocab(main, chunk_terms, row)")
    vocabulary = [row[0] for row in db.execute("SELECT term FROM temp.main_chunk_vocab")]
    written = 0
    for term in vocabulary:
        rows = db.execute(
            "SELECT rowid, bm25(chunk_terms) FROM chunk_terms WHERE chunk_terms MATCH ?", (f'"{term}"',)
        ).fetchall()
        if not rows:
            continue
        pairs = np.array(rows, dtype=np.float64)
        db.execute(
            "INSERT INTO term_postings(term, chunk_ids, scores) VALUES (?, ?, ?)",
            (term, pairs[:, 0].astype(np.int32).tobytes(), (-pairs[:, 1]).astype(np.float32).tobytes()),
        )
        written += len(rows)
    return written


def has_postings(db: sqlite3.Connection, schema: str = "main") -> bool:
    found = db.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = 'term_postings'"  # noqa: S608
    ).fetchone()
    return found is not None


def search_postings(
    db: sqlite3.Connection, terms: Sequence[str], limit: int, schema: str, highest_id: int,
    skip: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """As `search`, from `term_postings` (see the module's docstring); `highest_id`: the
    largest chunk id of `schema`; `skip`: chunk ids left out (a delta's replaced chunks)."""
    distinct = list(dict.fromkeys(terms))
    if not distinct:
        return []
    marks = ",".join("?" * len(distinct))
    rows = db.execute(
        f"SELECT chunk_ids, scores FROM {schema}.term_postings WHERE term IN ({marks})", distinct  # noqa: S608
    ).fetchall()
    if not rows:
        return []
    total = np.zeros(highest_id + 1, dtype=np.float32)
    for ids, scores in rows:  # a term's chunk ids are distinct: plain fancy-index addition is exact
        total[np.frombuffer(ids, dtype=np.int32)] += np.frombuffer(scores, dtype=np.float32)
    if skip is not None and len(skip):
        total[skip] = 0.0
    hits = np.flatnonzero(total)  # ascending chunk ids
    if len(hits) > limit:
        # The `limit` best; among equal scores at the cut, the lowest chunk ids (as FTS5 does).
        scores = total[hits]
        cut = np.partition(scores, len(hits) - limit)[len(hits) - limit]
        above = hits[scores > cut]
        hits = np.concatenate([above, hits[scores == cut][: limit - len(above)]])
    hits = hits[np.lexsort((hits, -total[hits]))]  # best first, ties by chunk id
    return [(int(i), float(total[i])) for i in hits]
