"""Assembling an application at the counter: open, chip, face, contact, capture, submit, cancel.

Every step is one unit of work: the application's new state and its audit entry are stored
together, so a crash or power cut leaves either the step done or not done, never half; the draft
is saved after each step and can be resumed after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.application import (
    Application,
    ApplicationState,
    ReasonCode,
    open_application,
)
from kiosk.domain.biometrics import FaceOutcome
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen
from kiosk.domain.ids import ApplicationId, new_application_id
from kiosk.domain.users import Permission, User, require
from kiosk.domain.validators import validate_id_number
from kiosk.services.context import ServiceContext
from kiosk.services.transitions import apply

_PENDING = frozenset(
    {
        ApplicationState.DRAFT,
        ApplicationState.CAPTURED,
        ApplicationState.SUBMITTED,
        ApplicationState.RETURNED,
    }
)


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
        self, officer: User, application_id: ApplicationId, citizen: Citizen, verdict: ChipVerdict
    ) -> Application:
        """Keep the identity read from the chip and the chip's verdict."""
        require(officer, Permission.CAPTURE)
        return apply(
            self._context,
            application_id,
            lambda app, at: app.record_chip(officer.id, at, citizen, verdict),
        )

    def record_face(
        self, officer: User, application_id: ApplicationId, outcome: FaceOutcome
    ) -> Application:
        """Count one face attempt (match, mismatch or failed liveness)."""
        require(officer, Permission.CAPTURE)
        return apply(
            self._context, application_id, lambda app, at: app.record_face(officer.id, at, outcome)
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

    def submit(self, officer: User, application_id: ApplicationId) -> Application:
        """Hand the confirmed application to review."""
        require(officer, Permission.SUBMIT)
        return apply(self._context, application_id, lambda app, at: app.submit(officer.id, at))

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
