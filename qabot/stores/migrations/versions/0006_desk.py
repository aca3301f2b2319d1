"""The editors' desk: one-time sign-in links, sessions, and the audit log of admin actions.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qabot.stores.answers import question_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Links and sessions live in the database, so with several workers any of them serves any
    # page; only hashes are kept, so a copy of the database signs nobody in.
    op.create_table(
        "desk_links",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("admin_id", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("id_hash", sa.Text, primary_key=True),
        sa.Column("admin_id", sa.BigInteger, nullable=False),
        sa.Column("csrf", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("admin_id", sa.BigInteger),
        sa.Column("via", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("audit_log_at", "audit_log", ["at"])
    # The desk's overview shows the answer time's p95 over the week.
    op.add_column("answers", sa.Column("total_ms", sa.Float))
    # The articles nearest a declined question, shown beside it on the desk.
    op.add_column("unanswered", sa.Column("nearest", sa.Text))
    # Declined questions are grouped on the desk by a key stored with each (never at page time).
    op.add_column("unanswered", sa.Column("group_key", sa.Text))
    op.create_index("unanswered_group_key", "unanswered", ["group_key"])
    unanswered = sa.table("unanswered", sa.column("id", sa.Integer), sa.column("question", sa.Text),
                          sa.column("group_key", sa.Text))
    connection = op.get_bind()
    for row_id, question in connection.execute(sa.select(unanswered.c.id, unanswered.c.question)).all():
        connection.execute(unanswered.update().where(unanswered.c.id == row_id).values(group_key=question_key(str(question))))
    op.create_index("answers_created_at", "answers", ["created_at"])


def downgrade() -> None:
    op.drop_index("answers_created_at", "answers")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("total_ms")
    op.drop_index("unanswered_group_key", "unanswered")
    with op.batch_alter_table("unanswered") as batch:
        batch.drop_column("group_key")
        batch.drop_column("nearest")
    op.drop_table("audit_log")
    op.drop_table("desk_sessions")
    op.drop_table("desk_links")
