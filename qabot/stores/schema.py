"""The bot database's tables as SQLAlchemy Core objects, for queries; the schema itself is made by
the Alembic migrations in qabot/stores/migrations (this module must describe their result)."""

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
    sa.Column("total_ms", sa.Float),
    sa.Column("lead", sa.Text),
    sa.Column("framing", sa.Text),
    sa.Column("intent", sa.Text),  # fact, open or timeline (answering.intent); NULL: a fact
    sa.Column("reported", sa.Text),  # "AFP, 12 décembre 2016": closes a fact answer
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
    sa.Column("nearest", sa.Text),  # JSON list of the nearest articles' titles
    sa.Column("group_key", sa.Text),  # answers.question_key: declined questions grouped by it
    # Grouped by meaning (bot/question_groups.py): the group's first question's id, and this
    # question's vector (float32, normalised) for the questions after it. NULL until the job.
    sa.Column("group_id", sa.BigInteger),
    sa.Column("vector", sa.LargeBinary),
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
    # The asker: follow-ups are per (chat, user). NULL for a group's turns written before
    # migration 0004, which are nobody's follow-up.
    sa.Column("user_id", sa.BigInteger),
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
feed_state = sa.Table(
    "feed_state", metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("last_polled", sa.Text),
    sa.Column("last_error", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("item_errors", sa.Text, nullable=False),
)
feed_items = sa.Table(
    "feed_items", metadata,
    sa.Column("feed_url", sa.Text, primary_key=True),
    sa.Column("item_id", sa.Text, primary_key=True),
    sa.Column("entry", sa.Text, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("saved_at", sa.Text, nullable=False),
)
alerts = sa.Table(
    "alerts", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("opened_at", sa.Text, nullable=False),
    sa.Column("worker", sa.Text, nullable=False),
)

# The editors' desk (web/desk): one-time sign-in links and sessions (both stored as sha256 of
# the secret the browser holds, never the secret), and the audit log of admin actions.
desk_links = sa.Table(
    "desk_links", metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("admin_id", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("used_at", sa.Float),
)
desk_sessions = sa.Table(
    "desk_sessions", metadata,
    sa.Column("id_hash", sa.Text, primary_key=True),
    sa.Column("admin_id", sa.BigInteger, nullable=False),
    sa.Column("csrf", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("admin_id", sa.BigInteger),
    sa.Column("via", sa.Text, nullable=False),  # "desk" or "telegram"
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)
