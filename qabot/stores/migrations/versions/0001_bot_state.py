"""The bot's state: answers and citations, feedback, unanswered questions, day counters, meta.

`if_not_exists`: a bot.sqlite3 written before migrations existed already has these tables
(same columns); the migration adopts them instead of failing.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Telegram ids exceed 32 bits; SQLite needs plain INTEGER for an auto-incremented rowid key.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("user_id", sa.BigInteger),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("answered", sa.Integer, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("answerer", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "citations",
        sa.Column("answer_id", ID, sa.ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("date", sa.Text),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "feedback",
        sa.Column("answer_id", ID, sa.ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("vote", sa.Integer, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "unanswered",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("user_id", sa.BigInteger),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "counters",
        sa.Column("day", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        if_not_exists=True,
    )


def downgrade() -> None:
    for table in ("meta", "counters", "unanswered", "feedback", "citations", "answers"):
        op.drop_table(table)
