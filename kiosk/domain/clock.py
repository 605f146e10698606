"""Time for the domain: the ``Clock`` port, the system clock, and display in local time.

Every stored or compared time is an aware UTC ``datetime``; the local zone is used only to show
a time to people (receipts, screens), because counters and the central server may disagree on
the zone but never on UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    """Where the current time comes from; injected so that tests can freeze it."""

    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.now(UTC)


def is_aware_utc(moment: datetime) -> bool:
    """Whether ``moment`` carries a zone with a zero offset, the only times the domain stores."""
    return moment.utcoffset() == timedelta(0)


def to_local(moment: datetime) -> datetime:
    """``moment`` in Vietnam's time zone, for display only.

    Raises:
        ValueError: ``moment`` is naive: its zone is unknown, so converting it would be a guess.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime has no zone to convert from")
    return moment.astimezone(LOCAL_ZONE)
