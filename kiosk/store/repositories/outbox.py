"""``OutboxRepository``: the delivery queue of approved applications' packets.

The outbox follows the transactional-outbox pattern: ``enqueue`` runs inside the caller's unit
of work (the approval), so an approved application always has its packet and never one without
the other. The relay then ``claim``s due rows oldest first and records each outcome in a short
transaction of its own. A crash between sending and recording leaves the row ``sending``;
``release_stale`` puts such rows back to ``pending`` when a relay starts, and the resend is
deduplicated by the server on the packet id (at least once on the wire, once in effect).

Rows are mapped to frozen values before they leave this module; no ORM object reaches the relay
thread or the UI.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, undefer

from kiosk.domain.application import DeliveryState, ServerVerdict
from kiosk.domain.ids import ApplicationId, PacketId
from kiosk.store import crypto
from kiosk.store.errors import NotFoundError
from kiosk.store.rows.outbox import OutboxPayloadRow, OutboxRow, PacketKind

_OUTBOX = OutboxRow.__tablename__
_UNDELIVERED = (DeliveryState.PENDING, DeliveryState.SENDING)
SETTLED = (ServerVerdict.ACCEPTED, ServerVerdict.DECLINED, ServerVerdict.ACTIVATED)
"""Verdicts after which the server holds the application for good (retention may start)."""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed packet, ready to send: exactly the bytes stored at approval."""

    row_id: int
    packet_id: PacketId
    application_id: ApplicationId
    payload: bytes
    payload_sha256: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """One verdict of the server's feed on one packet: what it decided, why, and when."""

    packet_id: PacketId
    verdict: ServerVerdict
    reason: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One row as the supervisor's outbox screen and ``kiosk sync status`` show it."""

    row_id: int
    packet_id: PacketId
    application_id: ApplicationId
    state: DeliveryState
    server_verdict: ServerVerdict | None
    verdict_reason: str | None
    attempts: int
    size: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error_code: str | None
    flagged: bool
    conflict: bool
    held: bool


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    """The backlog in numbers: what the status bar and the daily report need."""

    undelivered: int
    oldest_undelivered_at: datetime | None
    failed: int
    flagged: int
    conflicts: int
    held: int
    last_error_code: str | None
    last_error_at: datetime | None
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class HeldPacket:
    """A packet built before registration, opened to be encrypted to the server now."""

    row_id: int
    packet_id: PacketId
    application_id: ApplicationId
    cbor: bytes


class OutboxRepository:
    """The outbox of this database, seen through one unit of work."""

    def __init__(self, session: Session, data_key: Callable[[uuid.UUID], bytes]) -> None:
        self._session = session
        self._data_key = data_key

    def enqueue(
        self,
        application_id: ApplicationId,
        packet_id: PacketId,
        payload_sha256: str,
        at: datetime,
        *,
        sealed: bytes | None = None,
        cbor: bytes | None = None,
    ) -> int:
        """Add a packet for delivery: ``sealed`` (the JWE) or, unregistered, ``cbor`` to hold.

        The held CBOR is sealed under the application's data key here, so it is shredded with
        the application like everything else personal.
        """
        if (sealed is None) == (cbor is None):
            raise ValueError("give exactly one of sealed and cbor")
        held = None
        if cbor is not None:
            held = crypto.seal(self._data_key(application_id), cbor, _held_ad(packet_id))
        row = OutboxRow(
            packet_id=packet_id,
            application_id=application_id,
            kind=PacketKind.APPLICATION,
            held=held,
            payload_sha256=payload_sha256,
            size=len(sealed if sealed is not None else cbor or b""),
            created_at=at,
            attempts=0,
            next_attempt_at=at,
            state=DeliveryState.PENDING,
            flagged=False,
            conflict=False,
        )
        self._session.add(row)
        self._session.flush()
        if sealed is not None:
            self._session.add(OutboxPayloadRow(outbox_id=row.id, payload=sealed))
            self._session.flush()
        return row.id

    def enqueue_unbuildable(
        self, application_id: ApplicationId, packet_id: PacketId, code: str, at: datetime
    ) -> int:
        """Record, as ``failed`` with ``code``, an approval whose packet could not be built.

        The supervisor's outbox screen shows it; nothing is ever dropped silently.
        """
        row = OutboxRow(
            packet_id=packet_id,
            application_id=application_id,
            kind=PacketKind.APPLICATION,
            payload_sha256="",
            size=0,
            created_at=at,
            attempts=0,
            next_attempt_at=at,
            state=DeliveryState.FAILED,
            last_error_code=code,
            last_error_at=at,
            flagged=False,
            conflict=False,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def held(self, limit: int = 50) -> list[HeldPacket]:
        """Packets waiting for the server's key, oldest first, opened for encryption."""
        query = (
            select(OutboxRow)
            .options(undefer(OutboxRow.held))
            .where(OutboxRow.held.is_not(None), OutboxRow.purged_at.is_(None))
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return [
            HeldPacket(
                row.id,
                PacketId(row.packet_id),
                ApplicationId(row.application_id),
                crypto.unseal(
                    self._data_key(row.application_id), row.held or b"", _held_ad(row.packet_id)
                ),
            )
            for row in self._session.scalars(query)
        ]

    def seal_held(self, row_id: int, sealed: bytes) -> None:
        """Replace a held packet by its encryption to the server (the bytes sent from now on)."""
        row = self._row(row_id)
        row.held, row.size = None, len(sealed)
        self._session.add(OutboxPayloadRow(outbox_id=row_id, payload=sealed))
        self._session.flush()

    def claim(self, now: datetime, limit: int = 10) -> list[OutboxItem]:
        """Due, sendable rows oldest first, marked ``sending`` (the caller commits at once)."""
        query = (
            select(OutboxRow, OutboxPayloadRow.payload)
            .join(OutboxPayloadRow, OutboxPayloadRow.outbox_id == OutboxRow.id)
            .where(OutboxRow.state == DeliveryState.PENDING, OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        claimed = []
        for row, payload in self._session.execute(query):
            row.state = DeliveryState.SENDING
            claimed.append(
                OutboxItem(
                    row.id,
                    PacketId(row.packet_id),
                    ApplicationId(row.application_id),
                    payload,
                    row.payload_sha256,
                    row.attempts,
                )
            )
        self._session.flush()
        return claimed

    def release(self, row_ids: Sequence[int]) -> None:
        """Put claimed rows the relay did not send (it stopped mid-batch) back to ``pending``."""
        if row_ids:
            self._session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(row_ids), OutboxRow.state == DeliveryState.SENDING)
                .values(state=DeliveryState.PENDING)
            )

    def release_stale(self) -> int:
        """Put rows left ``sending`` by a crash back to ``pending``; returns how many."""
        result = self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.state == DeliveryState.SENDING)
            .values(state=DeliveryState.PENDING)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def record_delivered(self, row_id: int, acknowledgement: bytes, at: datetime) -> None:
        """The server acknowledged the packet (its verdict is ``received`` from now)."""
        row = self._row(row_id)
        row.state = DeliveryState.DELIVERED
        row.attempts += 1
        row.delivered_at = at
        row.acknowledgement = acknowledgement
        row.last_error_code = None
        if row.server_verdict is None:
            row.server_verdict, row.verdict_at = ServerVerdict.RECEIVED, at
        self._session.flush()

    def record_retry(
        self, row_id: int, code: str, at: datetime, next_at: datetime, *, flag: bool = False
    ) -> None:
        """A transient failure: back to ``pending``, due again at ``next_at``."""
        row = self._row(row_id)
        row.state = DeliveryState.PENDING
        row.attempts += 1
        row.next_attempt_at = next_at
        row.last_error_code, row.last_error_at = code, at
        row.flagged = row.flagged or flag
        self._session.flush()

    def record_paused(self, row_id: int, code: str, at: datetime) -> None:
        """The server refused the kiosk (401/403): back to ``pending``, no attempt counted."""
        row = self._row(row_id)
        row.state = DeliveryState.PENDING
        row.last_error_code, row.last_error_at = code, at
        self._session.flush()

    def record_failed(
        self, row_id: int, code: str, at: datetime, *, conflict: bool = False
    ) -> None:
        """A permanent refusal (a validation code, or a 409 conflict): ``failed`` with its code."""
        row = self._row(row_id)
        row.state = DeliveryState.FAILED
        row.attempts += 1
        row.last_error_code, row.last_error_at = code, at
        row.conflict = conflict
        self._session.flush()

    def retry_failed(self, row_id: int, at: datetime) -> None:
        """A supervisor sends a failed packet again (after the server side was fixed)."""
        row = self._row(row_id)
        if row.state is DeliveryState.FAILED:
            row.state, row.next_attempt_at = DeliveryState.PENDING, at
        self._session.flush()

    def retry_now(self, at: datetime) -> int:
        """Make every pending row due at once (the supervisor's "retry now")."""
        result = self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.state == DeliveryState.PENDING)
            .values(next_attempt_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def apply_verdicts(self, verdicts: Sequence[Verdict]) -> dict[PacketId, ApplicationId]:
        """Record the server's verdicts on our packets, in order (one query for all of them).

        Returns the application of each packet this kiosk holds; an unknown packet is left out.
        """
        wanted = {verdict.packet_id for verdict in verdicts}
        query = select(OutboxRow).where(OutboxRow.packet_id.in_(list(wanted)))
        rows = {PacketId(row.packet_id): row for row in self._session.scalars(query)}
        for verdict in verdicts:
            row = rows.get(verdict.packet_id)
            if row is None:
                continue
            # Delivery stays the relay's to record: only a verified acknowledgement makes a
            # packet ``delivered``, so a lost or refused one is asked for again (the server
            # resends it).
            row.server_verdict, row.verdict_reason = verdict.verdict, verdict.reason
            row.verdict_at = verdict.at
        return {packet_id: ApplicationId(row.application_id) for packet_id, row in rows.items()}

    def entries(self, limit: int = 200, states: Sequence[DeliveryState] = ()) -> list[OutboxEntry]:
        """Rows newest first (optionally only in ``states``), for the outbox screen."""
        query = _ENTRIES.order_by(OutboxRow.id.desc()).limit(limit)
        if states:
            query = query.where(OutboxRow.state.in_(list(states)))
        return [_entry(row, held) for row, held in self._session.execute(query)]

    def for_application(self, application_id: ApplicationId) -> OutboxEntry | None:
        """The application's packet, if it has one."""
        query = _ENTRIES.where(OutboxRow.application_id == application_id)
        found = self._session.execute(query.order_by(OutboxRow.id.desc()).limit(1)).first()
        return None if found is None else _entry(*found)

    def find(self, packet_id: PacketId) -> OutboxEntry | None:
        """The row of ``packet_id``, if this kiosk has it."""
        found = self._session.execute(_ENTRIES.where(OutboxRow.packet_id == packet_id)).first()
        return None if found is None else _entry(*found)

    def acknowledgement(self, packet_id: PacketId) -> bytes | None:
        """The server's signed acknowledgement of the packet, once delivered."""
        query = select(OutboxRow.acknowledgement).where(OutboxRow.packet_id == packet_id)
        return self._session.scalar(query)

    def counts(self) -> OutboxCounts:
        """The backlog: undelivered rows and the oldest of them, failures, flags, last error."""
        state = OutboxRow.state
        undelivered = state.in_(list(_UNDELIVERED))
        row = self._session.execute(
            select(
                func.count().filter(undelivered),
                func.min(OutboxRow.created_at).filter(undelivered),
                func.count().filter(state == DeliveryState.FAILED),
                func.count().filter(undelivered & OutboxRow.flagged),
                func.count().filter(OutboxRow.conflict),
                func.count().filter(OutboxRow.held.is_not(None)),
                func.min(OutboxRow.next_attempt_at).filter(state == DeliveryState.PENDING),
            )
        ).one()
        last = self._session.execute(
            select(OutboxRow.last_error_code, OutboxRow.last_error_at)
            .where(OutboxRow.last_error_at.is_not(None), state != DeliveryState.DELIVERED)
            .order_by(OutboxRow.last_error_at.desc())
            .limit(1)
        ).first()
        return OutboxCounts(
            undelivered=row[0],
            oldest_undelivered_at=row[1],
            failed=row[2],
            flagged=row[3],
            conflicts=row[4],
            held=row[5],
            last_error_code=None if last is None else last[0],
            last_error_at=None if last is None else last[1],
            next_attempt_at=row[6],
        )

    def settled_before(self, cutoff: datetime, limit: int = 100) -> list[ApplicationId]:
        """Applications whose packet the server settled before ``cutoff`` and not yet purged."""
        query = (
            select(OutboxRow.application_id)
            .where(
                OutboxRow.server_verdict.in_(list(SETTLED)),
                OutboxRow.verdict_at < cutoff,
                OutboxRow.purged_at.is_(None),
            )
            .order_by(OutboxRow.verdict_at)
            .limit(limit)
        )
        return [ApplicationId(app_id) for app_id in self._session.scalars(query)]

    def purge(self, application_id: ApplicationId, at: datetime) -> None:
        """Shred the application's stored packet and acknowledgement (workflow columns stay)."""
        rows = select(OutboxRow.id).where(OutboxRow.application_id == application_id)
        self._session.execute(delete(OutboxPayloadRow).where(OutboxPayloadRow.outbox_id.in_(rows)))
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.application_id == application_id)
            .values(held=None, acknowledgement=None, purged_at=at)
        )

    def _row(self, row_id: int) -> OutboxRow:
        row = self._session.get(OutboxRow, row_id)
        if row is None:
            raise NotFoundError("no such outbox row", kind="outbox")
        return row


def _held_ad(packet_id: uuid.UUID) -> bytes:
    return crypto.associated_data(_OUTBOX, "held", packet_id)


_ENTRIES = select(OutboxRow, OutboxRow.held.is_not(None))
"""Rows for listing, with whether a packet is held (the held bytes themselves stay unloaded)."""


def _entry(row: OutboxRow, held: bool) -> OutboxEntry:
    return OutboxEntry(
        row_id=row.id,
        packet_id=PacketId(row.packet_id),
        application_id=ApplicationId(row.application_id),
        state=row.state,
        server_verdict=row.server_verdict,
        verdict_reason=row.verdict_reason,
        attempts=row.attempts,
        size=row.size,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
        last_error_code=row.last_error_code,
        flagged=row.flagged,
        conflict=row.conflict,
        held=bool(held),
    )
