"""The server's schema, built and upgraded in numbered steps (Alembic operations, no scripts).

Each packet schema version that adds a part adds a step here (issue 10: "face and documents
each add their part with a schema bump, a server migration"): step 1 is the base tables, steps
2, 3 and 4 the face, liveness and documents parts, 5 and 6 are for speed. ``central_schema``
records how many steps ran; ``migrate`` runs the rest in one transaction at start-up, so a
database is never half-upgraded.
A test checks that the steps end exactly at the rows of ``central.db``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from central.db import SCHEMA_VERSION, UTCDateTime

_log = logging.getLogger(__name__)


def _base(op: Operations) -> None:
    """Kiosks, invites, nonces, packets (schema version 1), verdicts, configuration bundles."""
    op.create_table(
        "kiosks",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("public_jwk", sa.Text, nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("counter", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("registered_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("last_contact_at", UTCDateTime),
        sa.Column("last_version", sa.String(64)),
        sa.Column("last_uptime", sa.Integer),
        sa.Column("last_backlog", sa.Integer),
        sa.Column("last_self_test", sa.String(16)),
        sa.Column("audit_sequence", sa.Integer),
        sa.Column("audit_hash", sa.String(128)),
        sa.Column("chain_flag", sa.String(64)),
        sa.PrimaryKeyConstraint("kid", name="pk_kiosks"),
    )
    op.create_table(
        "invites",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("counter", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime),
        sa.Column("kiosk_id", sa.String(64)),
        sa.PrimaryKeyConstraint("token_sha256", name="pk_invites"),
    )
    op.create_table(
        "nonces",
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(128), nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", "nonce", name="pk_nonces"),
    )
    op.create_index("ix_nonces_seen_at", "nonces", ["seen_at"])
    op.create_table(
        "packets",
        sa.Column("packet_id", sa.String(64), nullable=False),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("application_id", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("jws", sa.Text, nullable=False),
        sa.Column("acknowledgement", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("demo", sa.Boolean, nullable=False),
        sa.Column("audit_sequence", sa.Integer, nullable=False),
        sa.Column("audit_hash", sa.String(128), nullable=False),
        sa.Column("passive_authentication", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(128)),
        sa.Column("activate_at", UTCDateTime),
        sa.Column("activated_at", UTCDateTime),
        sa.PrimaryKeyConstraint("packet_id", name="pk_packets"),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kid"], name="fk_packets_kiosk_id_kiosks"),
    )
    op.create_index("ix_packets_kiosk_id", "packets", ["kiosk_id"])
    op.create_index("ix_packets_activate_at", "packets", ["activate_at"])
    op.create_table(
        "verdicts",
        sa.Column("cursor", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("packet_id", sa.String(64), nullable=False),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("application_id", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(128)),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("cursor", name="pk_verdicts"),
        sa.ForeignKeyConstraint(
            ["packet_id"], ["packets.packet_id"], name="fk_verdicts_packet_id_packets"
        ),
    )
    op.create_index("ix_verdicts_kiosk_id", "verdicts", ["kiosk_id"])
    op.create_table(
        "config_bundles",
        sa.Column("version", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("jws", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_config_bundles"),
    )


def _face(op: Operations) -> None:
    """Packet schema version 2: the face match's decision and distance."""
    op.add_column("packets", sa.Column("face_decision", sa.String(32)))
    op.add_column("packets", sa.Column("face_distance", sa.Float))


def _liveness(op: Operations) -> None:
    """Packet schema version 3: whether liveness was proven."""
    op.add_column("packets", sa.Column("liveness_live", sa.Boolean))


def _documents(op: Operations) -> None:
    """Packet schema version 4: one row per scanned document."""
    op.create_table(
        "packet_documents",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("packet_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("has_qr", sa.Boolean, nullable=False),
        sa.Column("mismatches", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_packet_documents"),
        sa.ForeignKeyConstraint(
            ["packet_id"], ["packets.packet_id"], name="fk_packet_documents_packet_id_packets"
        ),
    )
    op.create_index("ix_packet_documents_packet_id", "packet_documents", ["packet_id"])


def _covering_indexes(op: Operations) -> None:
    """Indexes that answer the per-packet queries without reading the packets' rows.

    The audit chain check of every packet, the decision thread's query of pending packets and
    the activation query of every verdict pull read
    columns that SQLite stores after the ~400 KB ``jws``, so without these each one walked the
    overflow pages of every earlier packet of the kiosk: intake slowed down as the table grew
    (about 1 packet/s after 1,000; docs/benchmarks.md).
    """
    op.create_index(
        "ix_packets_chain",
        "packets",
        ["kiosk_id", "audit_sequence", "created_at", "audit_hash", "packet_id"],
    )
    op.create_index("ix_packets_activation", "packets", ["activated_at", "kiosk_id", "activate_at"])
    op.create_index(
        "ix_packets_pending", "packets", ["decision", "kiosk_id", "received_at", "packet_id"]
    )


def _bodies(op: Operations) -> None:
    """The JWS moves to a table of its own, so updating a packet's decision leaves it alone.

    SQLite rewrites a whole row (overflow pages included) on any update: with the ~400 KB JWS in
    the packet's row, each decision and each activation wrote the packet again.
    """
    op.create_table(
        "packet_bodies",
        sa.Column("packet_id", sa.String(64), nullable=False),
        sa.Column("jws", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("packet_id", name="pk_packet_bodies"),
        sa.ForeignKeyConstraint(
            ["packet_id"], ["packets.packet_id"], name="fk_packet_bodies_packet_id_packets"
        ),
    )
    op.execute("INSERT INTO packet_bodies (packet_id, jws) SELECT packet_id, jws FROM packets")
    op.drop_column("packets", "jws")


MIGRATIONS: tuple[Callable[[Operations], None], ...] = (
    _base,
    _face,
    _liveness,
    _documents,
    _covering_indexes,
    _bodies,
)
"""In order; never edit a released step, add one."""


def migrate(engine: Engine, steps: int = len(MIGRATIONS)) -> int:
    """Run the steps the database has not run yet, up to ``steps``; returns its version.

    Raises:
        RuntimeError: the database is newer than this server (a downgrade is not offered).
    """
    with engine.begin() as connection:
        SCHEMA_VERSION.create(connection, checkfirst=True)
        current = connection.execute(sa.select(SCHEMA_VERSION.c.version)).scalar()
        if current is None:
            connection.execute(SCHEMA_VERSION.insert().values(version=0))
            current = 0
        if current > len(MIGRATIONS):
            raise RuntimeError(f"database schema {current} is newer than this server's")
        operations = Operations(MigrationContext.configure(connection))
        for number in range(current, steps):
            MIGRATIONS[number](operations)
            _log.info("database migrated to schema %d", number + 1)
        version = max(current, steps)
        connection.execute(SCHEMA_VERSION.update().values(version=version))
    return version
