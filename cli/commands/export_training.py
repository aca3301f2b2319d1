"""`qabot export-training --out PAIRS.jsonl [--since DAYS] [--unanswered FILE]`: the readers'
👍/👎 as the learned reader's training pairs (`python -m evaluation.train_reader --pairs`), and the
declined questions as a list for an editor. What a vote says is in qabot/stores/training.py."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cli.commands.arguments import positive_int
from cli.front import records_door
from qabot.errors import QabotError
from qabot.records import DeclinedQuestion, TrainingExport, VotedPair
from qabot.settings import Settings

DESCRIPTION = """\
Write what readers voted on as training pairs for the learned reader, one JSON object a line
(the format of `python -m evaluation.reader_data`): a 👍 answer's first cited sentence is a
positive for its question (the bold fact it showed, its answer span), a 👎 one's a negative (a
👎 does not make the question unanswerable). Identical questions are one example: the majority
of their readers decides, a tie is left out. Answers that do not quote their article (an LLM's
own wording) and timelines are left out.

Only what is still in the bot's database is exported: what readers deleted with /forget and
what DATA_RETENTION_DAYS purged is not there. A training file made earlier must be made again
after a /forget to leave that reader out.
"""

EPILOG = """\
then: python -m evaluation.train_reader --fold 0 --questions Q.jsonl --corpus ARTICLES --pairs PAIRS.jsonl
--out answering/reader_models/try (measure on articles it never saw; Q.jsonl: questions in the
evaluation set's format, README), then --all instead of --fold 0 with --out answering/reader_models/ours,
and ANSWER_READER=ours.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export-training", help="write the readers' 👍/👎 as training pairs for the learned reader",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, metavar="PAIRS.jsonl", help="the pairs' file (replaced)")
    parser.add_argument("--since", type=positive_int, metavar="DAYS", help="only questions asked in the last DAYS days")
    parser.add_argument(
        "--unanswered", type=Path, metavar="FILE",
        help="also write the declined questions, in the evaluation set's format with `answerable` null, for "
        "an editor to answer (never written as negatives)",
    )
    parser.add_argument("--folds", type=positive_int, default=5,
                        help="the folds the pairs' `fold` is given for (train_reader assigns its own again)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    since = None if args.since is None else (datetime.now(UTC) - timedelta(days=args.since)).isoformat(timespec="seconds")
    exported = asyncio.run(_export(settings, since))
    _write(args.out, pair_rows(exported.pairs, args.folds))
    up = sum(p.label for p in exported.pairs)
    print(f"{len(exported.pairs)} pairs ({up} 👍, {len(exported.pairs) - up} 👎) written to {args.out}.")
    if not exported.pairs and not exported.set_aside:
        from qabot.services import database_location  # only to name it: not loaded for --help

        print("No votes on answers" + (f" asked in the last {args.since} days" if args.since else "")
              + f" in {database_location(settings)} yet: readers vote with the 👍/👎 buttons under each answer "
              "(check DATA_DIR or DATABASE_URL if this is not the bot's database).")
    if exported.set_aside:
        print("Left out: " + ", ".join(f"{reason} {count}" for reason, count in sorted(exported.set_aside.items())) + ".")
    if args.unanswered is not None:
        _write(args.unanswered, declined_rows(exported.declined))
        count = len(exported.declined)
        print(f"{count} declined question{'' if count == 1 else 's'} written to {args.unanswered}, for an editor to answer.")
    return 0


async def _export(settings: Settings, since: str | None) -> TrainingExport:
    async with records_door(settings) as door:
        return await door.training_export(since)


def pair_rows(pairs: Iterable[VotedPair], folds: int) -> list[dict[str, object]]:
    """The pairs as `evaluation.reader_data` writes its own (its `Pair`, field for field)."""
    from evaluation.reader_data import (  # the analyser behind it: only for this command
        Pair,
        fold_of,
    )

    return [
        asdict(Pair(
            question_id=p.question_id, question=p.question, sentence=p.sentence, before=p.before, label=p.label,
            answer=p.answer, article=p.article, fold=fold_of(p.article, folds),
            group="voted-up" if p.label else "voted-down",
        ))
        for p in pairs
    ]


def declined_rows(declined: Iterable[DeclinedQuestion]) -> list[dict[str, object]]:
    """Rows of the evaluation set's format an editor completes: `answers`, `article` (a file
    name), `context` (the paragraph) and `answerable` true; or `answerable` false when no
    article answers it. Left null, `evaluation.reader_data` makes no pair of it."""
    return [
        {"id": d.question_id, "question": d.question, "answers": [], "article": None, "context": "",
         "answerable": None, "asked": d.asked, "last_asked": d.last_at, "wordings": list(d.wordings),
         "nearest": list(d.nearest)}
        for d in declined
    ]


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    """Written aside, then renamed: a training run never reads half a file."""
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with part.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        part.replace(path)
    except OSError as exc:
        raise QabotError(f"Could not write {path} ({exc.strerror or exc}): choose another file or folder.") from exc
