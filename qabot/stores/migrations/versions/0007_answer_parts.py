"""An answer's lead fact and framing stored beside its body, so the bot composes them.

Until now `answers.text` held the answer as one composed text: the note, then the lead fact in
`**…**` on a line of its own, then "D'après les articles :" (extractive answers) and the quoted
sentences. The bot parsed the `**…**` back out to render it. From here on `text` is the body
alone and the lead fact and framing have columns of their own; the rows already written are
split once, here, by the layout the older code wrote (plain string prefixes, known exactly).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The framings the older code wrote (prompts/extractive.*.md as they were): frozen here, as a
# migration describes data of its own time.
OLD_FRAMINGS = ("D'après les articles :", "According to the articles (quoted in their original language):")


def split_old(text: str, note: str | None, answered: bool) -> tuple[str, str | None, str | None]:
    """(body, lead, framing) of a text the older code composed."""
    if answered and note and text.startswith(f"{note}\n\n"):
        text = text[len(note) + 2 :]
    lead = None
    first, newline, rest = text.partition("\n")
    if newline and len(first) > 4 and first.startswith("**") and first.endswith("**"):
        lead, text = first[2:-2], rest
    framing = next((f for f in OLD_FRAMINGS if answered and text.startswith(f"{f} ")), None)
    if framing is not None:
        text = text[len(framing) + 1 :]
    return text, lead, framing


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("lead", sa.Text))
        batch.add_column(sa.Column("framing", sa.Text))
    answers = sa.table(
        "answers", sa.column("id", sa.Integer), sa.column("text", sa.Text), sa.column("note", sa.Text),
        sa.column("answered", sa.Integer), sa.column("lead", sa.Text), sa.column("framing", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(answers.c.id, answers.c.text, answers.c.note, answers.c.answered)).all()
    for answer_id, text, note, answered in rows:
        body, lead, framing = split_old(str(text), None if note is None else str(note), bool(answered))
        if body != text:
            connection.execute(
                answers.update().where(answers.c.id == answer_id).values(text=body, lead=lead, framing=framing)
            )


def downgrade() -> None:
    answers = sa.table(
        "answers", sa.column("id", sa.Integer), sa.column("text", sa.Text), sa.column("note", sa.Text),
        sa.column("answered", sa.Integer), sa.column("lead", sa.Text), sa.column("framing", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(answers.c.id, answers.c.text, answers.c.note, answers.c.answered, answers.c.lead, answers.c.framing)
        .where(sa.or_(answers.c.lead.is_not(None), answers.c.framing.is_not(None), answers.c.note.is_not(None)))
    ).all()
    for answer_id, text, note, answered, lead, framing in rows:
        if framing:
            text = f"{framing} {text}"
        if lead:
            text = f"**{lead}**\n{text}"
        if note and answered:
            text = f"{note}\n\n{text}"
        connection.execute(answers.update().where(answers.c.id == answer_id).values(text=text))
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("framing")
        batch.drop_column("lead")
