"""The bot store's tables as SQLAlchemy Core objects, for queries; the schema itself is made by
the Alembic migrations in bot/migrations (this module must describe their result)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

answers = sa.Table(
    "answers", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.BigInteger),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # the body; the bot composes lead, framing, note
    sa.Column("answered", sa.Integer, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("answerer", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("lead", sa.Text),
    sa.Column("framing", sa.Text),
)
citations = sa.Table(
    "citations", metadata,
    sa.Column("answer_id", ID, sa.ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("date", sa.Text),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
feedback = sa.Table(
    "feedback", metadata,
    sa.Column("answer_id", ID, sa.ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("vote", sa.Integer, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
unanswered = sa.Table(
    "unanswered", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.BigInteger),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
counters = sa.Table(
    "counters", metadata,
    sa.Column("day", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)
meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
turns = sa.Table(
    "turns", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
rate_windows = sa.Table(
    "rate_windows", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("stamps", sa.Text, nullable=False),
)
updates_seen = sa.Table(
    "updates_seen", metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seen_at", sa.Float, nullable=False),
)
feeds = sa.Table(
    "feeds", metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("added_by", sa.BigInteger),
    sa.Column("added_at", sa.Text, nullable=False),
)
job_runs = sa.Table(
    "job_runs", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("slot", sa.Text, primary_key=True),
    sa.Column("worker", sa.Text, nullable=False),
    sa.Column("claimed_at", sa.Text, nullable=False),
)
