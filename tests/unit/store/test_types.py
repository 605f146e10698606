import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from kiosk.store.types import UTCDateTime, UUIDBytes

DIALECT = sqlite.dialect()


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), DIALECT)


def test_aware_datetimes_are_stored_as_utc_and_read_back_aware() -> None:
    hanoi = timezone(timedelta(hours=7))
    stored = UTCDateTime().process_bind_param(datetime(2026, 1, 1, 7, tzinfo=hanoi), DIALECT)
    assert stored == datetime(2026, 1, 1, 0)
    read = UTCDateTime().process_result_value(stored, DIALECT)
    assert read == datetime(2026, 1, 1, tzinfo=UTC)
    assert read is not None
    assert read.tzinfo is UTC


def test_uuids_are_sixteen_bytes() -> None:
    value = uuid.uuid4()
    stored = UUIDBytes().process_bind_param(value, DIALECT)
    assert stored == value.bytes
    assert UUIDBytes().process_result_value(stored, DIALECT) == value
    assert UUIDBytes().process_bind_param(None, DIALECT) is None
