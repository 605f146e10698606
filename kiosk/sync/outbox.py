"""Putting an approved application's packet into the outbox, inside the approval's transaction.

``PacketOutbox.enqueue`` runs in the unit of work that approves (``services/review.py`` passes it
as the transition's ``also``): it gathers the application, its evidence, the live portrait, the
match figures and the audit head, builds and encodes the packet once, signs it with the kiosk key
and encrypts it to the server's key, and stores exactly those bytes. Before registration there
is no server key yet, so the CBOR is held (sealed under the application's data key) until the
relay's first round after registration. An application whose packet cannot be built (evidence
missing) still gets its row, ``failed`` with ``packet_incomplete``, so a supervisor sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from kiosk.domain.audit import AuditEntry
from kiosk.domain.biometrics import FaceDecision, FaceMatch
from kiosk.domain.ids import ApplicationId, new_packet_id
from kiosk.store.rows.biometric import PortraitKind
from kiosk.store.uow import UnitOfWork
from kiosk.sync import codec, schema
from kiosk.sync.envelope import PacketSealer, payload_digest
from kiosk.sync.packet import PacketIncomplete, PacketSource, build_packet

log = logging.getLogger(__name__)

INCOMPLETE = "packet_incomplete"


class PacketOutbox:
    """Builds and stores packets; tells the relay after each approval commits."""

    def __init__(self, sealer: PacketSealer) -> None:
        self._sealer = sealer
        self.on_enqueued: Callable[[], None] = lambda: None

    @property
    def kiosk_id(self) -> str:
        """The kiosk's ``kid`` (its key's thumbprint), which every packet carries."""
        return self._sealer.key_id

    def enqueue(self, uow: UnitOfWork, application_id: ApplicationId, at: datetime) -> None:
        """Build, seal and store the packet of the application just approved in ``uow``."""
        packet_id = new_packet_id()
        try:
            source = _source(uow, application_id, at)
            cbor = codec.encode_packet(build_packet(source, packet_id, self.kiosk_id, at))
        except (PacketIncomplete, schema.SchemaError) as err:
            part = err.part if isinstance(err, PacketIncomplete) else str(err.field)
            # Audited and shown as a failed packet; INFO here because the record is the alarm.
            log.info("packet of an approved application cannot be built: %s missing", part)
            uow.outbox.enqueue_unbuildable(application_id, packet_id, INCOMPLETE, at)
            details = {"packet": str(packet_id), "part": part}
            uow.audit.record_event(at, "system", INCOMPLETE, str(application_id), details)
            return
        state = uow.sync_state.get()
        digest = payload_digest(cbor)
        if state.is_registered and state.encryption_key:
            sealed = self._sealer.seal(cbor, state.encryption_key)
            uow.outbox.enqueue(application_id, packet_id, digest, at, sealed=sealed)
        else:
            uow.outbox.enqueue(application_id, packet_id, digest, at, cbor=cbor)

    def committed(self) -> None:
        """The approval committed: wake the relay."""
        self.on_enqueued()


def _source(uow: UnitOfWork, application_id: ApplicationId, at: datetime) -> PacketSource:
    app = uow.applications.get(application_id)
    # The application's own entries lie after its creation: a short slice of the log.
    entries = uow.audit.entries(start=app.created_at)
    own = [entry for entry in entries if entry.fields.subject == str(application_id)]
    head = entries[-1]
    live = [
        image
        for kind, image in uow.applications.portraits(application_id)
        if kind is PortraitKind.LIVE
    ]
    return PacketSource(
        application=app,
        evidence=uow.evidence.get(application_id),
        live_portrait=live[-1] if live else None,
        face_match=_face_match(own),
        submitted_at=_last_time(own, "submit") or at,
        approved_at=at,
        audit_sequence=head.fields.sequence,
        audit_hash=head.entry_hash,
    )


def _last_time(entries: list[AuditEntry], action: str) -> datetime | None:
    times = [entry.fields.at for entry in entries if entry.fields.action == action]
    return times[-1] if times else None


def _face_match(entries: list[AuditEntry]) -> FaceMatch | None:
    found = [entry.fields.details for entry in entries if entry.fields.action == "face_match"]
    if not found:
        return None
    details = found[-1]
    return FaceMatch(
        int(details["distance_milli"]) / 1000,
        int(details["threshold_milli"]) / 1000,
        FaceDecision(str(details["decision"])),
    )
