"""The ``outbox`` table (one row per packet to deliver) and ``sync_state`` (the station's link).

An outbox row is written in the approval's own transaction (the transactional outbox), with its
payload in ``outbox_payloads``: the packet exactly as it goes on the wire, a compact JWE
encrypted to the central server, which nothing on the kiosk can open again. The payload (about
half a megabyte) has a table of its own because SQLite rewrites a whole row on every update, and
an outbox row changes four or five times per packet (claimed, delivered, each verdict). Until
the kiosk is registered there is no server key to encrypt to, so the packet is ``held``: its
CBOR sealed under the application's data key, like every other personal field, and encrypted to
the server by the relay's first round after registration (a held row changes nothing else
meanwhile). Delivery (``state``) and the server's verdict are separate columns, never one enum
(MOSIP's lesson). A purge deletes the payload and nulls ``held`` and ``acknowledgement``; the
row's plain workflow columns stay for the reports.

``sync_state`` is a single row: the server's keys and TLS pins learnt at registration or from a
signed configuration bundle, the verdict cursor (saved with the verdicts' effects), the last
configuration version, and the last contact and clock offset that the self-test shows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.domain.application import DeliveryState, ServerVerdict
from kiosk.store.base import Base
from kiosk.store.types import str_enum

SYNC_STATE_ROW_ID = 1


class PacketKind(StrEnum):
    """What an outbox row carries; one kind so far, named so a second needs no migration."""

    APPLICATION = "application"


class OutboxRow(Base):
    """One packet on its way to the central server."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    packet_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[PacketKind] = mapped_column(str_enum(PacketKind, "packet_kind"))
    # Loaded only when asked for: listing and recording outcomes must not drag a held packet
    # through the ORM.
    held: Mapped[bytes | None] = mapped_column(deferred=True)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime]
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, "delivery_state"), index=True
    )
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    acknowledgement: Mapped[bytes | None] = mapped_column(deferred=True)
    server_verdict: Mapped[ServerVerdict | None] = mapped_column(
        str_enum(ServerVerdict, "server_verdict")
    )
    verdict_reason: Mapped[str | None] = mapped_column(String(64))
    verdict_at: Mapped[datetime | None]
    flagged: Mapped[bool]
    conflict: Mapped[bool]
    purged_at: Mapped[datetime | None]


class OutboxPayloadRow(Base):
    """The JWE of an outbox row: written once (at approval, or when a held packet is sealed)."""

    __tablename__ = "outbox_payloads"

    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), primary_key=True)
    payload: Mapped[bytes]


class SyncStateRow(Base):
    """The one row of ``sync_state`` (its id is always 1)."""

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint(f"id = {SYNC_STATE_ROW_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    server_url: Mapped[str | None] = mapped_column(String(500))
    server_id: Mapped[str | None] = mapped_column(String(100))
    kiosk_id: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(200))
    counter: Mapped[int | None]
    signing_key: Mapped[str | None] = mapped_column(String(2000))
    encryption_key: Mapped[str | None] = mapped_column(String(2000))
    tls_pins: Mapped[str] = mapped_column(String(1000))
    registered_at: Mapped[datetime | None]
    verdict_cursor: Mapped[int]
    config_version: Mapped[int]
    config_bundle: Mapped[bytes | None]
    paused: Mapped[bool]
    last_contact_at: Mapped[datetime | None]
    clock_offset_ms: Mapped[int | None]
