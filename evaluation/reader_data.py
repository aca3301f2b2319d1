"""The reader's training pairs: (question, candidate sentence with the one before it, label, span).

    python -m evaluation.reader_data --questions ../shared/eval/dev.jsonl \
        --corpus ../shared/eval/corpus --out var/reader/pairs.jsonl [--folds 5]

From each question of the set (the format `qabot eval` reads; the corpus is its folder of
articles):
- answerable: the sentences of its paragraph holding a gold answer are positives, the answer's
  first occurrence in them the span (group "answer"); the paragraph's other sentences are hard
  negatives ("paragraph"); so are the article's sentences outside the paragraph that share the
  most weight of the question's key terms ("article": what retrieval puts beside the paragraph,
  by the BM25 analysis and IDF, without running an index); and, as `evaluation.ontopic` builds
  its set, the article's closest sentences once the answer sentences are removed ("on-topic":
  what a reader sees when the article does not answer);
- off-corpus (no article): the corpus's closest sentences ("off-corpus").
Folds are by article (sha256 of its file name; an off-corpus question's by its id), so every
out-of-fold figure is on articles the reader never saw. The pairs' sha256 goes in the reader's
manifest. A row whose `answerable` is null (a declined question `qabot export-training
--unanswered` listed, not yet decided by an editor) gives no pair.

Pairs made elsewhere in this format (`qabot export-training`: the readers' votes) are read back
with `read_pairs`, their folds made again by the same rule (`train_reader --pairs`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from answering.sentences import Span, split_sentences
from evaluation.metrics import contains_answer, normalize
from retrieval.text import analyze

CLOSEST = 3  # negatives per question from the article, the answer-less article, the corpus


@dataclass(frozen=True, slots=True)
class Pair:
    question_id: str
    question: str
    sentence: str
    before: str  # the sentence before it in the article, as a little context
    label: int  # 1: the sentence answers the question
    answer: tuple[int, int] | None  # the gold answer's character offsets in `sentence`
    article: str | None
    fold: int
    group: str  # answer, paragraph, article, on-topic, off-corpus


@dataclass(frozen=True, slots=True)
class _Sentence:
    article: str
    index: int
    text: str
    before: str
    terms: frozenset[str]


def fold_of(key: str, folds: int) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % folds


def article_sentences(name: str, text: str) -> list[_Sentence]:
    """The article's sentences after its header line, each with the one before it."""
    spans: list[Span] = split_sentences(text.partition("\n")[2])
    return [
        _Sentence(name, i, s.text, spans[i - 1].text if i else "", frozenset(analyze(s.text)))
        for i, s in enumerate(spans)
    ]


class _Closest:
    """Sentences ranked by the IDF weight of the question's key terms they hold."""

    def __init__(self, sentences: Sequence[_Sentence]) -> None:
        self._postings: dict[str, list[int]] = defaultdict(list)
        for i, sentence in enumerate(sentences):
            for term in sentence.terms:
                self._postings[term].append(i)
        self._sentences = sentences
        self._idf = {t: math.log(1 + len(sentences) / (1 + len(p))) for t, p in self._postings.items()}

    def rank(self, question: str, among: Iterable[int] | None = None) -> list[int]:
        allowed = None if among is None else set(among)
        scores: dict[int, float] = defaultdict(float)
        for term in set(analyze(question)):
            for i in self._postings.get(term, ()):
                if allowed is None or i in allowed:
                    scores[i] += self._idf[term]
        return sorted(scores, key=lambda i: (-scores[i], i))


def answer_offsets(sentence: str, answers: Sequence[str]) -> tuple[int, int] | None:
    """The first gold answer found verbatim (case aside) in the sentence."""
    lowered = sentence.lower()
    for answer in answers:
        at = lowered.find(answer.strip().lower())
        if answer.strip() and at >= 0:
            return at, at + len(answer.strip())
    return None


def build_pairs(rows: Sequence[dict[str, Any]], corpus: dict[str, str], folds: int) -> list[Pair]:
    """The pairs of every question (pure: no file access), in the rows' order."""
    sentences = [s for name in sorted(corpus) for s in article_sentences(name, corpus[name])]
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, sentence in enumerate(sentences):
        by_article[sentence.article].append(i)
    closest = _Closest(sentences)
    pairs: list[Pair] = []
    for row in rows:
        question, qid = str(row["question"]), str(row["id"])
        answers = [str(a) for a in row.get("answers", [])]
        article = row.get("article")
        if "answerable" in row and row["answerable"] is None:
            continue  # undecided: an unanswered question is not an off-corpus one
        if not row.get("answerable", True) or article not in corpus:
            fold = fold_of(qid, folds)
            for i in closest.rank(question)[:CLOSEST]:
                pairs.append(_pair(row, sentences[i], 0, None, None, fold, "off-corpus"))
            continue
        name = str(article)
        fold = fold_of(name, folds)
        context = normalize(str(row.get("context", "")))
        in_paragraph = [i for i in by_article[name] if normalize(sentences[i].text) in context] if context else []
        answering = {i for i in in_paragraph if contains_answer(sentences[i].text, answers)}
        seen: set[int] = set()
        for i in in_paragraph:
            labelled = i in answering
            span = answer_offsets(sentences[i].text, answers) if labelled else None
            pairs.append(_pair(row, sentences[i], int(labelled), span, name, fold, "answer" if labelled else "paragraph"))
            seen.add(i)
        outside = [i for i in by_article[name] if i not in seen and not contains_answer(sentences[i].text, answers)]
        for group, pool in (("article", outside), ("on-topic", [i for i in by_article[name] if i not in answering])):
            for i in [i for i in closest.rank(question, pool) if i not in seen][:CLOSEST]:
                if contains_answer(sentences[i].text, answers):
                    continue  # the answer is said again elsewhere: not a negative
                pairs.append(_pair(row, sentences[i], 0, None, name, fold, group))
                seen.add(i)
    return pairs


def _pair(row: dict[str, object], s: _Sentence, label: int, span: tuple[int, int] | None,
          article: str | None, fold: int, group: str) -> Pair:
    return Pair(str(row["id"]), str(row["question"]), s.text, s.before, label, span, article, fold, group)


def pairs_sha256(pairs: Iterable[Pair]) -> str:
    """The pairs' identity, for the manifest: sha256 of their canonical JSON lines."""
    digest = hashlib.sha256()
    for pair in pairs:
        digest.update(json.dumps(asdict(pair), ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
    return digest.hexdigest()


def read_pairs(path: Path, folds: int) -> list[Pair]:
    """Pairs written one JSON object a line (this module's `--out`, `qabot export-training`),
    each in its fold by its article's file name (an article-less pair's by its question id), as
    `build_pairs` assigns them: a pair's article held out is held out with the set's."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            span = row.get("answer")
            pairs.append(Pair(
                question_id=str(row["question_id"]), question=str(row["question"]), sentence=str(row["sentence"]),
                before=str(row.get("before", "")), label=int(row["label"]),
                answer=None if span is None else (int(span[0]), int(span[1])), article=row.get("article"),
                fold=fold_of(str(row.get("article") or row["question_id"]), folds), group=str(row["group"]),
            ))
    return pairs


def load(questions: Path, corpus: Path, folds: int) -> list[Pair]:
    rows = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(corpus.iterdir()) if path.is_file()}
    return build_pairs(rows, texts, folds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    pairs = load(args.questions, args.corpus, args.folds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for pair in pairs:
            handle.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")
    groups: dict[str, int] = defaultdict(int)
    for pair in pairs:
        groups[pair.group] += 1
    print(json.dumps({"pairs": len(pairs), "sha256": pairs_sha256(pairs), **groups}))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
