"""The learned reader as the sentence judge: which retrieved sentences answer, and with which words.

A cheap first look (the question's key terms a sentence shares, weighted by rarity, and the
passage's rank: `answering.sentence_features.first_look`) shortlists a few sentences; the reader reads
each with the sentence before it and gives the probability that it answers and the span it
would answer with. The answer is declined when no sentence reaches the bar; the reply leads
with the best sentence's span only when the reader is sure of it (a lead must be right, or
absent). The bars are the reader's, read from its manifest (`decision`), chosen on held-out
articles (docs/EVALUATION.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from answering.lead import trim
from answering.protocol import SentenceScore, SentenceScorer
from answering.query import Query
from answering.reader.runtime import BatchedReader, Candidate, SentenceReader, load_reader
from answering.reader.store import MANIFEST
from answering.sentence_features import shortlist
from answering.sentences import candidates
from retrieval.encoders.model_cache import ModelCache
from retrieval.errors import QabotError
from retrieval.models import Passage

SHORTLIST = 6


@dataclass(frozen=True, slots=True)
class ReaderBars:
    """When the reader's judgement becomes an answer (kept in the adapter's manifest)."""

    answer: float = 0.5  # the best sentence's probability must reach this, or the question is declined
    lead: float = 0.5  # the span's own probability must reach this to lead the reply in bold
    extra_ratio: float = 0.8  # a further sentence needs this share of the best one's probability


class ReaderJudge:
    """The `SentenceScorer` with the learned reader deciding (blocking)."""

    every_language = True  # e5 is multilingual: an English question reads French sentences

    def __init__(self, reader: SentenceReader, bars: ReaderBars, shortlist: int = SHORTLIST) -> None:
        self._reader = reader
        self.bars = bars
        self._shortlist = shortlist

    def score(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> list[SentenceScore]:
        """The shortlisted sentences read, most probable answer first."""
        found = candidates(passages)
        if not found:
            return []
        order, lexical = shortlist(query, found, self._shortlist)
        chosen = [found[i] for i in order]
        readings = self._reader.read(query.text, [Candidate(c.text, c.before) for c in chosen])
        dense = max((p.dense_score or 0.0 for p in passages), default=0.0)
        rows = [
            SentenceScore(
                c.passage_number, c.text, r.probability,
                {"reader": r.probability, "span": r.answer_probability, "best_dense": dense,
                 "idf_match": idf_match or 0.0, "lexical": lexical[order[k]]},
                short_answer=trim(r.answer) if r.answer_probability >= self.bars.lead else None, terms=c.terms,
            )
            for k, (c, r) in enumerate(zip(chosen, readings, strict=True))
        ]
        rows.sort(key=lambda row: -row.probability)
        return rows

    def choose(self, judged: Sequence[SentenceScore], max_sentences: int, bar: float | None = None) -> list[SentenceScore]:
        """What `choose` picks under the reader's bars (`bar` given: that answer bar instead)."""
        bars = self.bars if bar is None else replace(self.bars, answer=bar)
        return choose(judged, bars, max_sentences)


class ReaderLeads:
    """A `SentenceScorer` whose sentences and decision are another scorer's (the hand-made
    judge), and whose bold lead is the reader's: the span it picks in the sentence the reply
    opens with, when it is sure of it, else no lead. The judge's own lead is the fact of the
    expected kind nearest the question's words, which is often another figure of the same
    sentence ("cinq" for how many of five tram lines stopped: three); the reader reads the
    sentence as a whole."""

    def __init__(self, scorer: SentenceScorer, reader: SentenceReader, bars: ReaderBars, read: int = 3) -> None:
        self._scorer = scorer
        self._reader = reader
        self.bars = bars
        self._read = read  # the first sentences read: whichever of them the reply opens with
        self.every_language = scorer.every_language

    def score(self, query: Query, passages: Sequence[Passage], idf_match: float | None) -> list[SentenceScore]:
        scored = self._scorer.score(query, passages, idf_match)
        first = scored[: self._read]
        if not first:
            return scored
        befores = {c.text: c.before for c in candidates(passages)}
        readings = self._reader.read(query.text, [Candidate(row.text, befores.get(row.text, "")) for row in first])
        # The lead is the reader's, sure by its own bar: the judge's confidence in its own lead
        # (answering.lead) is not carried over to hold it back.
        led = [
            replace(row, short_answer=trim(r.answer) if r.answer_probability >= self.bars.lead else None,
                    features={**_without_lead(row.features), "reader": r.probability, "span": r.answer_probability})
            for row, r in zip(first, readings, strict=True)
        ]
        return led + scored[self._read :]

    def choose(self, scored: Sequence[SentenceScore], max_sentences: int, bar: float | None = None) -> list[SentenceScore]:
        return self._scorer.choose(scored, max_sentences, bar)


def _without_lead(features: dict[str, float]) -> dict[str, float]:
    return {name: value for name, value in features.items() if name != "lead_confidence"}


def choose(judged: Sequence[SentenceScore], bars: ReaderBars, max_sentences: int) -> list[SentenceScore]:
    """The best sentence (`judged` is most probable first) when it reaches the answer bar, and
    further ones nearly as probable that reach it too; none when the best does not."""
    if not judged or judged[0].probability < bars.answer:
        return []
    best = judged[0]
    chosen = [best]
    for row in judged[1:]:
        if len(chosen) >= max_sentences or row.probability < max(bars.extra_ratio * best.probability, bars.answer):
            break
        chosen.append(row)
    return chosen


@lru_cache(maxsize=2)
def shared_reader(folder: Path, threads: int, runtime: str = "onnx-int8", cache_dir: Path | None = None) -> BatchedReader:
    """One reader per process, folder and runtime: it takes seconds to build (its ONNX export,
    once per machine, about a minute) and is read-only once built."""
    return load_reader(folder, runtime, threads, ModelCache(cache_dir) if cache_dir is not None else None)


MODELS_DIR = Path(__file__).resolve().parent.parent / "reader_models"


class ReaderMissing(QabotError, FileNotFoundError):
    """ANSWER_READER names no trained reader."""


def reader_folder(name: str) -> Path:
    """`name`'s folder under answering/reader_models/, or `name` as a path."""
    folder = MODELS_DIR / name if "/" not in name else Path(name)
    if not (folder / MANIFEST).is_file():
        raise ReaderMissing(
            f"ANSWER_READER={name}: no trained reader at {folder} (adapter.safetensors and manifest.json). "
            "Train one with `python -m evaluation.train_reader --all`, point ANSWER_READER at it, "
            "or set ANSWER_READER=off for the hand-made judge."
        )
    return folder


def load_reader_judge(folder: Path, threads: int = 2, runtime: str = "onnx-int8", cache_dir: Path | None = None) -> ReaderJudge:
    """The reader in `folder` (loaded once per process) deciding, with the bars its manifest records."""
    reader = shared_reader(folder.resolve(), threads, runtime, cache_dir)
    return ReaderJudge(reader, manifest_bars(reader.manifest))


def load_reader_leads(
    scorer: SentenceScorer, folder: Path, threads: int = 2, runtime: str = "onnx-int8", cache_dir: Path | None = None
) -> ReaderLeads:
    """`scorer` deciding, the reader in `folder` writing the bold lead."""
    reader = shared_reader(folder.resolve(), threads, runtime, cache_dir)
    return ReaderLeads(scorer, reader, manifest_bars(reader.manifest))


def manifest_bars(manifest: dict[str, object]) -> ReaderBars:
    decision = manifest.get("decision")
    chosen = decision if isinstance(decision, dict) else {}
    return ReaderBars(**{k: float(v) for k, v in chosen.items() if k in ReaderBars.__slots__})
