"""`qabot eval --questions FILE [--corpus DIR] [--k 10] [--answers] [--limit N] [--json OUT]
[--mode dense|bm25|hybrid|all] [--plot OUT.png]`: retrieval (and answer) quality on a question set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import get_args

from cli.commands.arguments import positive_int
from qabot.settings import RetrievalMode, Settings

MODES = get_args(RetrievalMode)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("eval", help="measure retrieval and answer quality on a question set")
    parser.add_argument("--questions", type=Path, required=True,
                        help="JSON lines: id, question, answers, answerable, article")
    parser.add_argument("--corpus", type=Path, default=None, help="articles to index (default ARTICLES_DIR)")
    parser.add_argument("--k", type=positive_int, default=10, help="deepest cut-off for recall@k (default 10)")
    parser.add_argument("--mode", choices=(*MODES, "all"), default="all", help="retrieval mode(s) to measure")
    parser.add_argument("--answers", action="store_true", help="also ask every question through the answer service")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    parser.add_argument("--plot", type=Path, default=None, help="PNG of recall@k (default: beside --json)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from evaluation import runner  # heavy (models, index, plots): only for this command

    corpus = args.corpus or settings.articles_dir
    modes = list(MODES) if args.mode == "all" else [args.mode]
    report = runner.run(
        settings, args.questions, corpus, modes=modes, k=args.k, answers=args.answers, limit=args.limit
    )
    print(runner.table(report["retrieval"], report["answers"]))  # type: ignore[arg-type]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"Report: {args.json}")
    plot_path = args.plot or (args.json.with_suffix(".png") if args.json else None)
    if plot_path:
        index = report["index"]
        title = f"{index['embedding']}, {index['chunking']}, {report['answerable']} questions"  # type: ignore[index]
        runner.plot(report["retrieval"], plot_path, title)  # type: ignore[arg-type]
        print(f"Plot: {plot_path}")
    return 0
