"""The ``audit_log`` table: the append-only, hash-chained, MACed record of what was done.

Each entry stores the previous entry's hash, its own hash and a MAC under a key derived from the
master key (never stored here). Entries hold no personal data: ids, codes and states only. On
SQLite, triggers created by the migration refuse UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.base import Base


class AuditRow(Base):
    """One ``kiosk.domain.audit.AuditEntry``; ``sequence`` is gap-free and orders the chain."""

    __tablename__ = "audit_log"

    sequence: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64), index=True)
    details: Mapped[str] = mapped_column(String(2000))
    prev_hash: Mapped[bytes]
    hash: Mapped[bytes]
    mac: Mapped[bytes]
