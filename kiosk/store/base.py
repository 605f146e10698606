"""The single ``DeclarativeBase`` of the kiosk's rows, its naming convention and type map.

The naming convention gives every constraint a stable name, which Alembic's batch mode needs to
alter SQLite tables; the type map makes ``Mapped[uuid.UUID]`` and ``Mapped[datetime]`` use the
store's own column types everywhere, so no row can declare a naive timestamp by accident.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from kiosk.store.types import UTCDateTime, UUIDBytes

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every row; its ``metadata`` is what the migrations are checked against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it as a class attribute
        uuid.UUID: UUIDBytes(),
        datetime: UTCDateTime(),
    }
