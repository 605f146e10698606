"""The ``applications`` table, and ``data_keys``: the per-application keys a purge deletes.

Workflow columns (state, who, when, verdict codes) are plain so that queues and reports need no
key. Personal columns (``citizen``, ``phone``, ``email``, ``reason_note``) hold values sealed
under the application's data key with associated data ``applications|<column>|<id>``; the ID
number is also kept as a blind index for search. A purge deletes the ``data_keys`` row and nulls
the sealed columns; the workflow columns stay for the audit trail and reports.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.domain.application import ApplicationState, ReasonCode
from kiosk.domain.chip import ChipVerdict
from kiosk.store.base import Base
from kiosk.store.types import str_enum


class ApplicationRow(Base):
    """One application; mapped to ``kiosk.domain.application.Application``."""

    __tablename__ = "applications"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[ApplicationState] = mapped_column(str_enum(ApplicationState, "state"), index=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)
    chip_verdict: Mapped[ChipVerdict | None] = mapped_column(str_enum(ChipVerdict, "chip_verdict"))
    face_attempts: Mapped[str] = mapped_column(String(2000))
    captured_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    four_eyes_relaxed: Mapped[bool]
    reason_code: Mapped[ReasonCode | None] = mapped_column(str_enum(ReasonCode, "reason_code"))
    demo: Mapped[bool]
    purged_at: Mapped[datetime | None]
    id_number_index: Mapped[bytes | None] = mapped_column(index=True)
    citizen: Mapped[bytes | None]
    phone: Mapped[bytes | None]
    email: Mapped[bytes | None]
    reason_note: Mapped[bytes | None]


class DataKeyRow(Base):
    """An application's data key, sealed under the master key; deleting it shreds the data."""

    __tablename__ = "data_keys"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id"), primary_key=True
    )
    wrapped: Mapped[bytes]
