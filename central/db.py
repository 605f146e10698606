"""The server's tables (SQLAlchemy 2), and the engine for SQLite by default or any URL.

The rows are the schema at its newest; ``central.migrations`` builds and upgrades a database to
it step by step, and a test compares the two. Times are stored as naive UTC and read back aware.
On SQLite every connection gets WAL, ``synchronous=FULL``, foreign keys and a busy timeout, and
transactions begin
``IMMEDIATE`` so two writers wait for each other instead of failing on a lock upgrade (read-only
sessions begin ``DEFERRED``: under WAL a reader never waits for a writer).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Dialect,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC time, stored naive (SQLite has no time zones; PostgreSQL gets the same)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Naive UTC for the database; a naive time here is a bug, refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Aware UTC again."""
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """The server's declarative base, with constraint names a migration can refer to."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime()}  # noqa: RUF012 - SQLAlchemy's hook


SCHEMA_VERSION = Table("central_schema", Base.metadata, Column("version", Integer, nullable=False))
"""One row: how many of ``central.migrations.MIGRATIONS`` the database has run."""


class KioskRow(Base):
    """A registered kiosk: its key, its place, and what it said at its last contact."""

    __tablename__ = "kiosks"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_jwk: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(64))
    counter: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    last_contact_at: Mapped[dt.datetime | None]
    last_version: Mapped[str | None] = mapped_column(String(64))
    last_uptime: Mapped[int | None] = mapped_column(Integer)
    last_backlog: Mapped[int | None] = mapped_column(Integer)
    last_self_test: Mapped[str | None] = mapped_column(String(16))
    audit_sequence: Mapped[int | None] = mapped_column(Integer)
    audit_hash: Mapped[str | None] = mapped_column(String(128))
    chain_flag: Mapped[str | None] = mapped_column(String(64))


class InviteRow(Base):
    """A one-time registration code, kept only as the SHA-256 of its token."""

    __tablename__ = "invites"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64))
    counter: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    kiosk_id: Mapped[str | None] = mapped_column(String(64))


class NonceRow(Base):
    """A request nonce seen from a kiosk (a second use within the window is a replay)."""

    __tablename__ = "nonces"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(index=True)


class PacketRow(Base):
    """A received packet: what it says of itself, the acknowledgement, and the decision.

    The kiosk's signed JWS (~400 KB) is in ``PacketBodyRow``: SQLite rewrites a whole row on
    every update, so the decision and the activation, which change this row, would otherwise
    write the packet again (migration step 6).
    """

    __tablename__ = "packets"
    __table_args__ = (
        # Covering indexes (migration step 5): see central.migrations._covering_indexes.
        Index(
            "ix_packets_chain",
            "kiosk_id",
            "audit_sequence",
            "created_at",
            "audit_hash",
            "packet_id",
        ),
        Index("ix_packets_activation", "activated_at", "kiosk_id", "activate_at"),
        Index("ix_packets_pending", "decision", "kiosk_id", "received_at", "packet_id"),
    )

    packet_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.kid"), index=True)
    application_id: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    body_sha256: Mapped[str] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    acknowledgement: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime]
    demo: Mapped[bool] = mapped_column(Boolean)
    audit_sequence: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(128))
    passive_authentication: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(128))
    activate_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    activated_at: Mapped[dt.datetime | None]
    # schema version 2: the face part
    face_decision: Mapped[str | None] = mapped_column(String(32))
    face_distance: Mapped[float | None] = mapped_column(Float)
    # schema version 3: the liveness part
    liveness_live: Mapped[bool | None] = mapped_column(Boolean)


class PacketBodyRow(Base):
    """The kiosk's signed JWS of a packet, exactly as received; written once, never updated."""

    __tablename__ = "packet_bodies"

    packet_id: Mapped[str] = mapped_column(ForeignKey("packets.packet_id"), primary_key=True)
    jws: Mapped[str] = mapped_column(Text)


class PacketDocumentRow(Base):
    """A document of a packet (schema version 4): its kind and how it cross-checked."""

    __tablename__ = "packet_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_id: Mapped[str] = mapped_column(ForeignKey("packets.packet_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    has_qr: Mapped[bool] = mapped_column(Boolean)
    mismatches: Mapped[int] = mapped_column(Integer)


class VerdictRow(Base):
    """One server verdict of one packet; the cursor is the feed's order."""

    __tablename__ = "verdicts"

    cursor: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_id: Mapped[str] = mapped_column(ForeignKey("packets.packet_id"))
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    application_id: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[dt.datetime]


class ConfigRow(Base):
    """A published configuration bundle, signed, by its monotonic version."""

    __tablename__ = "config_bundles"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    issued_at: Mapped[dt.datetime]
    jws: Mapped[str] = mapped_column(Text)


_READS = "central_reads_only"
"""The execution option that marks a read-only session's connections."""


def create_server_engine(url: str) -> Engine:
    """The engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout, BEGIN IMMEDIATE."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def session_factory(engine: Engine, *, reads: bool = False) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (rows never leave a request).

    ``reads``: sessions that only read. On SQLite they begin ``DEFERRED``, so a lookup (is this
    packet stored? the kiosk's key) reads its snapshot beside a writer instead of queueing for
    the write lock while another request's commit is being synced to disk.
    """
    bind = engine.execution_options(**{_READS: True}) if reads else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


def _on_sqlite_connect(connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    connection.isolation_level = None  # SQLAlchemy's recipe: we issue BEGIN ourselves
    # synchronous=FULL (SQLite's default, said here): a commit is on disk before the server
    # acknowledges what it stored.
    pragmas = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000")
    for pragma in pragmas:
        connection.execute(f"PRAGMA {pragma}")


def _on_sqlite_begin(connection: Connection) -> None:
    reads = connection.get_execution_options().get(_READS, False)
    connection.exec_driver_sql("BEGIN DEFERRED" if reads else "BEGIN IMMEDIATE")
