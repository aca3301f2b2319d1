"""An answer's intent and who reported it, stored beside its body (#24).

`intent` (fact, open, timeline: answering.query) lets the bot page a timeline with a "suite"
button after a restart; `reported` ("AFP, 12 décembre 2016") is what closes a fact answer from
a dated article. Rows written before have neither: a fact answer, composed as it was.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("intent", sa.Text))
        batch.add_column(sa.Column("reported", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("reported")
        batch.drop_column("intent")
