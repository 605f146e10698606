"""Engine and session factory for any SQLAlchemy URL, with SQLite's durability settings enforced.

On SQLite every new connection gets WAL, ``synchronous=FULL``, foreign keys, a busy timeout and
``secure_delete`` (so crypto-shredded pages are zeroed), and each setting is read back: a
connection that did not take them is refused rather than used. The driver's own transaction
handling is switched off (SQLAlchemy's documented pysqlite recipe) so that write transactions
start with ``BEGIN IMMEDIATE``: the write lock is taken up front, and two writers wait on
``busy_timeout`` instead of failing later with an unretryable upgrade deadlock. A session opened
for reading only (``READ_ONLY``) begins with a plain deferred ``BEGIN`` and never blocks the writer.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from kiosk.store.errors import DatabaseUnavailableError

SessionFactory = sessionmaker[Session]
"""What opens sessions; the composition root passes it around without importing SQLAlchemy."""

StoreEngine = Engine
"""The engine type, re-exported for the same reason."""

BUSY_TIMEOUT_MS = 5000
READ_ONLY = "kiosk_read_only"
"""Execution option: transactions on a connection carrying it begin deferred (readers)."""

# (pragma, value to set, value read back); journal_mode is handled apart (it may be "memory").
_PRAGMAS: tuple[tuple[str, str, object], ...] = (
    ("synchronous", "FULL", 2),
    ("foreign_keys", "ON", 1),
    ("busy_timeout", str(BUSY_TIMEOUT_MS), BUSY_TIMEOUT_MS),
    ("secure_delete", "ON", 1),
)


def create_store_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create the engine for ``url``; SQLite URLs get the pragmas and BEGIN IMMEDIATE hooks.

    Raises:
        DatabaseUnavailableError: the URL is malformed or its driver is missing.
    """
    try:
        engine = create_engine(make_url(url), **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as err:
        raise DatabaseUnavailableError("cannot create engine", reason=type(err).__name__) from err
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions keep loaded values after commit (they are mapped out)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def is_memory_database(engine: Engine) -> bool:
    """Whether ``engine`` is an in-memory SQLite database (no WAL, no files, no backups)."""
    database = engine.url.database
    return engine.dialect.name == "sqlite" and (not database or database == ":memory:")


def checkpoint(engine: Engine) -> None:
    """Copy the WAL into the database file and truncate it to zero bytes.

    Called after a purge, so the shredded pages' older copies do not linger in the ``-wal`` file.
    """
    if engine.dialect.name != "sqlite" or is_memory_database(engine):
        return
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None  # noqa: S101 - a live pooled connection always has one
        busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        raise DatabaseUnavailableError("checkpoint blocked by a reader")


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
    # The recipe: stop the driver from issuing its own BEGIN; _on_sqlite_begin issues ours.
    dbapi_connection.isolation_level = None
    _set_journal_mode(dbapi_connection)
    for name, value, expected in _PRAGMAS:
        dbapi_connection.execute(f"PRAGMA {name} = {value}")
        actual = dbapi_connection.execute(f"PRAGMA {name}").fetchone()[0]
        if actual != expected:
            raise DatabaseUnavailableError("pragma not applied", pragma=name)


def _set_journal_mode(dbapi_connection: sqlite3.Connection) -> None:
    mode = dbapi_connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode == "memory" and _is_memory_connection(dbapi_connection):
        return
    if str(mode).lower() != "wal":
        raise DatabaseUnavailableError("pragma not applied", pragma="journal_mode")


def _is_memory_connection(dbapi_connection: sqlite3.Connection) -> bool:
    rows = dbapi_connection.execute("PRAGMA database_list").fetchall()
    return any(name == "main" and not path for _, name, path in rows)


def _on_sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(READ_ONLY, False):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
