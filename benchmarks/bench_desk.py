"""How fast the editors' desk renders its pages with a busy newsroom's records: 10,000 stored
questions (with their cited passages, 1 in 5 declined), 2,000 votes, served by the real desk
(Starlette app, Jinja2 templates, the bot's SQLite store) in process through httpx's ASGI
transport, signed in as an admin. Each page is asked `--repeat` times; the report gives p50/p95
per page, with the load average of the machine.

    .venv/bin/python benchmarks/bench_desk.py [--questions 10000] [--repeat 50] [--out benchmarks/reports/desk.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from starlette.applications import Starlette  # noqa: E402

from benchmarks.bench_encoder import cpu_report  # noqa: E402
from benchmarks.bench_index import percentile, write_report  # noqa: E402
from qabot.records import FeedStatus, question_key  # noqa: E402
from qabot.services import build_services  # noqa: E402
from qabot.settings import Settings  # noqa: E402
from qabot.signin import LinkSigner, make_link  # noqa: E402
from qabot.stores import DeskStore, Stores, database  # noqa: E402
from tests.fakes.embedder import HashingEmbedder  # noqa: E402
from web.desk.app import Desk, DeskConfig, desk_routes, templates  # noqa: E402

ADMIN = 1
SECRET = "benchmark-token"
PAGES = ["/", "/questions", "/questions?declined=1", "/questions?q=budget", "/unanswered", "/feedback",
         "/articles", "/audit"]
WORDS = ["budget", "tramway", "conseil", "municipal", "grève", "élection", "musée", "pompiers", "incendie", "réseau", "cyclable"]


class NoFeeds:
    """The desk's feeds: none followed (the feed page is not measured here)."""

    async def feeds(self) -> list[FeedStatus]:
        return []

    async def add(self, url: str, admin_id: int, lang: str) -> str | None:
        return "not in this benchmark"

    async def remove(self, key: str) -> bool:
        return False

    async def poll_now(self) -> str:
        return ""


def fill(store: Stores, questions: int, votes: int) -> None:
    """Rows as the bot writes them, inserted in bulk (the bot's own path is one transaction a
    question: minutes for 10,000)."""
    rnd = random.Random(7)
    now = datetime.now(UTC)
    answers, cited, declined, feedback = [], [], [], []
    for i in range(1, questions + 1):
        at = (now - timedelta(minutes=7 * i)).isoformat(timespec="seconds")
        words = " ".join(rnd.sample(WORDS, 3))
        answered = rnd.random() > 0.2
        question = f"Question {i} sur {words} ?"
        answers.append({"id": i, "chat_id": 1000 + i % 300, "user_id": 1000 + i % 300, "question": question,
                        "text": f"D'après les articles : {words} … [1] [2]" if answered else "Je n'ai pas trouvé.",
                        "answered": int(answered), "language": "fr", "answerer": "extractive", "note": None,
                        "created_at": at, "total_ms": rnd.uniform(20, 900)})
        if answered:
            cited += [{"answer_id": i, "n": n, "article_id": f"a{i % 500}.txt", "title": f"Article {i % 500}",
                       "date": "2026-11", "start": 0, "end": 300, "text": f"Passage {n} sur {words}. " * 8}
                      for n in (1, 2)]
        else:
            wording = f"Question {i % 400} sur {words} ?"
            # Grouped by meaning by the background job (a group id and a 384-dimension vector),
            # but for the newest questions, which it has not reached yet (grouped by their words).
            grouped = i > 50
            declined.append({"chat_id": 1000 + i % 300, "user_id": 1000 + i % 300, "question": wording,
                             "created_at": at, "nearest": json.dumps([f"Article {i % 500}"]),
                             "group_key": question_key(wording), "group_id": i % 400 + 1 if grouped else None,
                             "vector": rnd.randbytes(4 * 384) if grouped else None})
    for i in rnd.sample(range(1, questions + 1), votes):
        feedback.append({"answer_id": i, "user_id": 5000 + i, "vote": rnd.choice((1, -1)),
                         "question": answers[i - 1]["question"], "answer": answers[i - 1]["text"],
                         "citations": json.dumps([{"n": 1, "article": "a.txt", "title": "A", "date": None,
                                                   "text": "Passage."}]),
                         "created_at": answers[i - 1]["created_at"]})
    with store.db.engine.begin() as db:
        db.execute(database.answers.insert(), answers)
        db.execute(database.citations.insert(), cited)
        db.execute(database.unanswered.insert(), declined)
        db.execute(database.feedback.insert(), feedback)


async def measure(questions: int, votes: int, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, articles_dir=ROOT / "seeds", index_dir=Path(tmp) / "index",
                            data_dir=Path(tmp) / "var")
        services = build_services(settings, embedder=HashingEmbedder())
        await services.reindex()
        store = await services.database()  # what the desk's pages read, through the front door
        fill(store, questions, votes)
        records = DeskStore(lambda: store)
        desk = Desk(front_door=services, records=records, feeds=NoFeeds(), pages=templates(),
                    config=DeskConfig(admin_ids=frozenset({ADMIN}), secret=SECRET, public_url="http://desk"))
        app = Starlette(routes=desk_routes(desk))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk") as client:
            link = await make_link(records, LinkSigner(SECRET), ADMIN, "http://desk")
            assert (await client.post(link.removeprefix("http://desk"))).status_code == 303
            pages: dict[str, dict[str, float]] = {}
            for page in PAGES:
                timings = []
                for _ in range(repeat):
                    began = time.perf_counter()
                    response = await client.get(page)
                    timings.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200, (page, response.status_code)
                pages[page] = {"p50_ms": round(percentile(timings, 50), 1), "p95_ms": round(percentile(timings, 95), 1),
                               "bytes": len(response.content)}
        await services.close()
    return {"questions": questions, "votes": votes, "repeat": repeat, "pages": pages,
            "worst_p95_ms": max(p["p95_ms"] for p in pages.values()), "load_average": os.getloadavg(),
            "cpu": cpu_report()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--votes", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "reports" / "desk.json")
    args = parser.parse_args()
    write_report(args.out, asyncio.run(measure(args.questions, args.votes, args.repeat)))


if __name__ == "__main__":
    main()
