"""What several bot workers must share: conversation turns, rate-limit windows, update ids seen.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "turns",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("turns_by_chat", "turns", ["chat_id", "id"])
    # One row per user: the send times (epoch seconds) inside the current window, as JSON. The
    # row is locked (SELECT … FOR UPDATE) while a question is counted, so two workers cannot
    # both let the eleventh question through.
    op.create_table(
        "rate_windows",
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("stamps", sa.Text, nullable=False),
    )
    op.create_table(
        "updates_seen",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seen_at", sa.Float, nullable=False),
    )
    op.create_index("updates_seen_by_time", "updates_seen", ["seen_at"])
    # A scheduled job's run for one period (e.g. feed polling at 06:00): the first worker to
    # insert the row runs it, the others see the conflict and skip.
    op.create_table(
        "job_runs",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("slot", sa.Text, primary_key=True),
        sa.Column("worker", sa.Text, nullable=False),
        sa.Column("claimed_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_index("updates_seen_by_time", "updates_seen")
    op.drop_table("updates_seen")
    op.drop_table("rate_windows")
    op.drop_index("turns_by_chat", "turns")
    op.drop_table("turns")
