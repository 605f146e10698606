"""The ``portraits`` table: face images (the chip's DG2 portrait and live captures), sealed.

An image is sealed under its application's data key with associated data
``portraits|image|<portrait id>``; the row also names its application, so a purge deletes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.base import Base
from kiosk.store.types import str_enum


class PortraitKind(StrEnum):
    """Where a portrait came from."""

    CHIP = "chip"
    LIVE = "live"


class PortraitRow(Base):
    """One sealed face image of one application."""

    __tablename__ = "portraits"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[PortraitKind] = mapped_column(str_enum(PortraitKind, "kind"))
    created_at: Mapped[datetime]
    image: Mapped[bytes]
