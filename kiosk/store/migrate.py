"""Schema migrations at start-up: back up only when an upgrade is pending, then upgrade to head.

Also the helpers the migration tests use (heads, current revision, drift against the rows).
Kiosk databases are migrated forward only; recovery from a bad upgrade is restoring the backup.
Foreign keys are switched off around the upgrade, because batch mode rebuilds SQLite tables by
copy-and-rename, which would otherwise cascade or fail on referencing rows; they are switched
back on, asserted, and ``foreign_key_check`` must come back empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

import kiosk.store.rows  # noqa: F401 - registers every table on Base.metadata
from kiosk.store.backup import backup_database
from kiosk.store.base import Base
from kiosk.store.errors import BackupFailedError, DatabaseUnavailableError, DataIntegrityError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None, migrations: Path = MIGRATIONS) -> Config:
    """An Alembic configuration pointing at ``migrations`` (by default the packaged ones)."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revisions(migrations: Path = MIGRATIONS) -> tuple[str, ...]:
    """The head revision(s) of the migrations (exactly one, as a test asserts)."""
    return tuple(ScriptDirectory.from_config(alembic_config(None, migrations)).get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revision(s) the database is at; empty for a database never migrated."""
    with engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def is_at_head(engine: Engine, migrations: Path = MIGRATIONS) -> bool:
    """Whether the database's schema is the head of ``migrations`` (no migration pending)."""
    return set(current_revisions(engine)) == set(head_revisions(migrations))


def schema_drift(engine: Engine) -> list[Any]:
    """Differences between the migrated database and the rows (``alembic check``'s question)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def upgrade_to_head(
    engine: Engine, backup_dir: Path, backup_key: bytes | None, migrations: Path = MIGRATIONS
) -> Path | None:
    """Bring the schema to head, first taking a backup when a migration is pending.

    A database never migrated has nothing to lose and gets no backup (nor needs a key).
    Returns the backup file, if one was taken. ``migrations`` is for the upgrade tests, which
    add a future revision to a copy of the packaged ones.

    Raises:
        BackupFailedError: a backup was needed and could not be taken; nothing was migrated.
        DataIntegrityError: the upgrade left a foreign-key violation.
    """
    if is_at_head(engine, migrations):
        return None
    taken = None
    if current_revisions(engine):
        if backup_key is None:
            raise BackupFailedError("a backup key is needed before upgrading", reason="no_key")
        taken = backup_database(engine, backup_dir, backup_key)
    with engine.connect() as connection, _foreign_keys_off(connection):
        command.upgrade(alembic_config(connection, migrations), "head")
    return taken


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    if connection.dialect.name != "sqlite":
        yield
        return
    # At driver level: the pragma is ignored inside a transaction, and SQLAlchemy would begin one.
    raw = connection.connection.dbapi_connection
    assert raw is not None  # noqa: S101 - a live pooled connection always has one
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
        if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
            connection.invalidate()
            raise DatabaseUnavailableError("pragma not applied", pragma="foreign_keys")
    if raw.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise DataIntegrityError("foreign key violation after migration")
