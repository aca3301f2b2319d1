"""Alembic migrations of the bot store (SQLite and PostgreSQL alike); run by `bot.store.migrate`."""
