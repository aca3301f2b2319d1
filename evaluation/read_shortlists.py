"""Every shortlisted sentence of the judge's caches, read by the learned reader that held its
article out: the reader's probability as an out-of-fold column for `evaluation.fit_judge --readings`.

    OMP_NUM_THREADS=2 python -m evaluation.read_shortlists \
        --set var/eval/judge-dev.jsonl:../shared/eval/corpus \
        --set var/eval/judge-ontopic.jsonl:var/eval/ontopic/corpus \
        --readers answering/reader_models/fold-{0,1,2,3,4}-a6 --out var/eval/reader-readings.jsonl

Each reader's manifest says which fold of articles it held out (folds by article as
`evaluation.reader_data` deals them: sha256 of the article's file name, an off-corpus question's
by its id); that reader reads the questions of that fold only, each sentence with the one before
it in its article, as in training (`evaluation.stack_reader` reads one fold the same way). The
probabilities are appended to `--out` as they come (JSON lines: `set/id`, probabilities in the
cache's sentence order), so a second run reads only what is missing: folds may be read as their
readers land (`fit_judge --readings` fails naming any question left unread).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from answering.reader.runtime import load_reader
from evaluation.stack_reader import load_set, read_all
from qabot.settings import Settings
from retrieval.encoders.model_cache import ModelCache


def held_out_fold(reader: Path) -> tuple[int, int]:
    """(the fold `reader` held out, of how many), from its manifest; a reader trained on every
    article (`--all`) has none and would read its own training data."""
    manifest = json.loads((reader / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("fold") is None:
        raise SystemExit(f"{reader} held no fold out (trained with --all): its readings would not be out of fold")
    return int(manifest["fold"]), int(manifest["folds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", required=True, metavar="FEATURES:CORPUS",
                        help="a judge cache (evaluation.judge_data) and the corpus it was made over; repeatable")
    parser.add_argument("--readers", type=Path, nargs="+", required=True, help="one reader per held-out fold")
    parser.add_argument("--out", type=Path, required=True, help="the readings (JSON lines), appended to")
    parser.add_argument("--no-before", action="store_true",
                        help="each sentence read alone, without the one before it (about half the tokens)")
    parser.add_argument("--runtime", default="onnx-int8")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    folds = {reader: held_out_fold(reader) for reader in args.readers}
    counts = {n for _, n in folds.values()}
    if len(counts) != 1:
        parser.error(f"the readers were trained on different numbers of folds: {sorted(counts)}")
    (count,) = counts
    missing = sorted(set(range(count)) - {fold for fold, _ in folds.values()})
    if missing:
        print(f"no reader given for fold(s) {missing}: their questions stay unread", file=sys.stderr)  # noqa: T201
    cache = ModelCache(Settings().model_cache_dir)
    for reader_folder, (fold, _) in folds.items():
        reader = load_reader(reader_folder, args.runtime, args.threads, cache)
        for features, _, corpus in (s.partition(":") for s in args.set):
            questions = load_set(Path(features), Path(corpus), fold, count)
            read_all(reader, replace(questions, befores={}) if args.no_before else questions, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
