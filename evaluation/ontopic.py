"""Build the second kind of unanswerable question: on the subject of an article in the corpus,
whose answer is not in it.

    python -m evaluation.ontopic --questions ../shared/eval/dev.jsonl --corpus ../shared/eval/corpus \
        --out var/eval/ontopic [--articles 40] [--per-article 2] [--seed 11]

From a sample of articles, the sentences holding selected questions' gold answers are removed
(a question is kept only when none of its gold answers then occurs anywhere in the corpus); the
other questions of those articles whose answer is still there are the answerable controls.
Writes `OUT/corpus/` (a copy of the corpus with those sentences removed) and
`OUT/questions.jsonl`: the removed ones `answerable: false` with their `article` kept and
`group: "on-topic"`, the controls `group: "same-article"`. `qabot eval --questions
OUT/questions.jsonl --corpus OUT/corpus --answers` reports both refusals.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from answering.sentences import split_sentences
from evaluation.metrics import contains_answer

ONTOPIC = "on-topic"
SAME_ARTICLE = "same-article"

# A question as the JSON lines hold it (id, question, answers, answerable, article, group...).
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Built:
    corpus: dict[str, str]  # article file name -> text
    questions: list[Row]


def remove_answers(text: str, answers: list[str]) -> str:
    """`text` without the sentences holding one of `answers` (the header line is kept)."""
    header, _, body = text.partition("\n")
    kept_from = 0
    pieces: list[str] = []
    for span in split_sentences(body):
        if contains_answer(span.text, answers):
            pieces.append(body[kept_from : span.start])
            kept_from = span.end
    pieces.append(body[kept_from:])
    return header + "\n" + "".join(pieces)


def build(rows: list[Row], corpus: dict[str, str], articles: int, per_article: int, seed: int) -> Built:
    """The modified corpus and the on-topic question set (pure: no file access)."""
    rng = random.Random(seed)
    by_article: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get("answerable", True) and row.get("article") in corpus:
            by_article[str(row["article"])].append(row)
    eligible = sorted(a for a, questions in by_article.items() if len(questions) >= per_article + 2)
    chosen = rng.sample(eligible, min(articles, len(eligible)))
    texts = dict(corpus)
    questions: list[Row] = []
    for article in sorted(chosen):
        pool = list(by_article[article])
        rng.shuffle(pool)
        removed: list[Row] = []
        for row in pool:
            if len(removed) == per_article:
                break
            answers = [str(a) for a in row["answers"]]
            trial = remove_answers(texts[article], answers)
            # The sentence must be gone everywhere, and the article keep most of its text.
            if trial == texts[article] or len(trial) < 0.7 * len(corpus[article]):
                continue
            if any(contains_answer(text, answers) for name, text in texts.items() if name != article):
                continue
            if contains_answer(trial, answers):
                continue
            texts[article] = trial
            removed.append(row)
        removed_ids = {row["id"] for row in removed}
        for row in removed:
            questions.append({**row, "answerable": False, "group": ONTOPIC})
        for row in by_article[article]:
            # A control's answer must have survived the removals of the others.
            if row["id"] not in removed_ids and contains_answer(texts[article], [str(a) for a in row["answers"]]):
                questions.append({**row, "group": SAME_ARTICLE})
    # Removing a sentence for one question can take away another's answer: checked again here.
    kept = [q for q in questions if q["group"] == SAME_ARTICLE or not any(
        contains_answer(text, [str(a) for a in q["answers"]]) for text in texts.values()
    )]
    return Built(texts, kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--per-article", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = {path.name: path.read_text(encoding="utf-8") for path in sorted(args.corpus.iterdir()) if path.is_file()}
    built = build(rows, corpus, args.articles, args.per_article, args.seed)
    target = args.out / "corpus"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, text in built.corpus.items():
        (target / name).write_text(text, encoding="utf-8")
    with (args.out / "questions.jsonl").open("w", encoding="utf-8") as handle:
        for row in built.questions:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for row in built.questions:
        counts[str(row["group"])] += 1
    print(json.dumps({"out": str(args.out), **counts}))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
