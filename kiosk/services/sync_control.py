"""Sync for people: the status bar's state, the supervisor's outbox screen and its actions.

Status is for everyone (the status bar shows it on every screen); the outbox listing and its
actions (retry now, send a failed packet again, pause, resume) are the supervisor's
(``Permission.SYNC_CONTROL``) and are audited; registration is the administrator's. Errors are
handed up as codes (``Problem``) that ``kiosk.messages`` words in plain Vietnamese: services never
speak to the user directly. The clock check that blocks submission lives here too: the relay
stores the server's clock offset at each contact, and ``check_clock_in`` refuses a submission when
it is beyond five minutes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kiosk import __version__
from kiosk.domain.application import DeliveryState, ServerVerdict
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import ApplicationId, PacketId
from kiosk.domain.users import Permission, User, require
from kiosk.services.context import ServiceContext
from kiosk.store.repositories.outbox import OutboxEntry
from kiosk.store.uow import UnitOfWork
from kiosk.sync import policy
from kiosk.sync.client import pin_digest
from kiosk.sync.registration import register
from kiosk.sync.relay import Relay
from kiosk.sync.status import CLOCK_TOLERANCE, SyncStatus

__all__ = [
    "OutboxLine",
    "Problem",
    "RegistrationResult",
    "SyncControlService",
    "SyncStatus",
    "check_clock_in",
    "problem_of",
    "require_clock_ok",
]

log = logging.getLogger(__name__)

SelfTestResult = str
"""``ok``, ``failed`` or ``unknown``: what every request tells the server of the self-test."""

_AUTH_CODES = frozenset(
    {"signature_invalid", "kiosk_unknown", "kiosk_revoked", "replay", "http_401", "http_403"}
)


@dataclass(frozen=True, slots=True)
class Problem:
    """A coded error for ``kiosk.messages.describe`` (it satisfies ``CodedError``)."""

    code: ErrorCode
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutboxLine:
    """One packet on the supervisor's outbox screen.

    Attributes:
        state: delivery (``pending``, ``sending``, ``delivered``, ``failed``).
        server_verdict: the server's word, separate (``received``, ``accepted``, ...).
        problem: the last error, ready to be worded (None when all is well).
        error_code: the raw code as stored (a server code, ``http_503``, ...), for the log.
        next_attempt_at: when a pending packet is tried next.
        flagged: failed many times and still retried; conflict: the defect alarm.
        held: waiting for registration to be encrypted to the server.
    """

    packet_id: PacketId
    application_id: ApplicationId
    state: DeliveryState
    server_verdict: ServerVerdict | None
    verdict_reason: str | None
    attempts: int
    size: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    problem: Problem | None
    error_code: str | None
    flagged: bool
    conflict: bool
    held: bool


@dataclass(frozen=True, slots=True)
class RegistrationResult:
    """What ``kiosk register`` reports."""

    kiosk_id: str
    server_id: str
    unit: str
    counter: int
    configuration_version: int


def problem_of(code: str | None) -> Problem | None:
    """The user-facing problem behind a stored error code (server codes, ``http_503``, ...)."""
    if code is None:
        return None
    if code in policy.VALIDATION_CODES:
        return Problem(ErrorCode.SERVER_REFUSED, {"reason": code})
    if code == "packet_conflict":
        return Problem(ErrorCode.SERVER_CONFLICT)
    if code == "packet_incomplete":
        return Problem(ErrorCode.VALIDATION_FAILED, {"field": "packet"})
    if code in _AUTH_CODES:
        return Problem(ErrorCode.SERVER_AUTH)
    known = {item.value: item for item in ErrorCode}
    if code in known and code != ErrorCode.INTERNAL.value:
        return Problem(known[code])
    return Problem(ErrorCode.SERVER_UNREACHABLE)


class SyncControlService:
    """Delivery's state and controls, over the relay the composition root owns."""

    def __init__(self, context: ServiceContext, relay: Relay) -> None:
        self._context = context
        self._relay = relay
        self._listeners: list[Callable[[SyncStatus], None]] = []
        self._lock = threading.Lock()
        self._self_test: SelfTestResult = "unknown"
        relay.on_status = self._publish
        relay.self_test = self.self_test_result

    # -- for everyone ------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        """Where delivery stands now (pending count, oldest age, last error, online or not)."""
        return self._relay.status()

    def probe(self) -> SyncStatus:
        """Ask the server now (a signed ping): whether it answers, and the clock offset."""
        return self._relay.probe()

    def subscribe(self, listener: Callable[[SyncStatus], None]) -> None:
        """Call ``listener`` with the status after every relay round (on the relay's thread)."""
        with self._lock:
            self._listeners.append(listener)

    def clock_offset(self) -> timedelta | None:
        """The server's clock minus the kiosk's at the last contact (None: never measured)."""
        return self.status().clock_offset

    def record_self_test(self, passed: bool) -> None:
        """Remember the last self-test's result; every request tells the server."""
        self._self_test = "ok" if passed else "failed"

    def self_test_result(self) -> SelfTestResult:
        """What the next request reports of the self-test."""
        return self._self_test

    def release_stale(self) -> int:
        """Put packets an interrupted process left ``sending`` back to ``pending``."""
        return self._relay.release_stale()

    def run_once(self) -> SyncStatus:
        """One delivery round now, in the caller's thread (``kiosk sync run``)."""
        return self._relay.run_once()

    # -- the supervisor ----------------------------------------------------------------------

    def outbox(self, user: User, limit: int = 200) -> list[OutboxLine]:
        """The packets, newest first, each with its delivery state and server verdict."""
        require(user, Permission.SYNC_CONTROL)
        with self._context.read() as uow:
            entries = uow.outbox.entries(limit)
        return [_line(entry) for entry in entries]

    def retry_now(self, user: User) -> int:
        """Make every pending packet due now and wake the relay; returns how many."""
        require(user, Permission.SYNC_CONTROL)
        count = self._audited(user, "sync_retry_now", lambda uow, at: uow.outbox.retry_now(at))
        self._relay.retry_now()
        return count

    def resend(self, user: User, packet_id: PacketId) -> None:
        """Send a failed packet again (after the cause was fixed on the server side)."""
        require(user, Permission.SYNC_CONTROL)

        def resend(uow: UnitOfWork, at: datetime) -> int:
            entry = uow.outbox.find(packet_id)
            if entry is None:
                raise DomainError(ErrorCode.NOT_FOUND, "no such packet", kind="packet")
            uow.outbox.retry_failed(entry.row_id, at)
            return 1

        self._audited(user, "sync_resend", resend, subject=str(packet_id))
        self._relay.wake()

    def pause(self, user: User) -> None:
        """Stop delivering until resumed (packets stay safe in the outbox)."""
        require(user, Permission.SYNC_CONTROL)
        self._audited(user, "sync_pause", lambda uow, at: _set_paused(uow, True))

    def resume(self, user: User) -> None:
        """Deliver again."""
        require(user, Permission.SYNC_CONTROL)
        self._audited(user, "sync_resume", lambda uow, at: _set_paused(uow, False))
        self._relay.wake()

    # -- the administrator -------------------------------------------------------------------

    def register(self, admin: User, server_url: str, code: str) -> RegistrationResult:
        """Register this kiosk with the server the invitation ``code`` names.

        Raises:
            DomainError: SERVER_KEY_MISMATCH, INVITE_INVALID, SERVER_REFUSED,
                SERVER_UNREACHABLE or SIGNATURE_INVALID.
        """
        require(admin, Permission.MANAGE_SETTINGS)
        station = self._context.station
        name = f"{station.unit.name} #{station.counter}"
        registered = register(
            server_url,
            code,
            self._context.signing_public_key,
            self._context.clock,
            version=__version__,
            name=name,
        )
        found = registered.registration
        bundle = registered.configuration
        now = self._context.clock.now()
        with self._context.write() as uow:
            uow.sync_state.register(found, now)
            if bundle is not None and registered.configuration_token is not None:
                uow.sync_state.save_configuration(
                    bundle.version, registered.configuration_token, bundle.tls_pins
                )
            details = {"server": found.server_id, "kiosk": found.kiosk_id}
            uow.audit.record_event(now, str(admin.id), "kiosk_register", "sync", details)
            uow.commit()
        log.info("registered with server %s as kiosk %s", found.server_id, found.kiosk_id)
        self._relay.wake()
        return RegistrationResult(
            found.kiosk_id,
            found.server_id,
            found.unit,
            found.counter,
            bundle.version if bundle else 0,
        )

    def connect_demo_server(
        self, admin: User, url: str, pin: str, invite: str | None
    ) -> RegistrationResult | None:
        """Use the demo's child server at ``url``: register, or just follow it to a new port.

        The child keeps its keys in its data folder, so a kiosk registered with it before and
        holding its pin only learns the new address; otherwise ``invite`` registers it.

        Raises:
            DomainError: as ``register``; NOT_REGISTERED when a registration is needed and
                there is no invitation.
        """
        require(admin, Permission.MANAGE_SETTINGS)
        with self._context.read() as uow:
            state = uow.sync_state.get()
        if state.is_registered and pin_digest(pin) in {pin_digest(p) for p in state.tls_pins}:
            with self._context.write() as uow:
                uow.sync_state.set_server_url(url)
                uow.commit()
            self._relay.wake()
            return None
        if invite is None:
            raise DomainError(ErrorCode.NOT_REGISTERED, "no invitation for the demo server")
        return self.register(admin, url, invite)

    def delivery(self, user: User, application_id: ApplicationId) -> OutboxLine | None:
        """The packet of one application, with its delivery state and server verdict."""
        require(user, Permission.SYNC_CONTROL)
        with self._context.read() as uow:
            entry = uow.outbox.for_application(application_id)
        return None if entry is None else _line(entry)

    def _audited(
        self,
        user: User,
        action: str,
        change: Callable[[UnitOfWork, datetime], int | None],
        subject: str = "sync",
    ) -> int:
        now = self._context.clock.now()
        with self._context.write() as uow:
            result = change(uow, now) or 0
            uow.audit.record_event(now, str(user.id), action, subject, {"count": result})
            uow.commit()
        return result

    def _publish(self, status: SyncStatus) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(status)


def require_clock_ok(offset: timedelta | None) -> None:
    """Refuse when ``offset`` (server minus kiosk) is beyond the tolerance.

    Raises:
        DomainError: CLOCK_SKEW, with the tolerance in minutes for the message.
    """
    if offset is not None and abs(offset) > CLOCK_TOLERANCE:
        minutes = int(CLOCK_TOLERANCE / timedelta(minutes=1))
        raise DomainError(ErrorCode.CLOCK_SKEW, "clock differs from the server's", minutes=minutes)


def check_clock_in(uow: UnitOfWork, _at: datetime) -> None:
    """``require_clock_ok`` inside a unit of work (an ``also`` step of the submission)."""
    offset_ms = uow.sync_state.get().clock_offset_ms
    require_clock_ok(None if offset_ms is None else timedelta(milliseconds=offset_ms))


def _set_paused(uow: UnitOfWork, paused: bool) -> None:
    uow.sync_state.set_paused(paused)


def _line(entry: OutboxEntry) -> OutboxLine:
    pending = entry.state is DeliveryState.PENDING
    return OutboxLine(
        packet_id=entry.packet_id,
        application_id=entry.application_id,
        state=entry.state,
        server_verdict=entry.server_verdict,
        verdict_reason=entry.verdict_reason,
        attempts=entry.attempts,
        size=entry.size,
        created_at=entry.created_at,
        next_attempt_at=entry.next_attempt_at if pending else None,
        delivered_at=entry.delivered_at,
        problem=None
        if entry.state is DeliveryState.DELIVERED
        else problem_of(entry.last_error_code),
        error_code=entry.last_error_code,
        flagged=entry.flagged,
        conflict=entry.conflict,
        held=entry.held,
    )
