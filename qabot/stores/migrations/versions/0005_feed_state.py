"""The feed poller's state (validators, items seen, item failures) and the admins' open
incidents, in the store so that every worker shares them.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per feed URL (FEEDS and /feeds add alike, hence no foreign key to `feeds`).
    op.create_table(
        "feed_state",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("last_polled", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("item_errors", sa.Text, nullable=False, server_default="{}"),
    )
    # An item saved: the hash of its feed entry (changed: its page is read again) and of its file.
    op.create_table(
        "feed_items",
        sa.Column("feed_url", sa.Text, primary_key=True),
        sa.Column("item_id", sa.Text, primary_key=True),
        sa.Column("entry", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("saved_at", sa.Text, nullable=False),
    )
    # An incident the admins were told about; the row's key makes the message go out once
    # across workers, and its removal is the recovery.
    op.create_table(
        "alerts",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("opened_at", sa.Text, nullable=False),
        sa.Column("worker", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("feed_items")
    op.drop_table("feed_state")
