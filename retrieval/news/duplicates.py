"""Near-duplicate articles: syndicated copies of one story, found at index time.

A wire story reaches the folder (or the feeds) several times: the agency's text, then the
same text under another headline and source, a dateline added, a paragraph cut, typographic
apostrophes. Each article gets a MinHash signature of its word 5-grams (datasketch); a
locality-sensitive hash index proposes pairs whose estimated Jaccard similarity of 5-grams
reaches `THRESHOLD`; the pairs are kept in the index and their connected components are the
groups. Articles on the same subject from another day share words but few 5-word runs (under
0.1 on the news test set), copies share most (over 0.6): the threshold sits between.

Signatures are stored with the articles, so a re-index only signs and looks up the new and
changed ones. Retrieval then hands the answerer one copy per group, and the others' sources
travel with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import LeanMinHash

# datasketch (with scipy behind it, a second to import) is loaded by the functions that hash:
# indexing needs it, answering a question does not.

NUM_PERM = 128
SHINGLE_WORDS = 5
THRESHOLD = 0.5
# Fixed: signatures stored in one generation are compared with the next one's.
_SEED = 1
_SCHEME = "affine32"

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[bytes]:
    """Runs of SHINGLE_WORDS words, lower-cased, accents and punctuation ignored."""
    folded = unicodedata.normalize("NFKD", text.lower())
    words = _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> bytes:
    """The MinHash signature of a text, as bytes to store."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME)
    minhash.update_batch(list(shingles(text)))
    return np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes()


def _minhash(stored: bytes) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=_SEED, hashvalues=np.frombuffer(stored, dtype=np.uint64), scheme=_SCHEME)


# Up to this many fresh articles, each is compared with every signature at once (numpy: a few
# milliseconds at 10,000 articles); beyond, an LSH index avoids comparing all pairs.
DIRECT_LIMIT = 256


def similar_pairs(
    signatures: dict[str, bytes], fresh: Iterable[str], threshold: float = THRESHOLD
) -> set[tuple[str, str]]:
    """Pairs (a, b), a < b, of articles whose estimated 5-gram Jaccard similarity reaches
    `threshold`, at least one of them in `fresh`."""
    fresh = [a for a in fresh if a in signatures]
    if not fresh:
        return set()
    if len(fresh) <= DIRECT_LIMIT:
        return _direct_pairs(signatures, fresh, threshold)
    from datasketch import MinHashLSH

    hashes = {article: _minhash(stored) for article, stored in signatures.items()}
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for article, minhash in hashes.items():
            session.insert(article, minhash, check_duplication=False)
    pairs: set[tuple[str, str]] = set()
    for article in fresh:
        for other in lsh.query(hashes[article]):
            if other != article and hashes[article].jaccard(hashes[other]) >= threshold:
                pairs.add((min(article, other), max(article, other)))
    return pairs


def _direct_pairs(signatures: dict[str, bytes], fresh: list[str], threshold: float) -> set[tuple[str, str]]:
    """The share of equal MinHash values (the Jaccard estimate) of each fresh article with all."""
    ids = list(signatures)
    matrix = np.frombuffer(b"".join(signatures[a] for a in ids), dtype=np.uint64).reshape(len(ids), NUM_PERM)
    row_of = {article: i for i, article in enumerate(ids)}
    pairs: set[tuple[str, str]] = set()
    for article in fresh:
        similarity = (matrix == matrix[row_of[article]]).mean(axis=1)
        for j in np.flatnonzero(similarity >= threshold):
            other = ids[int(j)]
            if other != article:
                pairs.add((min(article, other), max(article, other)))
    return pairs


def groups(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each article in a pair -> its group's name (the group's smallest article id)."""
    parent: dict[str, str] = {}

    def find(article: str) -> str:
        parent.setdefault(article, article)
        while parent[article] != article:
            parent[article] = parent[parent[article]]
            article = parent[article]
        return article

    for a, b in pairs:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    return {article: find(article) for article in parent}
