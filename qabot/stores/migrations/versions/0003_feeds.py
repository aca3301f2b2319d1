"""The RSS/Atom feeds admins add with /feeds add (FEEDS in the settings adds its own).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per feed: the URL is the key, so two admins (or two workers) adding the same
    # feed at once leave one row.
    op.create_table(
        "feeds",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("added_by", sa.BigInteger),
        sa.Column("added_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feeds")
