"""Alembic migrations of the bot store (SQLite and PostgreSQL alike); run by `qabot.stores.database.migrate`."""
