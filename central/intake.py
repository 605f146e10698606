"""Receiving packets: decrypt, verify, validate, deduplicate, store, acknowledge; then decide.

A packet is stored in one transaction with its ``received`` verdict and the kiosk's audit chain
head, so a crash leaves either all of it or nothing, and the kiosk's resend is then simply a
first delivery; the acknowledgement follows that commit. The Ministry's decision (Passive
Authentication re-run, consistency) comes after, off the request: a decision thread judges
stored packets whose decision is ``pending``, oldest first, each in one transaction with its
``accepted`` or ``declined`` verdict, and the verdict feed first decides whatever of its kiosk is
still pending, so the feed never lags behind the thread. Pending decisions are in the database:
after a restart the thread finds them again. A resend of a stored
packet gets the byte-identical acknowledgement (the very bytes stored); the same packet id with
another payload, or from another kiosk, is a conflict (409) and changes nothing.

``activated`` follows ``accepted`` after the activation delay: at receipt when the delay is 0,
otherwise when the kiosk next asks for its verdicts (the feed is the only reader, so nothing
needs a timer thread).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central import jose
from central.db import KioskRow, PacketBodyRow, PacketDocumentRow, PacketRow, VerdictRow
from central.decision import ACCEPTED, Decision, Judge
from central.errors import ProtocolError
from central.keys import ServerKeys
from central.opening import Opened, Opener
from central.registry import Caller
from kiosk.sync.codec import decode_packet
from kiosk.sync.schema import Packet

_log = logging.getLogger(__name__)

ACK_TYPE = "kiosk-ack+json"
CHAIN_BACKWARDS = "audit_chain_backwards"
MAX_VERDICTS = 500
PENDING = "pending"
"""``decision`` and ``passive_authentication`` of a stored packet not decided yet."""
DECISION_BATCH = 20
FRESH_KEPT = 64
"""Packets stored and not yet decided kept decoded for the decision (about 64 x 300 KB at most);
beyond that, or after a restart, the decision decodes the stored JWS again."""
IDLE_SECONDS = 30.0
"""How long the decision thread sleeps when nothing is pending and nothing woke it."""


Remember = Callable[[Session, Caller], None]
"""Records a request's nonce and contact in the given transaction (``Registry.remember``)."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """The answer to a packet: 201 the first time, 200 for a resend; the acknowledgement."""

    status: int
    acknowledgement: str


@dataclass(frozen=True, slots=True)
class IntakeSettings:
    """What the intake needs to know of the server it runs in."""

    keys: ServerKeys
    signing_kid: str
    opener: Opener
    judge: Judge
    activation_delay: dt.timedelta


class Intake:
    """Packets in, verdicts out, for registered kiosks (the caller authenticated the request)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        reads: sessionmaker[Session],
        settings: IntakeSettings,
        clock: Callable[[], dt.datetime],
    ) -> None:
        """``sessions`` write; ``reads`` only read (``central.db.session_factory(reads=True)``)."""
        self._sessions = sessions
        self._reads = reads
        self._settings = settings
        self._clock = clock
        self._deciding = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fresh: dict[str, Packet] = {}
        self._fresh_lock = threading.Lock()

    def start(self) -> None:
        """Start the decision thread (it first decides what a stop or a crash left pending)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._decide_loop, name="central-decisions")
        self._thread.daemon = True
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the decision thread after the batch it is deciding."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def receive(self, caller: Caller, packet_id: str, body: bytes, remember: Remember) -> Receipt:
        """Take the JWE ``body`` that ``caller`` sent under ``Idempotency-Key: packet_id``.

        ``remember`` records the request's nonce and contact (``Registry.remember``): in the
        transaction that stores a new packet (one commit for both), otherwise on its own.

        Raises:
            ProtocolError: 400/422 with a validation code (permanent), 409 ``packet_conflict``,
                401 ``replay`` (another request with this nonce got there first).
        """
        who = (packet_id, caller.kid)
        try:
            admitted = self._admit(caller, packet_id, body)
        except ProtocolError as err:
            self._remember(caller, remember)
            if err.code == "demo_outside_demo":
                _log.warning("packet %s from kiosk %s: DEMO packet refused outside demo", *who)
            else:
                _log.info("packet %s from kiosk %s refused: %s", *who, err)
            raise
        if isinstance(admitted, Receipt):
            self._remember(caller, remember)
            return admitted
        packet, payload_sha256 = admitted.packet, admitted.verified.payload_sha256
        try:
            receipt = self._store(
                packet,
                admitted.verified.jws,
                (caller.body_sha256.hex(), payload_sha256),
                lambda session: remember(session, caller),
            )
        except IntegrityError:
            # Another request stored the same packet id first: judge this one as its resend.
            self._remember(caller, remember)
            stored = self._stored(packet_id)
            if stored is None:
                raise
            return self._resent(stored, caller.kid, payload_sha256)
        with self._fresh_lock:
            if len(self._fresh) < FRESH_KEPT:
                self._fresh[packet_id] = packet
        self._wake.set()
        return receipt

    def _admit(self, caller: Caller, packet_id: str, body: bytes) -> Receipt | Opened:
        """A resend's original receipt, or a new packet opened and checked."""
        kid, body_sha256 = caller.kid, caller.body_sha256.hex()
        stored = self._stored(packet_id)
        if stored is not None and stored.kiosk_id == kid and stored.body_sha256 == body_sha256:
            _log.info("packet %s from kiosk %s: resent, original acknowledgement", packet_id, kid)
            return Receipt(200, stored.acknowledgement)
        if stored is not None:
            verified = self._settings.opener.verify(body, caller)
            return self._resent(stored, kid, verified.payload_sha256)
        return self._settings.opener.open(body, packet_id, caller)

    def _remember(self, caller: Caller, remember: Remember) -> None:
        with self._sessions.begin() as session:
            remember(session, caller)

    def decide_pending(self, kid: str | None = None, limit: int = DECISION_BATCH) -> int:
        """Decide up to ``limit`` pending packets (of ``kid``, or all), oldest first; how many.

        The packets are judged outside any transaction (Passive Authentication takes a while and
        must not hold the database's write lock from the packets coming in), then every verdict
        is written in one transaction: one commit for the batch.
        """
        with self._deciding:
            query = select(PacketRow.packet_id).where(PacketRow.decision == PENDING)
            if kid is not None:
                query = query.where(PacketRow.kiosk_id == kid)
            with self._reads() as session:
                pending = session.scalars(query.order_by(PacketRow.received_at).limit(limit)).all()
            now = self._clock()
            packets = [p for p in map(self._pending_packet, pending) if p is not None]
            decisions = self._settings.judge(packets, now.date())
            self._record_decisions(list(zip(packets, decisions, strict=True)), now)
            return len(pending)

    def _decide_loop(self) -> None:
        while not self._stop.is_set():
            try:
                decided = self.decide_pending()
            except Exception:
                _log.exception("deciding pending packets failed; tried again later")
                decided = 0
            if not decided:
                self._wake.wait(IDLE_SECONDS)
                self._wake.clear()

    def _pending_packet(self, packet_id: str) -> Packet | None:
        """The packet as ``receive`` decoded it, or decoded again from the stored JWS."""
        with self._fresh_lock:
            packet = self._fresh.pop(packet_id, None)
        if packet is not None:
            return packet
        with self._reads() as session:
            body = session.get(PacketBodyRow, packet_id)
        if body is None:
            return None
        # The JWS was verified and its payload validated before the packet was stored.
        return decode_packet(jose.unverified_payload(body.jws))

    def _record_decisions(self, judged: list[tuple[Packet, Decision]], now: dt.datetime) -> None:
        """Each packet's decision and verdicts, in one transaction.

        A packet another server process decided meanwhile keeps that decision.
        """
        if not judged:
            return
        recorded = []
        with self._sessions.begin() as session:
            for packet, decision in judged:
                row = session.get(PacketRow, packet.packet_id)
                if row is None or row.decision != PENDING:
                    continue
                row.passive_authentication = decision.passive_authentication
                row.decision, row.reason = decision.verdict, decision.reason
                session.add(_verdict(packet, decision.verdict, decision.reason, now))
                if decision.verdict == ACCEPTED:
                    delay = self._settings.activation_delay
                    row.activate_at = now + delay
                    if not delay:
                        row.activated_at = now
                        session.add(_verdict(packet, "activated", None, now))
                recorded.append((packet, decision))
        for packet, decision in recorded:
            _log.info(
                "packet %s from kiosk %s: schema %d, passive authentication %s, %s%s",
                packet.packet_id,
                packet.kiosk_id,
                packet.schema_version,
                decision.passive_authentication,
                decision.verdict,
                f" ({decision.reason})" if decision.reason else "",
            )

    def verdicts(self, kid: str, after: int, limit: int) -> dict[str, Any]:
        """The verdicts of ``kid``'s packets after cursor ``after``, oldest first, and ``next``."""
        while self.decide_pending(kid):
            pass
        self._activate_due(kid)
        with self._reads() as session:
            rows = session.scalars(
                select(VerdictRow)
                .where(VerdictRow.kiosk_id == kid, VerdictRow.cursor > after)
                .order_by(VerdictRow.cursor)
                .limit(min(limit, MAX_VERDICTS))
            ).all()
        items = [
            {
                "cursor": row.cursor,
                "packet_id": row.packet_id,
                "application_id": row.application_id,
                "verdict": row.verdict,
                "reason": row.reason,
                "at": row.at.isoformat(),
            }
            for row in rows
        ]
        return {"verdicts": items, "next": rows[-1].cursor if rows else after}

    def _stored(self, packet_id: str) -> PacketRow | None:
        with self._reads() as session:
            return session.get(PacketRow, packet_id)

    def _resent(self, stored: PacketRow, kid: str, payload_sha256: str) -> Receipt:
        if stored.kiosk_id != kid or stored.payload_sha256 != payload_sha256:
            _log.warning(
                "packet %s from kiosk %s: conflicts with the stored one", stored.packet_id, kid
            )
            raise ProtocolError(
                409, "packet_conflict", "this packet id was sent with other content"
            )
        _log.info(
            "packet %s from kiosk %s: resent, original acknowledgement", stored.packet_id, kid
        )
        return Receipt(200, stored.acknowledgement)

    def _store(
        self,
        packet: Packet,
        jws: str,
        digests: tuple[str, str],
        remember: Callable[[Session], None],
    ) -> Receipt:
        """Store the packet with its ``received`` verdict and the request's nonce, in one commit.

        ``digests``: the SHA-256 (hex) of the body and of the JWS payload.
        """
        now = self._clock()
        acknowledgement = self._acknowledge(packet, digests[1], now)
        row = _packet_row(packet, acknowledgement)
        row.body_sha256, row.payload_sha256, row.received_at = *digests, now
        with self._sessions.begin() as session:
            remember(session)
            kiosk = session.get(KioskRow, packet.kiosk_id)
            assert kiosk is not None  # noqa: S101 - the request was authenticated as this kiosk
            self._check_chain(session, kiosk, packet)
            session.add(row)
            session.flush()  # the packet row first: its body, documents and verdicts refer to it
            session.add(PacketBodyRow(packet_id=packet.packet_id, jws=jws))
            for document in packet.documents or ():
                session.add(
                    PacketDocumentRow(
                        packet_id=packet.packet_id,
                        kind=document.kind,
                        has_qr=document.qr_text is not None,
                        mismatches=len(document.mismatches),
                    )
                )
            session.add(_verdict(packet, "received", None, now))
        _log.info(
            "packet %s from kiosk %s: schema %d, stored; decision pending",
            packet.packet_id,
            packet.kiosk_id,
            packet.schema_version,
        )
        return Receipt(201, acknowledgement)

    def _acknowledge(self, packet: Packet, payload_sha256: str, now: dt.datetime) -> str:
        claims = {
            "packet_id": packet.packet_id,
            "application_id": packet.application_id,
            "kiosk_id": packet.kiosk_id,
            "payload_sha256": payload_sha256,
            "received_at": now.isoformat(),
            "verdict": "received",
        }
        payload = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
        keys = self._settings.keys
        return jose.sign_compact(payload, keys.signing, self._settings.signing_kid, ACK_TYPE)

    def _check_chain(self, session: Session, kiosk: KioskRow, packet: Packet) -> None:
        """Flag the kiosk when this head contradicts one it sent before (its chain went back)."""
        head, created = packet.audit_head, packet.created_at
        contradiction = session.scalars(
            select(PacketRow.packet_id)
            .where(PacketRow.kiosk_id == kiosk.kid)
            .where(
                or_(
                    (PacketRow.created_at <= created) & (PacketRow.audit_sequence > head.sequence),
                    (PacketRow.created_at >= created) & (PacketRow.audit_sequence < head.sequence),
                    (PacketRow.audit_sequence == head.sequence)
                    & (PacketRow.audit_hash != head.hash),
                )
            )
            .limit(1)
        ).first()
        if contradiction is not None and kiosk.chain_flag is None:
            kiosk.chain_flag = CHAIN_BACKWARDS
            _log.warning(
                "kiosk %s: audit chain head of packet %s goes back behind packet %s",
                kiosk.kid,
                packet.packet_id,
                contradiction,
            )
        if kiosk.audit_sequence is None or head.sequence > kiosk.audit_sequence:
            kiosk.audit_sequence, kiosk.audit_hash = head.sequence, head.hash

    def _activate_due(self, kid: str) -> None:
        now = self._clock()
        with self._sessions.begin() as session:
            due = session.scalars(
                select(PacketRow).where(
                    PacketRow.kiosk_id == kid,
                    PacketRow.activated_at.is_(None),
                    PacketRow.activate_at <= now,
                )
            ).all()
            for row in due:
                row.activated_at = now
                session.add(
                    VerdictRow(
                        packet_id=row.packet_id,
                        kiosk_id=kid,
                        application_id=row.application_id,
                        verdict="activated",
                        reason=None,
                        at=now,
                    )
                )
                _log.info("packet %s of kiosk %s: activated", row.packet_id, kid)


def _packet_row(packet: Packet, acknowledgement: str) -> PacketRow:
    """The row of a new packet, its decision pending; the caller sets the digests and times."""
    return PacketRow(
        packet_id=packet.packet_id,
        kiosk_id=packet.kiosk_id,
        application_id=packet.application_id,
        schema_version=packet.schema_version,
        acknowledgement=acknowledgement,
        created_at=packet.created_at,
        demo=packet.demo,
        audit_sequence=packet.audit_head.sequence,
        audit_hash=packet.audit_head.hash,
        passive_authentication=PENDING,
        decision=PENDING,
        reason=None,
        face_decision=packet.face.decision if packet.face else None,
        face_distance=packet.face.distance if packet.face else None,
        liveness_live=packet.liveness.live if packet.liveness else None,
    )


def _verdict(packet: Packet, verdict: str, reason: str | None, at: dt.datetime) -> VerdictRow:
    return VerdictRow(
        packet_id=packet.packet_id,
        kiosk_id=packet.kiosk_id,
        application_id=packet.application_id,
        verdict=verdict,
        reason=reason,
        at=at,
    )
