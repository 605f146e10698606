"""Column types: ``UTCDateTime`` (aware UTC datetimes only) and ``UUIDBytes`` (UUIDs as 16 bytes).

UUIDs are stored as 16 raw bytes rather than CHAR(36): every child table, index and foreign key
carries an application id, and 16 bytes halves their size on a database meant to hold 100,000
applications. Readability in a raw SQLite shell is not a goal: records are inspected through the
command line, which decrypts them anyway.

Encrypted columns are plain ``LargeBinary``: encryption is done by the repositories, because the
key is per application and the associated data needs the row id (see ``kiosk.store.rows``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and read back as an aware UTC ``datetime``.

    Naive datetimes are refused on the way in: a local time silently stored as UTC would shift
    every audit entry by seven hours, and nothing could tell afterwards.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC; refuse a naive one."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: give a timezone-aware value")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to the stored naive value."""
        return None if value is None else value.replace(tzinfo=UTC)


class UUIDBytes(TypeDecorator[uuid.UUID]):
    """A UUID stored as its 16 bytes (big-endian, RFC 9562 byte order)."""

    impl = LargeBinary(16)
    cache_ok = True

    def process_bind_param(self, value: uuid.UUID | None, dialect: Dialect) -> bytes | None:
        """Store the UUID's 16 bytes."""
        return None if value is None else value.bytes

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> uuid.UUID | None:
        """Rebuild the UUID from its 16 bytes."""
        return None if value is None else uuid.UUID(bytes=bytes(value))


def str_enum(enum_class: type[StrEnum], name: str) -> Enum:
    """A ``StrEnum`` column stored as its string values, with a CHECK constraint named ``name``.

    Not a native database enum: adding a value is then a plain batch migration on every backend.
    """
    values = [member.value for member in enum_class]
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(value) for value in values),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
