"""What counting a group's messages in the bot store costs: one round trip to the store before
each new message posted in a group (`Stores.take_group_message`, the rate-window row of the
group), on SQLite and on PostgreSQL, alone and with two workers taking slots at once.

    .venv/bin/python benchmarks/bench_group_budget.py [--calls 2000] [--out benchmarks/reports/group_budget.json]

Each call is what a send costs in the bot: a transaction that reads the group's window (the
last minute's stamps, ~20 at Telegram's pace), adds one and writes it back. The clock handed to
the store moves 3.01 s per call (just under Telegram's 20 a minute), so every call is admitted
and the window holds what it holds in a busy group. PostgreSQL is a throwaway cluster with
fsync on, reached over its Unix socket (a server on another machine adds its network round
trips: five statements and the pool's ping per call). The commit does not wait for the disk
(`synchronous_commit = off` for that transaction: a count lost in a crash lets one minute run
over once); `alone_commit_waits_for_disk` is the same window committed durably, for comparison. "Two workers" are two stores (two
connection pools, as two processes have) taking slots for one group from two threads, so the
row lock is contended. The figure to compare with is Telegram's: a group may get 20 messages a
minute, one every 3 s, and a sendMessage round trip to Telegram takes tens of milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_encoder import cpu_report  # noqa: E402
from benchmarks.bench_index import percentile, write_report  # noqa: E402
from qabot.stores import Stores  # noqa: E402
from tests.fakes.postgres import PostgresCluster, find_bindir  # noqa: E402

GROUP = -1001234567890
PER_MINUTE = 20
PACE_S = 3.01  # the clock's step per call: every call admitted, ~20 stamps in the window
WARMUP = 50


async def take(store: Stores, calls: int, start: float, group: int = GROUP, durable: bool = False) -> list[float]:
    """Milliseconds of each of `calls` slot takings, the clock at Telegram's pace; `durable`:
    through `rate_check`, the same window with a commit that waits for the disk."""
    timings = []
    for i in range(calls):
        began = time.perf_counter()
        now = start + i * PACE_S
        if durable:
            wait = await store.conversations.rate_check(group, PER_MINUTE, 60.0, now)
        else:
            wait = await store.conversations.take_group_message(group, PER_MINUTE, now)
        timings.append((time.perf_counter() - began) * 1000)
        if wait:
            raise AssertionError(f"call {i} was refused: the clock should keep it within the budget")
    return timings


def summary(timings: list[float], wall_s: float) -> dict[str, float]:
    return {
        "calls": len(timings), "mean_ms": round(statistics.fmean(timings), 3),
        "p50_ms": round(percentile(timings, 50), 3), "p95_ms": round(percentile(timings, 95), 3),
        "p99_ms": round(percentile(timings, 99), 3), "max_ms": round(max(timings), 3),
        "calls_per_s": round(len(timings) / wall_s, 1),
    }


def alone(location: str | Path, calls: int, durable: bool = False) -> dict[str, float]:
    async def run() -> dict[str, float]:
        store = await Stores.open(location)
        try:
            await take(store, WARMUP, 0.0, GROUP - 1, durable)
            began = time.perf_counter()
            timings = await take(store, calls, 1_000_000.0, GROUP, durable)
            return summary(timings, time.perf_counter() - began)
        finally:
            await store.close()

    return asyncio.run(run())


def two_workers(location: str | Path, calls: int) -> dict[str, float]:
    """Two stores (two workers' pools) taking slots for one group at once, each in its own
    thread and event loop; the clocks interleave so both are always admitted."""
    results: list[list[float]] = [[], []]
    barrier = threading.Barrier(2)

    def worker(index: int) -> None:
        async def run() -> None:
            store = await Stores.open(location)
            try:
                await take(store, WARMUP, 0.0, GROUP - 2 - index)
                barrier.wait()
                # The two workers' stamps stay PACE_S apart in all: each steps 2 × PACE_S.
                for i in range(calls // 2):
                    began = time.perf_counter()
                    now = 2_000_000.0 + (2 * i + index) * PACE_S
                    await store.conversations.take_group_message(GROUP, PER_MINUTE * 2, now)
                    results[index].append((time.perf_counter() - began) * 1000)
            finally:
                await store.close()

        asyncio.run(run())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(results[0] + results[1], time.perf_counter() - began)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/reports/group_budget.json")
    args = parser.parse_args()

    report: dict[str, object] = {"cpu": cpu_report(), "per_minute": PER_MINUTE}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = Path(folder) / "bot.sqlite3"
        report["sqlite"] = {"alone": alone(sqlite, args.calls), "two_workers": two_workers(sqlite, args.calls)}
    bindir = find_bindir()
    if bindir is None:
        report["postgresql"] = "skipped: PostgreSQL server binaries not found"
    else:
        cluster = PostgresCluster(bindir)
        cluster.start(durable=True)
        try:
            report["postgresql"] = {
                "alone": alone(cluster.create_database(), args.calls),
                # What the commit would cost if it waited for the disk, as rate_check's does.
                "alone_commit_waits_for_disk": alone(cluster.create_database(), args.calls, durable=True),
                "two_workers": two_workers(cluster.create_database(), args.calls),
            }
        finally:
            cluster.stop()
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
