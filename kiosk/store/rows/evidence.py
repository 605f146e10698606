"""The ``evidence`` table: what each step of an application was decided on, sealed.

One row per (application, kind, slot): the chip read, each scanned document (slot ``gplx`` or
``bhyt``), the liveness check, the consent record and the stage timings. Recording a step again
replaces its row, so a rescan never leaves two versions. The payload is sealed under the
application's data key with associated data ``evidence|payload|<row id>``; a purge deletes the
rows with the key.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.domain.evidence import EvidenceKind
from kiosk.store.base import Base
from kiosk.store.types import str_enum


class EvidenceRow(Base):
    """One sealed piece of evidence of one application."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("application_id", "kind", "slot"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "kind"))
    slot: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime]
    payload: Mapped[bytes]
