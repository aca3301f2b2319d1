"""The French analyser, shared by indexing, searching and answering: a text's index terms
(NFKC, lower case, French elisions (l', d', qu', jusqu'...) cut off, accents folded, stop words
dropped, Snowball French stemming), and a question read once into what retrieval needs (its
terms and the period it asks about)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

import Stemmer

from retrieval.models import SearchQuery

if TYPE_CHECKING:
    from retrieval.dates import DateFinder

_TOKEN = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’]")
# Function words only: content words (even short ones like "an", "été") carry the answer.
_STOPWORDS = frozenset(
    ["a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "elles", "en", "et", "eux", "il", "ils", "je", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "est", "sont", "ete", "etait", "etaient", "c", "d", "j", "l", "m", "n", "s", "t", "quel", "quelle", "quels", "quelles", "quoi", "dont", "ou", "comment", "combien", "pourquoi", "quand", "lequel", "laquelle", "lesquels", "lesquelles", "a-t-il", "a-t-elle", "fait", "faire", "the", "of", "and", "to", "in", "is", "was", "what", "who", "which", "when", "how", "why", "did", "does", "do", "are"]
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def analyze(text: str) -> list[str]:
    """Index terms of a text, in order (duplicates kept: BM25 counts them)."""
    return analyze_each([text])[0]


def analyze_each(texts: Sequence[str]) -> list[list[str]]:
    """`analyze` of each text, in one call: the answer reads a question's candidate sentences,
    or a sentence's words, together, with one pass of the stemmer over all their words (each
    word stems alone, so the terms are those of one call per text)."""
    folded: list[list[str]] = []
    for text in texts:
        terms: list[str] = []
        for token in _TOKEN.findall(unicodedata.normalize("NFKC", text).lower()):
            token = _ELISION.sub("", token)
            for part in re.split(r"['’]", token):
                word = fold(part)
                if not word or word in _STOPWORDS:
                    continue
                terms.append(word)
        folded.append(terms)
    stems: list[str] = _stemmer().stemWords([word for terms in folded for word in terms])
    each: list[list[str]] = []
    start = 0
    for terms in folded:
        each.append(stems[start : start + len(terms)])
        start += len(terms)
    return each


def search_query(text: str) -> SearchQuery:
    """A question as retrieval reads it: its text and its analysed terms (no dates)."""
    return SearchQuery(text, tuple(analyze(text)))


@dataclass(frozen=True, slots=True)
class QuestionReader:
    """Reads a question's text once into what retrieval needs: its analysed terms and the
    period or "the latest" it asks about, relative dates ("hier") read on `clock`'s day (the
    bot's, in BOT_TIMEZONE). Without `dates` (RETRIEVAL_DATES=false), dates play no part."""

    dates: DateFinder | None
    clock: Callable[[], date] = field(default=date.today)

    def __call__(self, text: str) -> SearchQuery:
        found = self.dates.question(text, self.clock()) if self.dates is not None else None
        return SearchQuery(text, tuple(analyze(text)), found)
