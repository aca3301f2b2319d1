"""Answers under load: N people asking at once, each asking M questions in a row (never a timed test).

    .venv/bin/python benchmarks/bench_load.py [--users 50] [--each 10] [--corpus ../shared/eval/corpus]
        [--questions ../shared/eval/dev.jsonl] [--shuffle] [--telegram]
        [--out benchmarks/reports/load.json (load-shuffled.json with --shuffle, load-telegram.json with --telegram)]

Each person waits for an answer before asking the next question, as a person in a chat would;
all start together. Person u asks dev questions u·M … u·M+M−1 in the file's order, where the
questions on one article follow each other (a reader asking about one story), or, with
`--shuffle`, questions drawn at random (every answer on different passages: the worst case for
the judge's memory of sentences). Questions go through the front door (`Services.ask`: retrieval, the judge,
the extractive answer and its citation check) with the configured encoder, then the same run
with the hashing embedder of the tests (no encoder cost, and so no judge: it is fitted per
encoder), in one process, one after the other.

With `--telegram` the same load goes through the real bot instead (`build_application` over the
same services, long polling the loopback Bot API of the tests, Telegram's flood limits kept as in
production): each person is a private chat and sends its next question when the previous answer
is complete (its 👍 button arrived), beside the front-door run of the same questions (fresh
services for each, so neither profits from the other's caches), and the ratios between them. Each
reply's time (question queued → complete answer received) is cut into stages from the fake API's
stamps and the bot's own log records: `queued` (waiting in the Bot API until getUpdates took it),
`to_handler` (PTB's update queue, a concurrency slot, the chat's turn), `checks` (redelivery and
rate-limit checks in the store), `before_ask` (typing shown, history read), `turn` (waiting for
its turn: ANSWER_CONCURRENCY questions are answered at once, bot.state.QuestionTurns), `understand`,
`retrieve`, `judge`, `answerer` (the answer's own timings), `store` (the answer and the conversation turn saved),
`send` (rendering, the rate limiter, the Bot API call); their mean over all replies and over the
slowest 5 %, which says where the tail comes from.

Reported for each run: answers/s, reply latency p50/p95/max (from the moment the question is
asked), the mean of each stage the answers time themselves (retrieve, generate), the CPU and its
flags, and the load average, which says whether something else shared the two cores; and what
micro-batching the questions that arrive together would gain: the encoder's time per question
one at a time against batches of 4 and 16.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import ContextTypes, TypeHandler  # noqa: E402

from benchmarks.bench_encoder import cpu_report  # noqa: E402
from benchmarks.bench_index import percentile  # noqa: E402
from bot.app import answer_concurrency, build_application  # noqa: E402
from bot.state import Tuning  # noqa: E402
from evaluation.runner import load_questions, prepare  # noqa: E402
from qabot.frontdoor import FrontDoor  # noqa: E402
from qabot.logs import AddContext  # noqa: E402
from qabot.services import Services  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from retrieval.encoders.embedding import Embedder  # noqa: E402
from tests.bot.conftest import start_polling  # noqa: E402
from tests.fakes.embedder import HashingEmbedder  # noqa: E402
from tests.fakes.telegram_server import TOKEN  # noqa: E402
from tests.reliability.conftest import FaultyTelegram  # noqa: E402


async def crowd(services: FrontDoor, questions: list[str], users: int, each: int) -> dict[str, object]:
    """`users` people at once, each asking `each` questions in a row."""
    latencies: list[float] = []
    stages: dict[str, list[float]] = {}
    answered = 0

    async def person(user: int) -> None:
        nonlocal answered
        for i in range(each):
            question = questions[(user * each + i) % len(questions)]
            started = time.perf_counter()
            answer = await services.ask(question)
            latencies.append(time.perf_counter() - started)
            answered += answer.answered
            for stage, ms in answer.timings_ms.items():
                stages.setdefault(stage, []).append(ms)

    started = time.perf_counter()
    await asyncio.gather(*(person(u) for u in range(users)))
    wall = time.perf_counter() - started
    return {
        "answers": len(latencies), "answered": answered, "seconds": round(wall, 2),
        "answers_per_s": round(len(latencies) / wall, 2),
        "latency_s": latency_figures(latencies),
        # Inside one answer (ms): time in each stage, queueing for the threads included.
        "stage_mean_ms": {stage: round(statistics.fmean(ms), 1) for stage, ms in stages.items()},
        "load_average_1m_after": round(os.getloadavg()[0], 2),
    }


def latency_figures(seconds: list[float]) -> dict[str, float]:
    return {"mean": round(statistics.fmean(seconds), 3), "p50": round(statistics.median(seconds), 3),
            "p95": round(percentile(seconds, 95), 3), "p99": round(percentile(seconds, 99), 3),
            "max": round(max(seconds), 3)}


class StampedTelegram(FaultyTelegram):
    """The loopback Bot API of the tests (with when each answer completed), plus when getUpdates
    handed each update to the bot."""

    def __init__(self) -> None:
        super().__init__()
        self.served_at: dict[int, float] = {}

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        batch = await super()._m_getUpdates(params)
        now = time.monotonic()
        for update in batch:
            self.served_at.setdefault(update["update_id"], now)
        return batch


# The bot's own log records that mark a stage's end, by logger and the start of their message.
LOG_MARKS = {
    ("bot.handlers.ask", "question "): "question",     # limits checked, before typing and history
    ("bot.state", "question's turn"): "turn",          # its turn to be answered came (ANSWER_CONCURRENCY)
    ("answering.service", "answered="): "answered",    # the front door's answer computed
    ("bot.handlers.ask", "answer "): "stored",         # the answer and the conversation turn saved
}

TYPING_SKIPPED = "typing skipped"  # bot.app: the overall budget had no room for "typing…"
# A person waits this long for an answer before asking the next question: under a heavy load a
# send can time out in the client, and a timed-out send is not sent again (it may have arrived).
REPLY_WAIT_S = 120


class LogStamps(logging.Handler):
    """When each update's question passed the checks, got its answer, had it stored: the bot's
    log records (the update id comes from `log_context`), stamped on arrival in the monotonic
    clock of the fake API's stamps, with the answer's own timings."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(AddContext())
        self.at: dict[int, dict[str, float]] = {}
        self.timings_ms: dict[int, dict[str, float]] = {}
        self.outcomes: dict[int, str] = {}
        self.typing_skipped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "bot.app" and str(record.msg).startswith(TYPING_SKIPPED):
            self.typing_skipped += 1
        update = getattr(record, "update", None)
        mark = next((m for (name, start), m in LOG_MARKS.items()
                     if record.name == name and str(record.msg).startswith(start)), None)
        if update is None or mark is None:
            return
        marks = self.at.setdefault(update, {})
        marks[mark] = time.monotonic()
        if mark == "turn":  # logged when the turn came, with how long it was waited for (ms)
            waited_ms = float(str(record.args[0])) if isinstance(record.args, tuple) and record.args else 0.0
            marks["waiting"] = marks["turn"] - waited_ms / 1000
        if mark == "stored":
            self.timings_ms[update] = dict(getattr(record, "timings_ms", {}))
            self.outcomes[update] = str(getattr(record, "outcome", ""))

    @contextlib.contextmanager
    def listening(self) -> Iterator[LogStamps]:
        loggers = [logging.getLogger(name) for name in {"bot.app", *(name for name, _ in LOG_MARKS)}]
        levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
            logger.addHandler(self)
        try:
            yield self
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.removeHandler(self)
                logger.setLevel(level)


STAGES = ("queued", "to_handler", "checks", "before_ask", "turn", "understand", "retrieve", "judge", "answerer",
          "store", "send")


def reply_stages(pushed: float, served: float, handled: float, marks: dict[str, float],
                 timings_ms: dict[str, float], completed: float) -> dict[str, float]:
    """One reply's seconds in each stage (they add up to its latency, pushed → completed)."""
    answered = marks["answered"]
    asked = answered - timings_ms["total"] / 1000
    generate = timings_ms.get("generate", 0.0) / 1000
    judge = timings_ms.get("judge", 0.0) / 1000
    retrieve = timings_ms.get("retrieve", 0.0) / 1000
    return {
        "queued": served - pushed, "to_handler": handled - served, "checks": marks["question"] - handled,
        # Without a limit on questions answered at once, the turn is taken at once (no mark).
        "before_ask": marks.get("waiting", asked) - marks["question"], "turn": asked - marks.get("waiting", asked),
        "understand": timings_ms["total"] / 1000 - retrieve - generate,
        "retrieve": retrieve, "judge": judge, "answerer": generate - judge,
        "store": marks["stored"] - answered, "send": completed - marks["stored"],
    }


def stage_breakdown(replies: list[tuple[float, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Mean ms of each stage over every reply and over the slowest 5 % (the tail)."""
    ordered = sorted(replies, key=lambda reply: reply[0])
    tail = ordered[int(len(ordered) * 0.95):] or ordered[-1:]

    def means(chosen: list[tuple[float, dict[str, float]]]) -> dict[str, float]:
        return {stage: round(statistics.fmean(r[1][stage] for r in chosen) * 1000, 1) for stage in STAGES}

    return {"all_mean_ms": means(ordered), "slowest_5pct_mean_ms": means(tail)}


async def crowd_telegram(application: Any, tg: StampedTelegram, stamps: LogStamps, questions: list[str],
                         users: int, each: int) -> dict[str, object]:
    """`users` people at once, each a private chat asking `each` questions in a row through the bot."""
    handled: dict[int, float] = {}

    async def first_look(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.setdefault(update.update_id, time.monotonic())

    application.add_handler(TypeHandler(Update, first_look), group=-1000)  # before every other group
    replies: list[tuple[int, int, int]] = []  # (chat, its n-th complete answer, update id)
    lost: list[int] = []  # updates whose answer never came (a send that timed out is not sent again)

    async def person(user: int) -> None:
        chat, received = 1_000_000 + user, 0
        for i in range(each):
            tg.message(questions[(user * each + i) % len(questions)], chat_id=chat)
            update = tg.last_update_id
            try:
                await tg.wait_answers(chat, received + 1, within=REPLY_WAIT_S)
            except AssertionError:
                lost.append(update)  # the person asks the next question, as one would
                continue
            replies.append((chat, received, update))
            received += 1

    started = time.monotonic()
    await asyncio.gather(*(person(u) for u in range(users)))
    wall = time.monotonic() - started
    measured: list[tuple[float, dict[str, float]]] = []
    for chat, i, update in replies:
        completed, pushed = tg.completions[chat][i], tg.pushed_at[update]
        stages = reply_stages(pushed, tg.served_at[update], handled[update], stamps.at[update],
                              stamps.timings_ms[update], completed)
        measured.append((completed - pushed, stages))
    latencies = [latency for latency, _ in measured]
    calls = [c.method for c in tg.calls if c.method != "getUpdates"]
    return {
        "answers": len(latencies), "seconds": round(wall, 2), "answers_per_s": round(len(latencies) / wall, 2),
        "answered": sum(stamps.outcomes.get(update) == "answered" for _, _, update in replies),
        f"no_answer_within_{REPLY_WAIT_S}_s": len(lost),
        "latency_s": latency_figures(latencies),
        "stages": stage_breakdown(measured),
        "typing_skipped": stamps.typing_skipped,
        "bot_api_calls": {method: calls.count(method) for method in sorted(set(calls))},
        "get_updates_calls": sum(c.method == "getUpdates" for c in tg.calls),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
    }


def bot_settings(services: Services, tg: StampedTelegram, data_dir: Path) -> Settings:
    """The services' settings as `qabot run` would have them, the bot on the loopback API, its
    files in `data_dir` (its records go to the front door's database), every person allowed all
    their questions, no feeds (no network)."""
    return services.settings.model_copy(update={
        "telegram_bot_token": SecretStr(TOKEN), "telegram_api_base_url": tg.base_url,
        "telegram_admin_ids": frozenset(), "rate_limit_questions": 1_000_000, "data_dir": data_dir,
        "database_url": None, "feeds": (),
    })


async def through_telegram(services: Services, questions: list[str], users: int, each: int,
                           tuning: Tuning) -> dict[str, object]:
    """The load through the real bot polling a loopback Bot API, as `qabot run` polls Telegram."""
    tg = StampedTelegram()
    await tg.start()
    concurrency = answer_concurrency(services.settings)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as data_dir, LogStamps().listening() as stamps:
        application = build_application(bot_settings(services, tg, Path(data_dir)), services, tuning=tuning,
                                        metrics=services.metrics)
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(tg.stop)  # last: the bot's last calls still get answers
            await start_polling(stack, application)  # as run_polling(): post_init opens and warms the services
            return {"answer_concurrency": concurrency or "no limit",
                    **await crowd_telegram(application, tg, stamps, questions, users, each)}
    raise AssertionError("unreachable")


def batching_gain(embedder: Embedder, questions: list[str], rounds: int = 3) -> dict[str, float]:
    """Query encoding per question, one at a time against batches of 4 and 16 (what batching
    questions that arrive together would give), interleaved, the best round of each."""
    sample = questions[: 64]
    embedder.embed_passages(sample[:4])  # warm
    best = {"one_at_a_time": float("inf"), "batches_of_4": float("inf"), "batches_of_16": float("inf")}
    for _ in range(rounds):
        for name, size in (("one_at_a_time", 1), ("batches_of_4", 4), ("batches_of_16", 16)):
            started = time.perf_counter()
            if size == 1:
                for q in sample:
                    embedder.embed_query(q)
            else:
                for i in range(0, len(sample), size):
                    embedder.embed_passages(sample[i : i + size])  # same length profile as queries
            best[name] = min(best[name], (time.perf_counter() - started) * 1000 / len(sample))
    return {name: round(ms, 2) for name, ms in best.items()}


def run(settings: Settings, corpus: Path, questions: list[str], users: int, each: int, embedder: Embedder | None) -> dict[str, object]:
    with prepare(settings, corpus, embedder=embedder) as services:
        asyncio.run(services.ask(questions[0]))  # warm: models loaded, index opened
        report = asyncio.run(crowd(services, questions, users, each))
        report["embedding"] = services.embedder.name
        report["query_encoding_ms_per_question"] = batching_gain(services.embedder, questions)
        return report


def compare(settings: Settings, corpus: Path, questions: list[str], users: int, each: int) -> dict[str, object]:
    """The load through the front door, then through the bot, each on fresh services."""
    with prepare(settings, corpus) as services:
        asyncio.run(services.ask(questions[0]))  # warm: models loaded, index opened
        front_door = asyncio.run(crowd(services, questions, users, each))
    # The bot keeps its records in the front door's database: a fresh one for each run, or the
    # update ids of an earlier run (the loopback API numbers them from 1 every time, where
    # Telegram never reuses one) are taken for redeliveries and dropped unanswered.
    with tempfile.TemporaryDirectory(prefix="bench-load-db-") as db_dir:
        database = SecretStr(f"sqlite:///{Path(db_dir) / 'bot.sqlite3'}")
        with prepare(settings.model_copy(update={"database_url": database}), corpus) as services:
            telegram = asyncio.run(through_telegram(services, questions, users, each, Tuning()))
    fd, tg = front_door["latency_s"], telegram["latency_s"]
    assert isinstance(fd, dict) and isinstance(tg, dict)
    return {
        "front_door": front_door, "telegram": telegram,
        "ratios_telegram_to_front_door": {
            "answers_per_s": round(float(telegram["answers_per_s"]) / float(front_door["answers_per_s"]), 3),  # type: ignore[arg-type]
            **{name: round(tg[name] / fd[name], 3) for name in ("mean", "p50", "p95", "p99")},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--each", type=int, default=10)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "eval" / "corpus")
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--out", type=Path, help="default: benchmarks/reports/load.json, load-shuffled.json with --shuffle")
    parser.add_argument("--shuffle", action="store_true", help="questions in random order (seed 7): every "
                        "person on other articles than the others, so little of the judge's work is reused")
    parser.add_argument("--telegram", action="store_true", help="through the real bot and the loopback Bot "
                        "API, beside the front door, with the configured encoder only")
    args = parser.parse_args()
    name = "load-telegram.json" if args.telegram else "load-shuffled.json" if args.shuffle else "load.json"
    args.out = args.out or ROOT / "benchmarks" / "reports" / name
    settings = Settings()  # pydantic-settings fills the fields from the environment
    questions = [q.question for q in load_questions(args.questions, None)]
    if args.shuffle:
        random.Random(7).shuffle(questions)
    header: dict[str, object] = {
        "users": args.users, "questions_each": args.each, "order": "shuffled" if args.shuffle else "file",
        "corpus": str(args.corpus), "cpu": cpu_report(), "load_average_1m_before": round(os.getloadavg()[0], 2),
    }
    if args.telegram:
        write(args.out, {**header, **compare(settings, args.corpus, questions, args.users, args.each)})
        return
    report: dict[str, object] = {
        **header,
        "configured_encoder": run(settings, args.corpus, questions, args.users, args.each, None),
        # The refusal bars are calibrated for real encoders: without them the fake would decline
        # nearly everything and the run would measure refusals, not answers.
        "hashing_embedder": run(
            settings.model_copy(update={"refusal_min_score": 0.0, "refusal_min_score_crosslingual": 0.0}),
            args.corpus, questions, args.users, args.each, HashingEmbedder(),
        ),
    }
    real, fake = report["configured_encoder"], report["hashing_embedder"]
    assert isinstance(real, dict) and isinstance(fake, dict)
    report["ratio_answers_per_s_configured_to_hashing"] = round(real["answers_per_s"] / fake["answers_per_s"], 3)
    write(args.out, report)


def write(path: Path, report: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1, ensure_ascii=False))  # noqa: T201


if __name__ == "__main__":
    main()
