"""Where delivery stands (``SyncStatus``), and the server's verdicts pulled back with a cursor.

``SyncStatus`` is the only thing the status bar shows about sync (conventions, Progress): the
relay reports one after every round through a callback, and ``kiosk sync status`` reads the same
from the store. Verdicts are applied in one transaction with the cursor that produced them
(eventsourcing's tracking record), so a crash can never apply a verdict twice or skip one.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.domain.application import ServerVerdict
from kiosk.domain.clock import Clock
from kiosk.domain.ids import PacketId
from kiosk.store.repositories.outbox import Verdict
from kiosk.store.uow import UnitOfWork
from kiosk.sync.client import Reply
from kiosk.sync.errors import ServerUnreachable

log = logging.getLogger(__name__)

VERDICT_PAGE = 500
CLOCK_TOLERANCE = timedelta(minutes=5)
"""Beyond this offset from the server's clock, submission is blocked (issue 11)."""


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Delivery at a glance.

    Attributes:
        registered: the kiosk knows its server (else nothing can be sent; packets are held).
        online: the last round reached the server (None: no round yet in this process).
        paused: a supervisor paused delivery.
        halted: the server refused the kiosk (401/403) or showed another key; the relay waits
            and asks again, and ``last_error_code`` says why. The administrator is alerted.
        undelivered: packets not yet acknowledged (pending or being sent).
        oldest_undelivered_at: when the oldest of them was approved.
        failed: packets the server refused for good (shown to a supervisor with the reason).
        flagged: undelivered packets that failed many times (still retried).
        conflicts: defect alarms (the server holds the same packet id with other content).
        held: packets waiting for registration to be encrypted to the server.
        backlog_too_old: the oldest undelivered packet is older than the warning age.
        last_error_code: the latest error of an undelivered packet or of the link, if any.
        next_attempt_at: when the relay tries next.
        last_contact_at: the last answer from the server.
        clock_offset: the server's clock minus ours at the last contact.
        at: when this status was taken.
    """

    registered: bool
    online: bool | None
    paused: bool
    halted: bool
    undelivered: int
    oldest_undelivered_at: datetime | None
    failed: int
    flagged: int
    conflicts: int
    held: int
    backlog_too_old: bool
    last_error_code: str | None
    next_attempt_at: datetime | None
    last_contact_at: datetime | None
    clock_offset: timedelta | None
    at: datetime

    @property
    def oldest_age(self) -> timedelta | None:
        """How long the oldest undelivered packet has waited."""
        if self.oldest_undelivered_at is None:
            return None
        return self.at - self.oldest_undelivered_at

    @property
    def clock_skewed(self) -> bool:
        """Whether the kiosk's clock is too far from the server's to accept submissions."""
        return self.clock_offset is not None and abs(self.clock_offset) > CLOCK_TOLERANCE


@dataclass(frozen=True, slots=True)
class LinkState:
    """What the relay knows in memory about the link (not in the store)."""

    online: bool | None = None
    halted: bool = False
    error_code: str | None = None


def read_status(
    uow: UnitOfWork, clock: Clock, link: LinkState, old_backlog: timedelta
) -> SyncStatus:
    """The status from the store, with what the relay knows of the link."""
    counts = uow.outbox.counts()
    state = uow.sync_state.get()
    now = clock.now()
    oldest = counts.oldest_undelivered_at
    offset_ms = state.clock_offset_ms
    offset = None if offset_ms is None else timedelta(milliseconds=offset_ms)
    return SyncStatus(
        registered=state.is_registered,
        online=link.online,
        paused=state.paused,
        halted=link.halted,
        undelivered=counts.undelivered,
        oldest_undelivered_at=oldest,
        failed=counts.failed,
        flagged=counts.flagged,
        conflicts=counts.conflicts,
        held=counts.held,
        backlog_too_old=oldest is not None and now - oldest > old_backlog,
        last_error_code=link.error_code or counts.last_error_code,
        next_attempt_at=counts.next_attempt_at,
        last_contact_at=state.last_contact_at,
        clock_offset=offset,
        at=now,
    )


def apply_verdict_page(uow: UnitOfWork, reply: Reply, at: datetime) -> tuple[int, int]:
    """Apply one page of verdicts and move the cursor, inside the caller's write unit.

    Each verdict is audited as a server event on its application. Returns the new cursor and
    how many verdicts the page held.

    Raises:
        ServerUnreachable: the page is not the protocol's shape (reason ``bad_reply``); nothing
            is applied and the cursor stays.
    """
    try:
        document = reply.json()
        verdicts = list(document["verdicts"])
        cursor = int(document["next"])
        parsed = [
            Verdict(
                PacketId(uuid.UUID(item["packet_id"])),
                ServerVerdict(item["verdict"]),
                item.get("reason"),
                datetime.fromisoformat(item["at"]),
            )
            for item in verdicts
        ]
    except (ValueError, KeyError, TypeError) as err:
        raise ServerUnreachable("malformed verdict page", reason="bad_reply") from err
    held = uow.outbox.apply_verdicts(parsed)
    for item in parsed:
        application_id = held.get(item.packet_id)
        if application_id is None:
            log.warning("verdict for a packet this kiosk does not hold")
            continue
        details = {
            "verdict": item.verdict.value,
            "reason": item.reason or "",
            "packet": str(item.packet_id),
        }
        uow.audit.record_event(at, "server", "server_verdict", str(application_id), details)
    uow.sync_state.save_cursor(cursor)
    return cursor, len(parsed)
