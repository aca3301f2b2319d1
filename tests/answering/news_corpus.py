"""Small dated news corpora for the tests of news answers: articles as (date, source, title,
body), written with their front matter and indexed on a backend with the hashing embedder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from answering.protocol import Answer
from qabot.services import Services, build_services
from qabot.settings import Settings
from tests.fakes.embedder import HashingEmbedder

Article = tuple[str | None, str | None, str, str]  # date, source, title, body


def article_text(published: str | None, source: str | None, title: str, body: str) -> str:
    front = [f'title: "{title}"'] + ([f"date: {published}"] if published else []) + (
        [f"source: {source}"] if source else [])
    return "---\n" + "\n".join(front) + "\n---\n" + body + "\n"


def dated_services(
    folder: Path, articles: Mapping[str, Article], make_settings: Callable[..., Settings], backend: str, today: date,
    **overrides: object,
) -> Services:
    """`articles` indexed on `backend`, questions read on `today`."""
    folder.mkdir()
    for name, fields in articles.items():
        (folder / name).write_text(article_text(*fields), encoding="utf-8")
    services = build_services(
        make_settings(articles_dir=folder, index_backend=backend, **overrides),
        embedder=HashingEmbedder(dimension=256),
        clock=lambda: today,
    )
    services.reindex_now()
    return services


async def ask(services: Services, question: str) -> Answer:
    """`question` through the answer service, as the front door asks it."""
    assert services.answers is not None
    return await services.answers.ask(question)
