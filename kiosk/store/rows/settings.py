"""The ``settings`` table: station settings an administrator changes at run time.

Machine settings live in the configuration file; only settings that are themselves audited
decisions (such as relaxing the four-eyes rule) live here, next to the audit log that records them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.base import Base


class SettingRow(Base):
    """One named setting with its JSON-encoded value and who changed it last."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(1000))
    updated_at: Mapped[datetime]
    updated_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
