"""Alembic environment: always run on the connection `qabot.stores.database.migrate` hands over.

There is no alembic.ini and no URL here: the store knows its database (DATABASE_URL or the
SQLite file under DATA_DIR) and migrates it when it opens.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
