"""Declined questions grouped by meaning: each one's vector and the group it was put in.

A background job (bot/question_groups.py) embeds the declined questions not yet grouped and
puts each in the group of its nearest earlier question, or a group of its own; the desk's
Unanswered page groups by `group_id` (rows the job has not reached yet by `group_key`).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unanswered") as batch:
        batch.add_column(sa.Column("group_id", sa.BigInteger))
        batch.add_column(sa.Column("vector", sa.LargeBinary))
    op.create_index("unanswered_group_id", "unanswered", ["group_id"])


def downgrade() -> None:
    op.drop_index("unanswered_group_id", "unanswered")
    with op.batch_alter_table("unanswered") as batch:
        batch.drop_column("vector")
        batch.drop_column("group_id")
