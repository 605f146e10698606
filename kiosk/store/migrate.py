"""Schema migrations at start-up: back up only when an upgrade is pending, then upgrade to head.

Also the helpers the migration tests use (heads, current revision, drift against the rows).
Kiosk databases are migrated forward only; recovery from a bad upgrade is restoring the backup.
Foreign keys are switched off around the upgrade, because batch mode rebuilds SQLite tables by
copy-and-rename, which would otherwise cascade or fail on referencing rows; they are switched
back on, asserted, and ``foreign_key_check`` must come back empty.

Alembic is imported only when a migration is pending (or a test asks): at every start the
question "is the database at head?" is answered from the version table and the revision files'
own ``revision``/``down_revision`` lines, which keeps Alembic's import (about a third of a second)
out of the desktop app's start.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, inspect, text

import kiosk.store.rows  # noqa: F401 - registers every table on Base.metadata
from kiosk.store.backup import backup_database
from kiosk.store.base import Base
from kiosk.store.errors import BackupFailedError, DatabaseUnavailableError, DataIntegrityError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None, migrations: Path = MIGRATIONS) -> Config:
    """An Alembic configuration pointing at ``migrations`` (by default the packaged ones)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revisions(migrations: Path = MIGRATIONS) -> tuple[str, ...]:
    """The head revision(s) of the migrations (exactly one, as a test asserts)."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config(None, migrations)).get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revision(s) the database is at; empty for a database never migrated.

    Read from Alembic's version table directly (what ``MigrationContext.get_current_heads``
    reads), so the check at start does not import Alembic.
    """
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return ()
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))  # noqa: S608
        return tuple(row[0] for row in rows)


def is_at_head(engine: Engine, migrations: Path = MIGRATIONS) -> bool:
    """Whether the database's schema is the head of ``migrations`` (no migration pending)."""
    heads = quick_heads(migrations)
    if heads is None:
        heads = set(head_revisions(migrations))
    return set(current_revisions(engine)) == heads


def quick_heads(migrations: Path = MIGRATIONS) -> set[str] | None:
    """The head revisions read from the version files' literal assignments, without Alembic.

    A revision no other file revises is a head. None when a file does not state its revisions
    as plain literals; the caller then asks Alembic.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (migrations / "versions").glob("*.py"):
        found = _literal_revisions(path)
        if found is None:
            return None
        revision, down = found
        revisions.add(revision)
        revised.update(down)
    return revisions - revised


def _literal_revisions(path: Path) -> tuple[str, set[str]] | None:
    values: dict[str, object] = {}
    target: ast.expr
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str):
        return None
    if down is None:
        return revision, set()
    if isinstance(down, str):
        return revision, {down}
    if isinstance(down, tuple) and all(isinstance(d, str) for d in down):
        return revision, set(down)
    return None


def schema_drift(engine: Engine) -> list[Any]:
    """Differences between the migrated database and the rows (``alembic check``'s question)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

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
    from alembic import command

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
