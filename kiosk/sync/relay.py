"""The relay: one plain thread that delivers the outbox, pulls verdicts and configuration.

One round: encrypt packets held since before registration, then claim due rows oldest first in
small batches (``CLAIM_BATCH``, rows not sent when the round ends go back to ``pending``) and
send each alone (one packet per request, ``Idempotency-Key`` = packet id) from the relay's
sender threads, up to ``SENDERS`` requests in flight once the server has answered one, each
outcome recorded in a short transaction of its own; then pull verdicts (cursor saved with their
effects; during a long delivery a page every ``VERDICTS_EVERY`` answers too) and the
configuration bundle; then note the server's clock. A crash between the server's answer
and the recorded outcome leaves the row ``sending``; the next start puts it back to ``pending``
and the resend gets the server's original acknowledgement (at least once on the wire, once in
effect). ``KIOSK_RELAY_CRASH_AT=after_response`` kills the process at exactly that point, for
the crash test.

The thread is woken by ``wake()`` (called after every enqueue commit) or by its timer, and stops
once the requests in flight are answered. Failures are classified by ``kiosk.sync.policy``; the
round is the job boundary where anything unexpected is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from kiosk.domain.clock import Clock
from kiosk.store.repositories.outbox import OutboxItem
from kiosk.store.repositories.sync_state import SyncState
from kiosk.store.uow import UnitOfWork
from kiosk.sync.client import Credentials, KioskInfo, Reply, ServerClient
from kiosk.sync.envelope import (
    PacketSealer,
    check_acknowledgement,
    open_acknowledgement,
    open_configuration,
)
from kiosk.sync.errors import ServerKeyMismatch, ServerUnreachable, SignatureInvalid, SyncError
from kiosk.sync.flight import Flight
from kiosk.sync.policy import Outcome, RetryPolicy, classify
from kiosk.sync.status import VERDICT_PAGE, LinkState, SyncStatus, apply_verdict_page, read_status

log = logging.getLogger(__name__)

CRASH_ENV = "KIOSK_RELAY_CRASH_AT"
"""Test hook: the named point at which the relay kills its own process with SIGKILL."""

CLAIM_BATCH = 5
"""Rows claimed per transaction: one commit for five packets, and at most five payloads (about
2.8 MB for 300 KB applications) held at once. Each outcome still has a transaction of its own."""

VERDICTS_EVERY = 50
"""Packets answered between two verdict pages pulled during a delivery (about 150 verdicts a
page: its transaction holds the write lock briefly while the senders record outcomes)."""

SENDERS = 3
"""Requests in flight at most: while the server checks one packet, the next is on the wire and
the kiosk records the outcome of the one before (one at a time, the relay and the server mostly
waited for each other). More would only queue at the server, one process on a few cores."""

UnitFactory = Callable[[bool], UnitOfWork]
StatusSink = Callable[[SyncStatus], None]


@dataclass(frozen=True, slots=True)
class Station:
    """What the relay says about the station in every request's ``X-Kiosk-*`` headers.

    Attributes:
        started: ``time.monotonic()`` when the process started (for the uptime).
    """

    version: str
    started: float


class _RoundOver(Exception):
    """The server cannot take more now (down, refusing, or throttling): end this round."""


class Relay:
    """Delivers the outbox of one kiosk; ``run_once`` for the command line, a thread for the app."""

    def __init__(
        self,
        open_unit: UnitFactory,
        clock: Clock,
        sealer: PacketSealer,
        station: Station,
        *,
        policy: RetryPolicy | None = None,
        on_status: StatusSink | None = None,
        interval: float = 30.0,
        timeout: tuple[float, float] = (5.0, 30.0),
        senders: int = SENDERS,
    ) -> None:
        self._open_unit = open_unit
        self._clock = clock
        self._sealer = sealer
        self._station = station
        self._policy = policy or RetryPolicy()
        self.on_status = on_status
        self.self_test: Callable[[], str] = lambda: "unknown"
        self._interval = interval
        self._timeout = timeout
        self._link = LinkState()
        self._halted_until: datetime | None = None
        self._backlog = 0
        self._client: ServerClient | None = None
        self._client_for: tuple[str, tuple[str, ...]] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._round_lock = threading.Lock()
        self._link_lock = threading.Lock()
        self._senders = senders

    # -- thread ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the relay thread (rows a crash left ``sending`` go back to ``pending`` first)."""
        self._release_stale()
        self._thread = threading.Thread(target=self._loop, name="kiosk-sync-relay", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a round soon (called after an enqueue commits)."""
        self._wake.set()

    def retry_now(self) -> None:
        """An operator's "retry now": forget a pause after 401/403 or a key mismatch, and wake."""
        self._halted_until = None
        self._link = replace(self._link, halted=False)
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current request; wait for the thread to end."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._client is not None:
            self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                status = self.run_once()
            except Exception:
                log.exception("sync round failed; the relay goes on")
                status = None
            self._wake.wait(self._pause_before_next(status))
            self._wake.clear()

    def _pause_before_next(self, status: SyncStatus | None) -> float:
        wait = self._interval
        now = self._clock.now()
        if status is not None and status.next_attempt_at is not None and not status.paused:
            wait = min(wait, max(0.05, (status.next_attempt_at - now).total_seconds()))
        if self._halted_until is not None:
            wait = max(0.05, min(self._interval, (self._halted_until - now).total_seconds()))
        return wait

    # -- one round -------------------------------------------------------------------------

    def run_once(self) -> SyncStatus:
        """One round (deliver, pull verdicts, pull configuration); returns the status after it."""
        with self._round_lock:
            self._round()
            status = self.status()
        if self.on_status is not None:
            self.on_status(status)
        return status

    def status(self) -> SyncStatus:
        """The status as it stands (from the store, plus the link as the relay last saw it)."""
        with self._open_unit(True) as uow:
            status = read_status(uow, self._clock, self._link, self._policy.old_backlog)
        self._backlog = status.undelivered
        return status

    def probe(self) -> SyncStatus:
        """A signed ping (the self-test's and ``kiosk sync status``'s): online, clock offset."""
        with self._round_lock:
            with self._open_unit(True) as uow:
                state = uow.sync_state.get()
            if state.is_registered:
                self._ping(self._client_of(state))
            return self.status()

    def _ping(self, client: ServerClient) -> None:
        try:
            reply = client.ping()
        except ServerUnreachable as err:
            self._link = LinkState(online=False, error_code=err.code.value)
            return
        except ServerKeyMismatch as err:
            self._halt(err.code.value)
            return
        finally:
            self._note_clock(client)
        if reply.status == 200:
            self._link = LinkState(online=True)
        elif classify(reply.status, reply.code) is Outcome.PAUSE:
            self._halt(reply.code or f"http_{reply.status}")
        else:
            self._link = LinkState(online=True, error_code=reply.code or f"http_{reply.status}")

    def release_stale(self) -> int:
        """Put rows a crash left ``sending`` back to ``pending`` (no relay may be running)."""
        return self._release_stale()

    def _release_stale(self) -> int:
        with self._open_unit(False) as uow:
            released = uow.outbox.release_stale()
            uow.commit()
        if released:
            log.info(
                "%d packet(s) left sending by an interrupted round are pending again", released
            )
        return released

    def _round(self) -> None:
        with self._open_unit(True) as uow:
            state = uow.sync_state.get()
            self._backlog = uow.outbox.counts().undelivered
        if not state.is_registered:
            self._link = LinkState(online=None, halted=False, error_code="not_registered")
            return
        self._seal_held(state)
        if state.paused or self._is_halted():
            return
        client = self._client_of(state)
        try:
            self._deliver(client, state)
            self._pull_verdicts(client)
            self._pull_configuration(client, state)
        except _RoundOver:
            pass
        except ServerUnreachable as err:
            self._link = LinkState(online=False, error_code=err.code.value)
        except ServerKeyMismatch as err:
            self._halt(err.code.value)
        finally:
            self._note_clock(client)

    def _is_halted(self) -> bool:
        if self._halted_until is None:
            return False
        if self._clock.now() < self._halted_until:
            return True
        self._halted_until = None
        self._link = replace(self._link, halted=False)
        return False

    def _halt(self, code: str) -> None:
        # 401/403 or another server key: nothing is the packets' fault, so none is marked
        # failed; the relay waits, then asks again, and the status alerts the administrator.
        log.error("sync halted: %s (the administrator is alerted; retried later)", code)
        with self._link_lock:
            self._halted_until = self._clock.now() + self._policy.pause
            self._link = LinkState(online=True, halted=True, error_code=code)

    def _client_of(self, state: SyncState) -> ServerClient:
        key = (state.server_url or "", state.tls_pins)
        if self._client is None or self._client_for != key:
            if self._client is not None:
                self._client.close()
            self._client = ServerClient(
                key[0],
                state.tls_pins,
                self._clock,
                credentials=Credentials(self._sealer.key_id, self._sealer.sign),
                info=self._info,
                timeout=self._timeout,
            )
            self._client_for = key
        return self._client

    def _info(self) -> KioskInfo:
        uptime = int(time.monotonic() - self._station.started)
        return KioskInfo(self._station.version, uptime, self._backlog, self.self_test())

    # -- packets ---------------------------------------------------------------------------

    def _seal_held(self, state: SyncState) -> None:
        while not self._stop.is_set():
            with self._open_unit(False) as uow:
                held = uow.outbox.held(limit=20)
                for packet in held:
                    sealed = self._sealer.seal(packet.cbor, state.encryption_key or "")
                    uow.outbox.seal_held(packet.row_id, sealed)
                uow.commit()
            if not held:
                return
            log.info("%d held packet(s) encrypted to the server", len(held))

    def _deliver(self, client: ServerClient, state: SyncState) -> None:
        """Send the due rows oldest first, up to ``senders`` requests in flight.

        The round opens with one request alone and widens to ``senders`` once one was answered
        with anything but a round-ending failure, so a server that is down, refusing or
        throttling sees a single request, as with one sender. The first failure that ends the
        round stops new sends; the requests in flight finish and record their outcomes, the
        claimed rest goes back to ``pending``, and the failure is raised again here. Every
        ``VERDICTS_EVERY`` answers, a page of verdicts is pulled beside the sends (the verdicts
        of a long backlog are applied while it is delivered, not all after it).
        """
        flight = Flight(self._senders, VERDICTS_EVERY)
        with ThreadPoolExecutor(self._senders + 1, thread_name_prefix="kiosk-sync") as pool:
            try:
                while True:
                    while flight.has_room() and not self._stop.is_set():
                        item = flight.next_item(self._claim)
                        if item is None:
                            break
                        flight.sends.add(pool.submit(self._send, client, state, item))
                    if flight.pull_due():
                        flight.start_pull(pool.submit(self._pull_verdict_page, client))
                    if not flight.sends:
                        break
                    flight.settle(wait(flight.running(), return_when=FIRST_COMPLETED).done)
            finally:
                wait(flight.running())
                self._release([item.row_id for item in flight.claimed])
        if flight.failure is not None:
            raise flight.failure

    def _claim(self) -> list[OutboxItem]:
        with self._open_unit(False) as uow:
            claimed = uow.outbox.claim(self._clock.now(), limit=max(CLAIM_BATCH, self._senders))
            uow.commit()
        return claimed

    def _release(self, row_ids: list[int]) -> None:
        """Claimed rows left unsent (stop, or the round ended) go back to ``pending`` at once."""
        if row_ids:
            self._record(lambda uow, _: uow.outbox.release(row_ids))

    def _send(self, client: ServerClient, state: SyncState, item: OutboxItem) -> None:
        try:
            reply = client.send_packet(str(item.packet_id), item.payload)
        except ServerUnreachable as err:
            self._retry(item, err.code.value, None)
            raise
        except ServerKeyMismatch as err:
            mismatch = err.code.value
            self._record(lambda uow, at: uow.outbox.record_paused(item.row_id, mismatch, at))
            raise
        _crash_point("after_response")
        with self._link_lock:
            if self._halted_until is None:
                self._link = LinkState(online=True)
        outcome = classify(reply.status, reply.code)
        if outcome is Outcome.DELIVERED:
            self._delivered(state, item, reply)
        elif outcome is Outcome.PERMANENT:
            log.error("packet refused by the server for good: %s", reply.code)
            code = reply.code or f"http_{reply.status}"
            self._record(lambda uow, at: uow.outbox.record_failed(item.row_id, code, at))
        elif outcome is Outcome.CONFLICT:
            log.critical("DEFECT: the server holds this packet id with other content")
            self._record(
                lambda uow, at: uow.outbox.record_failed(
                    item.row_id, "packet_conflict", at, conflict=True
                )
            )
        elif outcome is Outcome.PAUSE:
            code = reply.code or f"http_{reply.status}"
            self._record(lambda uow, at: uow.outbox.record_paused(item.row_id, code, at))
            self._halt(code)
            raise _RoundOver
        else:
            self._retry(item, reply.code or f"http_{reply.status}", reply.retry_after)
            raise _RoundOver

    def _delivered(self, state: SyncState, item: OutboxItem, reply: Reply) -> None:
        try:
            ack = open_acknowledgement(reply.body, state.signing_key or "")
            check_acknowledgement(
                ack, str(item.packet_id), state.kiosk_id or "", item.payload_sha256
            )
        except SignatureInvalid as err:
            # Not proof of delivery: keep the packet and send it again later.
            log.error("acknowledgement refused (%s); the packet stays pending", err.params)
            self._retry(item, err.code.value, None, flag=True)
            return
        self._record(lambda uow, at: uow.outbox.record_delivered(item.row_id, reply.body, at))

    def _retry(
        self, item: OutboxItem, code: str, server_hint: float | None, *, flag: bool = False
    ) -> None:
        attempts = item.attempts + 1
        wait = self._policy.retry_after(attempts, server_hint)
        flag = flag or attempts >= self._policy.flag_after
        self._record(
            lambda uow, at: uow.outbox.record_retry(item.row_id, code, at, at + wait, flag=flag)
        )

    def _record(self, write: Callable[[UnitOfWork, datetime], None]) -> None:
        with self._open_unit(False) as uow:
            write(uow, self._clock.now())
            uow.commit()

    # -- verdicts and configuration ----------------------------------------------------------

    def _pull_verdicts(self, client: ServerClient) -> None:
        while not self._stop.is_set() and self._pull_verdict_page(client) == VERDICT_PAGE:
            pass

    def _pull_verdict_page(self, client: ServerClient) -> int:
        """Pull and apply one page of verdicts with its cursor; how many it held."""
        with self._open_unit(True) as uow:
            cursor = uow.sync_state.get().verdict_cursor
        reply = client.verdicts(cursor, VERDICT_PAGE)
        self._check_reply(reply)
        with self._open_unit(False) as uow:
            _, count = apply_verdict_page(uow, reply, self._clock.now())
            uow.commit()
        return count

    def _pull_configuration(self, client: ServerClient, state: SyncState) -> None:
        reply = client.configuration(state.config_version)
        if reply.status == 204:
            return
        self._check_reply(reply)
        try:
            bundle = open_configuration(reply.body, state.signing_key or "", state.config_version)
        except SignatureInvalid as err:
            log.error("configuration bundle refused: %s", err.params)
            self._link = LinkState(online=True, error_code=err.code.value)
            return
        with self._open_unit(False) as uow:
            uow.sync_state.save_configuration(bundle.version, reply.body, bundle.tls_pins)
            details = {"version": bundle.version}
            uow.audit.record_event(self._clock.now(), "server", "configuration", "sync", details)
            uow.commit()
        log.info("configuration version %d verified and stored", bundle.version)

    def _check_reply(self, reply: Reply) -> None:
        if reply.status == 200:
            return
        code = reply.code or f"http_{reply.status}"
        if classify(reply.status, reply.code) is Outcome.PAUSE:
            self._halt(code)
        else:
            self._link = LinkState(online=True, error_code=code)
        raise _RoundOver

    def _note_clock(self, client: ServerClient) -> None:
        offset = client.clock_offset
        if offset is None:
            return
        client.clock_offset = None
        offset_ms = round(offset / timedelta(milliseconds=1))
        try:
            self._record(lambda uow, at: uow.sync_state.record_contact(at, offset_ms))
        except SyncError:
            log.exception("could not store the clock offset")


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        log.warning("crash point %s reached: killing the process (test hook)", name)
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
