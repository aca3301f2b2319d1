"""A reader's data: conversation turns gain their asker; indexes to find a user's rows (/forget,
/mydata) and old rows (DATA_RETENTION_DAYS) without reading whole tables.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (index, table, columns): by user for /forget and /mydata, by time for the daily purge.
INDEXES = (
    ("answers_by_user", "answers", ["user_id"]),
    ("answers_by_time", "answers", ["created_at"]),
    ("feedback_by_user", "feedback", ["user_id"]),
    ("feedback_by_time", "feedback", ["created_at"]),
    ("unanswered_by_user", "unanswered", ["user_id"]),
    ("unanswered_by_time", "unanswered", ["created_at"]),
    ("turns_by_user", "turns", ["user_id"]),
    ("turns_by_time", "turns", ["created_at"]),
)


def upgrade() -> None:
    op.add_column("turns", sa.Column("user_id", sa.BigInteger))
    # A private chat's id is its user's id (Telegram's positive ids): those turns keep their
    # asker. A group's older turns (negative ids) cannot be attributed and stay NULL: nobody's
    # follow-up, removed by the retention purge.
    op.execute("UPDATE turns SET user_id = chat_id WHERE chat_id > 0")
    op.drop_index("turns_by_chat", "turns")
    op.create_index("turns_by_asker", "turns", ["chat_id", "user_id", "id"])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table)
    op.drop_index("turns_by_asker", "turns")
    op.create_index("turns_by_chat", "turns", ["chat_id", "id"])
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("user_id")
