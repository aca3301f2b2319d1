"""Choose the learned reader's bars on held-out articles, and report what they give.

    python -m evaluation.tune_reader --reader var/reader/fold-0 \
        --set var/reader/fold0.jsonl:../shared/eval/corpus \
        [--set var/eval/ontopic/questions.jsonl:var/eval/ontopic/corpus] \
        --json docs/eval/reader-bars.json [--write-manifest answering/reader_models/reader]

Every question of each set (questions file : its corpus) is retrieved and read once, with the
reader answering everything; then the bars are swept over those readings:
- `answer`: the best sentence's probability a question needs to be answered; chosen to get the
  most questions right (answered with a gold answer, or declined when unanswerable);
- `lead`: how sure the reader must be of its span to show it in bold; the lowest bar whose bold
  leads share no word with any gold answer in at most 5 % of the shown ones.
Honesty: the report's figures are cross-fitted, the bars chosen on one half of the articles
and measured on the other (and the reverse); the bars written are those chosen on all of them.
Use a reader trained without these articles (`train_reader --fold K`, the set of fold K).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from answering.protocol import SentenceScore, SentenceScorer
from answering.query import detect_language, plain_query
from answering.reader.judge import (
    ReaderBars,
    ReaderJudge,
    ReaderLeads,
    choose,
    load_reader_judge,
    load_reader_leads,
)
from evaluation import metrics
from evaluation.reader_data import fold_of
from evaluation.runner import Question, load_questions, prepare, progress_bar
from qabot.services import build_embedder_from, fitted_judge, reader_runtime
from qabot.settings import load_settings

logger = logging.getLogger(__name__)

WRONG_LEADS = 0.05  # of the bold leads shown, at most this share may share no word with the gold
ANSWER_BARS = [round(0.05 * i, 2) for i in range(1, 20)]
LEAD_BARS = [round(0.05 * i, 2) for i in range(0, 20)]


@dataclass(frozen=True, slots=True)
class Read:
    """One question as the reader saw it (every shortlisted sentence, most probable first)."""

    question: Question
    half: int  # which half of the articles (cross-fitting)
    judged: tuple[SentenceScore, ...]
    spans: tuple[float, ...]  # the span probability of each judged row


def scored(scorer: SentenceScorer, sets: Sequence[tuple[Path, Path]]) -> Iterator[tuple[Question, list[SentenceScore]]]:
    """Every question of the sets retrieved over its corpus and scored by `scorer`."""
    settings = load_settings()
    for questions_path, corpus in sets:
        services = prepare(settings, corpus)
        for q in progress_bar(load_questions(questions_path), desc=questions_path.name, unit="q"):
            search = services.retriever.search(q.question)
            query = plain_query(q.question, detect_language(q.question))
            yield q, scorer.score(query, search.passages, search.idf_match)


def read_all(judge: ReaderJudge, sets: Sequence[tuple[Path, Path]]) -> list[Read]:
    judge.bars = replace(judge.bars, lead=0.0)  # every span kept: the lead bar is swept after
    rows: list[Read] = []
    for q, judged in scored(judge, sets):
        key = q.article if q.answerable and q.article else q.id
        rows.append(Read(q, fold_of(f"half:{key}", 2), tuple(judged), tuple(j.features["span"] for j in judged)))
    return rows


@dataclass(frozen=True, slots=True)
class Outcome:
    answerable: bool
    group: str
    declined: bool
    correct: bool  # answered, and the reply (lead and quoted sentences) states a gold answer
    fact_first: bool
    lead: str | None
    lead_f1: float


def outcome(read: Read, bars: ReaderBars, max_sentences: int = 3) -> Outcome:
    """What the reply would be under `bars`: declined, correct, fact first, the lead shown."""
    chosen = choose(list(read.judged), bars, max_sentences)
    q = read.question
    lead = chosen[0].short_answer if chosen and read.spans[0] >= bars.lead else None
    text = f"{lead or ''} " + " ".join(row.text for row in chosen)
    return Outcome(
        q.answerable, q.group, not chosen,
        q.answerable and bool(chosen) and metrics.contains_answer(text, q.answers),
        q.answerable and bool(chosen) and metrics.contains_answer(chosen[0].text, q.answers),
        lead, metrics.token_f1(lead, q.answers) if lead and q.answerable else 0.0,
    )


def figures(reads: Sequence[Read], bars: ReaderBars) -> dict[str, float]:
    rows = [outcome(r, bars) for r in reads]
    answerable = [r for r in rows if r.answerable]
    answered = [r for r in answerable if not r.declined]
    shown = [r for r in answered if r.lead]

    def share(part: float, whole: int) -> float:
        return round(part / whole, 4) if whole else 0.0

    def declined(group: str) -> float:
        members = [r for r in rows if r.group == group]
        return share(sum(r.declined for r in members), len(members))

    right = sum(r.correct for r in answerable) + sum(r.declined for r in rows if not r.answerable)
    return {
        "questions": len(rows), "right": share(right, len(rows)),
        "accuracy": share(sum(r.correct for r in answerable), len(answerable)),
        "accuracy_when_answered": share(sum(r.correct for r in answered), len(answered)),
        "fact_first": share(sum(r.fact_first for r in answered), len(answered)),
        "short_answer_shown": share(len(shown), len(answered)),
        "short_answer_f1": share(sum(r.lead_f1 for r in shown), len(shown)),
        "leads_wrong": share(sum(r.lead_f1 == 0.0 for r in shown), len(shown)),
        **{f"declined_{g}": declined(g) for g in ("answerable", "off-corpus", "on-topic", "same-article")},
    }


def choose_bars(reads: Sequence[Read], start: ReaderBars) -> ReaderBars:
    """The answer bar getting the most questions right, then the lowest lead bar keeping wrong
    leads at most WRONG_LEADS of those shown."""
    answer = max(ANSWER_BARS, key=lambda b: (figures(reads, replace(start, answer=b, lead=1.0))["right"], -b))
    bars = replace(start, answer=answer)
    for lead in LEAD_BARS:
        if figures(reads, replace(bars, lead=lead))["leads_wrong"] <= WRONG_LEADS:
            return replace(bars, lead=lead)
    return replace(bars, lead=1.01)


def cross_fitted(reads: Sequence[Read], start: ReaderBars) -> dict[str, object]:
    """Bars chosen on one half of the articles, measured on the other, both ways; the
    figures pooled over both halves, weighted by their questions."""
    chosen: dict[str, dict[str, float]] = {}
    parts: list[tuple[dict[str, float], int]] = []
    for half in (0, 1):
        bars = choose_bars([r for r in reads if r.half != half], start)
        test = [r for r in reads if r.half == half]
        chosen[f"half_{half}"] = asdict(bars)
        parts.append((figures(test, bars), len(test)))
    total = sum(n for _, n in parts) or 1
    pooled = {name: round(sum(f[name] * n for f, n in parts) / total, 4) for name in parts[0][0]}
    pooled["questions"] = total
    return {"bars_by_half": chosen, "figures": pooled}


@dataclass(frozen=True, slots=True)
class Led:
    """A question the judge answered, as the reader would lead it: its span in the sentence the
    reply opens with, and how sure it is of it."""

    question: Question
    span: str | None
    sure: float


def read_leads(leads: ReaderLeads, sets: Sequence[tuple[Path, Path]], max_sentences: int = 3) -> list[Led]:
    """The judge's answered answerable questions, each with the reader's span on its first sentence."""
    leads.bars = replace(leads.bars, lead=0.0)  # every span kept: the lead bar is swept after
    rows: list[Led] = []
    for q, rows_scored in scored(leads, sets):
        chosen = leads.choose(rows_scored, max_sentences) if q.answerable else []
        if chosen:
            rows.append(Led(q, chosen[0].short_answer, chosen[0].features.get("span", 0.0)))
    return rows


def lead_figures(rows: Sequence[Led], bar: float) -> dict[str, float]:
    """Of the answered questions: the share led in bold, its token F1, and the share of bold
    leads sharing no word with any gold answer."""
    shown = [r for r in rows if r.span and r.sure >= bar]
    f1 = [metrics.token_f1(r.span, r.question.answers) for r in shown if r.span]
    return {
        "bar": bar, "answered": len(rows), "shown": round(len(shown) / len(rows), 4) if rows else 0.0,
        "f1": round(sum(f1) / len(f1), 4) if f1 else 0.0,
        "wrong": round(sum(v == 0.0 for v in f1) / len(f1), 4) if f1 else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reader", type=Path, required=True)
    parser.add_argument("--set", action="append", required=True, help="questions.jsonl:corpus folder")
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--write-manifest", type=Path, help="write the bars into this reader's manifest")
    parser.add_argument("--role", choices=("judge", "lead"), default="judge",
                        help="lead: sweep only the lead bar, the hand-made judge deciding (ANSWER_READER_ROLE=lead)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sets = [(Path(a), Path(b)) for a, _, b in (s.partition(":") for s in args.set)]
    if args.role == "lead":
        return sweep_leads(args.reader, sets, args.json)
    judge = load_reader_judge(args.reader, *reader_runtime(load_settings()))
    start = judge.bars
    reads = read_all(judge, sets)
    bars = choose_bars(reads, start)
    report = {
        "reader": str(args.reader), "sets": args.set, "bars": asdict(bars),
        "cross_fitted": cross_fitted(reads, start), "in_sample": figures(reads, bars),
        "answer_everything": figures(reads, replace(start, answer=0.0, lead=1.01)),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.write_manifest:
        path = args.write_manifest / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["decision"] = {**asdict(bars), "chosen_on": args.set, "by": "python -m evaluation.tune_reader"}
        path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({"bars": asdict(bars), "cross_fitted": report["cross_fitted"]}))  # noqa: T201
    return 0


def sweep_leads(reader: Path, sets: Sequence[tuple[Path, Path]], out: Path) -> int:
    """The lead bar swept with the hand-made judge deciding: the lowest bar keeping wrong bold
    leads at most WRONG_LEADS of those shown, cross-fitted over the two halves of the articles."""
    settings = load_settings()
    judge = fitted_judge(settings, build_embedder_from(settings))
    if judge is None:
        raise SystemExit("No hand-made judge fitted for this encoder: nothing for the reader to lead.")
    leads = load_reader_leads(judge, reader, *reader_runtime(settings))
    rows = read_leads(leads, sets)
    sweep = [lead_figures(rows, bar) for bar in LEAD_BARS]
    halves = []
    for half in (0, 1):
        fit = [r for r in rows if fold_of(f"half:{r.question.article}", 2) != half]
        test = [r for r in rows if fold_of(f"half:{r.question.article}", 2) == half]
        bar = next((b for b in LEAD_BARS if lead_figures(fit, b)["wrong"] <= WRONG_LEADS), 1.01)
        halves.append({"bar": bar, **lead_figures(test, bar)})
    report = {"reader": str(reader), "role": "lead", "sweep": sweep, "cross_fitted": halves}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(halves))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
