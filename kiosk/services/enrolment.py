"""Assembling an application at the counter: open, chip, face, contact, capture, submit, cancel.

Every step is one unit of work: the application's new state and its audit entry are stored
together, so a crash or power cut leaves either the step done or not done, never half; the draft
is saved after each step and can be resumed after a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.application import (
    Application,
    ApplicationState,
    ReasonCode,
    open_application,
)
from kiosk.domain.biometrics import FaceMatch, FaceOutcome
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.evidence import ChipEvidence, ConsentRecord, DocumentEvidence, LivenessEvidence
from kiosk.domain.ids import ApplicationId, new_application_id
from kiosk.domain.users import Permission, User, require
from kiosk.domain.validators import validate_id_number
from kiosk.services.context import ServiceContext
from kiosk.services.sync_control import check_clock_in
from kiosk.services.transitions import apply
from kiosk.store.rows.biometric import PortraitKind
from kiosk.store.uow import UnitOfWork

_PENDING = frozenset(
    {
        ApplicationState.DRAFT,
        ApplicationState.CAPTURED,
        ApplicationState.SUBMITTED,
        ApplicationState.RETURNED,
    }
)


_CAPTURING = frozenset({ApplicationState.DRAFT, ApplicationState.CAPTURED})


@dataclass(frozen=True, slots=True)
class FaceEvidence:
    """What one face attempt leaves behind: the two portraits compared and the figures."""

    match: FaceMatch
    live: bytes
    chip: bytes


@dataclass(frozen=True, slots=True)
class PendingApplication:
    """An earlier application of the same citizen that is still open (a duplicate warning)."""

    id: ApplicationId
    state: ApplicationState


class EnrolmentService:
    """The officer's use cases, step by step."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def open(self, officer: User) -> Application:
        """A new draft for the citizen at the counter."""
        require(officer, Permission.CAPTURE)
        changed = open_application(
            new_application_id(), officer.id, self._context.clock.now(), demo=self._context.demo
        )
        with self._context.write() as uow:
            uow.applications.add(changed.application)
            uow.audit.record(changed.fact)
            uow.commit()
        return changed.application

    def pending_for(self, officer: User, id_number: str) -> list[PendingApplication]:
        """Open applications of the citizen with ``id_number`` (searched by blind index)."""
        require(officer, Permission.CAPTURE)
        number = validate_id_number(id_number)
        with self._context.read() as uow:
            found = uow.applications.find_by_id_number(number)
        return [PendingApplication(app.id, app.state) for app in found if app.state in _PENDING]

    def record_chip(
        self,
        officer: User,
        application_id: ApplicationId,
        citizen: Citizen,
        verdict: ChipVerdict,
        evidence: ChipEvidence | None = None,
    ) -> Application:
        """Keep the identity read from the chip, the chip's verdict and the raw read."""
        require(officer, Permission.CAPTURE)

        def keep(uow: UnitOfWork, at: datetime) -> None:
            if evidence is not None:
                uow.evidence.put_chip(application_id, evidence, at)

        return apply(
            self._context,
            application_id,
            lambda app, at: app.record_chip(officer.id, at, citizen, verdict),
            keep,
        )

    def record_document(
        self, officer: User, application_id: ApplicationId, scan: DocumentEvidence
    ) -> None:
        """Keep a scanned original (a rescan of the same kind replaces it); audited."""
        require(officer, Permission.CAPTURE)

        def keep(uow: UnitOfWork, at: datetime) -> None:
            uow.evidence.put_document(application_id, scan, at)

        details: dict[str, str | int | bool] = {
            "kind": scan.kind,
            "mismatches": len(scan.mismatches),
        }
        self._keep(officer, application_id, "document_scan", details, keep)

    def remove_document(self, officer: User, application_id: ApplicationId, kind: str) -> None:
        """Forget the scan of ``kind`` (the citizen does not add that card); audited."""
        require(officer, Permission.CAPTURE)

        def forget(uow: UnitOfWork, _at: datetime) -> None:
            uow.evidence.remove_document(application_id, kind)

        self._keep(officer, application_id, "document_removed", {"kind": kind}, forget)

    def record_card_refused(
        self, officer: User, application_id: ApplicationId, code: ErrorCode
    ) -> None:
        """Keep the attempt with a card that cannot be used (no eMRTD application).

        design.md asks for it: nothing was read, but the counter saw the citizen and the card.
        """
        self._keep(officer, application_id, "card_refused", {"reason": code.value}, _nothing)

    def record_liveness(
        self, officer: User, application_id: ApplicationId, liveness: LivenessEvidence
    ) -> None:
        """Keep the liveness check and the officer's attestation of it; audited."""
        require(officer, Permission.CAPTURE)
        details: dict[str, str | int | bool] = {
            "live": liveness.live,
            "attested": liveness.attested_by is not None,
        }

        def keep(uow: UnitOfWork, at: datetime) -> None:
            uow.evidence.put_liveness(application_id, liveness, at)

        self._keep(officer, application_id, "liveness", details, keep)

    def record_timing(
        self, officer: User, application_id: ApplicationId, stage: str, ms: float
    ) -> None:
        """Add ``ms`` of machine time to the application's ``stage`` (for reports and review)."""
        require(officer, Permission.CAPTURE)
        with self._context.write() as uow:
            uow.evidence.put_timing(application_id, stage, ms, self._context.clock.now())
            uow.commit()

    def record_face(
        self,
        officer: User,
        application_id: ApplicationId,
        outcome: FaceOutcome,
        evidence: FaceEvidence | None = None,
    ) -> Application:
        """Count one face attempt, keeping its portraits and match figures with the application."""
        require(officer, Permission.CAPTURE)

        def keep(uow: UnitOfWork, at: datetime) -> None:
            if evidence is None:
                return
            uow.applications.add_portrait(application_id, PortraitKind.LIVE, evidence.live, at)
            uow.applications.add_portrait(application_id, PortraitKind.CHIP, evidence.chip, at)
            details = {
                "distance_milli": round(evidence.match.distance * 1000),
                "threshold_milli": round(evidence.match.threshold * 1000),
                "decision": evidence.match.decision.value,
            }
            uow.audit.record_event(at, str(officer.id), "face_match", str(application_id), details)

        return apply(
            self._context,
            application_id,
            lambda app, at: app.record_face(officer.id, at, outcome),
            keep,
        )

    def override_face(
        self, supervisor: User, application_id: ApplicationId, reason: ReasonCode
    ) -> Application:
        """Let a supervisor continue after the third failed face attempt (audited, carried on)."""
        require(supervisor, Permission.OVERRIDE_FACE)
        return apply(
            self._context,
            application_id,
            lambda app, at: app.override_face(supervisor.id, at, reason),
        )

    def record_contact(
        self, officer: User, application_id: ApplicationId, phone: str, email: str | None
    ) -> Application:
        """Keep the citizen's phone number and optional e-mail."""
        require(officer, Permission.CAPTURE)
        return apply(
            self._context,
            application_id,
            lambda app, at: app.record_contact(officer.id, at, phone, email),
        )

    def capture(self, officer: User, application_id: ApplicationId) -> Application:
        """Close the capture once the chip and face steps are done."""
        require(officer, Permission.CAPTURE)
        return apply(self._context, application_id, lambda app, at: app.capture(officer.id, at))

    def submit(
        self, officer: User, application_id: ApplicationId, consent: ConsentRecord
    ) -> Application:
        """Hand the application to review with the citizen's confirmation of it."""
        require(officer, Permission.SUBMIT)

        def keep(uow: UnitOfWork, at: datetime) -> None:
            # A clock five minutes off the server's would date the packet wrongly: refused.
            check_clock_in(uow, at)
            uow.evidence.put_consent(application_id, consent, at)

        return apply(
            self._context, application_id, lambda app, at: app.submit(officer.id, at), keep
        )

    def _keep(
        self,
        officer: User,
        application_id: ApplicationId,
        action: str,
        details: Mapping[str, str | int | bool],
        write: Callable[[UnitOfWork, datetime], None],
    ) -> None:
        # Evidence of a step that does not change the application's state: the application must
        # still be open for capture, and the write and its audit entry are stored together.
        now = self._context.clock.now()
        with self._context.write() as uow:
            app = uow.applications.get(application_id)
            if app.state not in _CAPTURING:
                raise DomainError(
                    ErrorCode.INVALID_TRANSITION,
                    f"{action} is not allowed in {app.state.value}",
                    action=action,
                    state=app.state.value,
                )
            write(uow, now)
            uow.audit.record_event(now, str(officer.id), action, str(application_id), details)
            uow.commit()

    def reopen(self, officer: User, application_id: ApplicationId) -> Application:
        """Take a returned application back into draft, keeping everything captured."""
        require(officer, Permission.CAPTURE)
        return apply(self._context, application_id, lambda app, at: app.reopen(officer.id, at))

    def cancel(
        self,
        actor: User,
        application_id: ApplicationId,
        reason: ReasonCode,
        note: str | None = None,
    ) -> Application:
        """Abandon the application before approval."""
        require(actor, Permission.CANCEL)
        return apply(
            self._context, application_id, lambda app, at: app.cancel(actor.id, at, reason, note)
        )


def _nothing(_uow: UnitOfWork, _at: datetime) -> None:
    """The write of an attempt that only leaves its audit entry."""
