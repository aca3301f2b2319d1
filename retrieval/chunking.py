"""Split an article into chunks measured in the embedding model's own tokens.

LangChain's recursive splitter does the cutting (paragraphs, then lines, then sentences, then
clauses and words), with the model's tokenizer as its length function, so no chunk is silently
truncated by the encoder. Each chunk keeps its character offsets in the article's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.models import Article, Chunk

# Sentence ends: a boundary after . ! ? … (or a closing quote after them) and before the next
# sentence; French typography puts a (narrow) no-break space before ? ! and inside « ».
_SEPARATORS = [
    r"\n\s*\n",
    r"\n",
    r"(?<=[.!?…])\s+",
    r"(?<=[.!?…][»”\"])\s+",
    r"(?<=[;:])\s+",
    r"(?<=,)\s+",
    r"\s+",
    "",
]


@dataclass(frozen=True, slots=True)
class ChunkingConfig:
    chunk_tokens: int
    overlap_tokens: int

    def fitted(self, max_tokens: int) -> ChunkingConfig:
        """The same config capped to the model's window, with overlap below the chunk size."""
        size = min(self.chunk_tokens, max_tokens)
        return ChunkingConfig(size, min(self.overlap_tokens, size // 4))

    def describe(self) -> str:
        return f"tokens={self.chunk_tokens},overlap={self.overlap_tokens}"


class Chunker:
    def __init__(self, config: ChunkingConfig, count_tokens: Callable[[str], int]) -> None:
        # LangChain's splitter (a second to import) only where articles are chunked, not where
        # questions are answered.
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.config = config
        self._splitter = RecursiveCharacterTextSplitter(
            separators=_SEPARATORS,
            is_separator_regex=True,
            # Kept (at the end of the piece before) so merged splits are exact substrings.
            keep_separator="end",
            chunk_size=config.chunk_tokens,
            chunk_overlap=config.overlap_tokens,
            length_function=count_tokens,
            strip_whitespace=True,
        )

    def split(self, article: Article) -> list[Chunk]:
        chunks: list[Chunk] = []
        cursor = 0
        for piece in self._splitter.split_text(article.text):
            start = _locate(article.text, piece, cursor)
            if start < 0:
                continue
            end = start + len(piece)
            chunks.append(Chunk(article.id, len(chunks), start, end, article.text[start:end]))
            # Overlap means the next chunk may begin before this one ends, never before it starts.
            cursor = start + 1
        return chunks


def _locate(text: str, piece: str, cursor: int) -> int:
    """Where `piece` sits in `text` at or after `cursor`; the splitter may have folded separators."""
    found = text.find(piece, cursor)
    if found >= 0:
        return found
    # Separators were dropped between merged splits: match them as any run of whitespace.
    words = [re.escape(w) for w in piece.split()]
    if not words:
        return -1
    match = re.compile(r"\s+".join(words)).search(text, cursor)
    return match.start() if match else -1
