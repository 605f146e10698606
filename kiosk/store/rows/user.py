"""The ``users`` table: accounts, their argon2id password hashes and their lock-out state.

Failure counts and lock-out times are columns, not memory, so a lock-out survives a restart.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.domain.users import Role
from kiosk.store.base import Base
from kiosk.store.types import str_enum


class UserRow(Base):
    """One account; the repository maps it to ``kiosk.domain.users.User`` minus the hash."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    service_number: Mapped[str] = mapped_column(String(20))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int]
    locked_until: Mapped[datetime | None]
    disabled: Mapped[bool]
    created_at: Mapped[datetime]
