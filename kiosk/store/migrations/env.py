"""Alembic environment of the kiosk: batch mode for SQLite, one transaction per migration.

Run through ``kiosk.store.migrate``, which hands over a connection (``config.attributes``)
with foreign keys already switched off for the duration of the upgrade.
"""

from alembic import context

import kiosk.store.rows  # noqa: F401 - registers every table on Base.metadata
from kiosk.store.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transaction_per_migration=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
