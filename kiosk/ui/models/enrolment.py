"""The application being captured at this counter: its steps, its draft, its stage timers.

One ``EnrolmentFlow`` is shared by the officer's step screens. It holds what the screens have
seen (the chip read, the last face attempt) and calls the services that keep each step in the
store as it completes, so a crash leaves a draft that ``resume`` picks up again. Its calls are
synchronous and Qt-free: the screens run them as background jobs. The step to resume at is
decided from the stored application alone (``resume_step``), never from memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.domain.application import Application, ApplicationState, ReasonCode
from kiosk.domain.biometrics import FaceDecision, FaceGate, FaceOutcome, face_gate
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.evidence import DocumentEvidence, Evidence
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import User
from kiosk.services.consent import consent_record
from kiosk.services.counter import ChipStep
from kiosk.services.enrolment import EnrolmentService, FaceEvidence, PendingApplication
from kiosk.services.receipts import IssuedReceipt, ReceiptKind, ReceiptService
from kiosk.services.records import RecordService
from kiosk.ui.models.access import AccessFields

if TYPE_CHECKING:
    from kiosk.services.face_capture import FaceCapture  # the face stack loads in its job

_RESUMABLE = (ApplicationState.DRAFT, ApplicationState.RETURNED)


class Step(StrEnum):
    """The officer's steps, in order; also the names of their timers."""

    ACCESS = "access"
    CHIP = "chip"
    FACE = "face"
    CONTACT = "contact"
    CONFIRM = "confirm"
    DONE = "done"


def resume_step(application: Application) -> Step:
    """Where a stored draft goes on: the first step it has not completed.

    The citizen always confirms again (a confirmation belongs to one sitting), and a draft
    whose face step is still open needs the card again (the chip portrait is read from it).
    """
    if application.citizen is None or application.chip_verdict is None:
        return Step.ACCESS
    if not face_gate(application.face).may_continue:
        return Step.ACCESS
    if application.phone is None:
        return Step.CONTACT
    return Step.CONFIRM


@dataclass(slots=True)
class Draft:
    """What this counter knows of the application in progress.

    Attributes:
        chip: the chip read of this sitting (None after a resume: the stored one counts).
        face: the last face attempt of this sitting.
        evidence: what the store keeps for it (read on resume, for the officer to see).
    """

    application: Application
    access: AccessFields | None = None
    chip: ChipStep | None = None
    face: FaceCapture | None = None
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def id(self) -> ApplicationId:
        """The application's id."""
        return self.application.id


class EnrolmentFlow:
    """The officer's use cases for the application in front of them.

    Args:
        clock: a monotonic clock in seconds (stage timers).
    """

    def __init__(
        self,
        enrolment: EnrolmentService,
        records: RecordService,
        receipts: ReceiptService,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._enrolment = enrolment
        self._records = records
        self._receipts = receipts
        self._clock = clock
        self.officer: User | None = None
        self.draft: Draft | None = None
        self._started: dict[Step, float] = {}
        self.slip: IssuedReceipt | None = None

    def _who(self) -> User:
        if self.officer is None:
            raise DomainError(ErrorCode.INTERNAL, "no officer signed in")
        return self.officer

    def _current(self) -> Draft:
        if self.draft is None:
            raise DomainError(ErrorCode.INTERNAL, "no application in progress")
        return self.draft

    def duplicates(self, fields: AccessFields) -> list[PendingApplication]:
        """Open applications of the same citizen (blind index), other than the current one."""
        found = self._enrolment.pending_for(self._who(), fields.id_number)
        current = self.draft.id if self.draft is not None else None
        return [pending for pending in found if pending.id != current]

    def open(self, fields: AccessFields) -> Draft:
        """Start a new application for the card ``fields`` opens (or keep the resumed one)."""
        if self.draft is None:
            self.draft = Draft(self._enrolment.open(self._who()))
        self.draft.access = fields
        return self.draft

    def begin(self, step: Step) -> None:
        """Start ``step``'s timer (again after a retry: the stored times add up)."""
        self._started.setdefault(step, self._clock())

    def finish(self, step: Step) -> None:
        """Stop ``step``'s timer and add its time to the application's timings."""
        started = self._started.pop(step, None)
        if self.draft is None or started is None:
            return
        elapsed = round((self._clock() - started) * 1000, 1)
        self._enrolment.record_timing(self._who(), self.draft.id, step.value, elapsed)

    def record_chip(self, chip: ChipStep) -> Application:
        """Keep the acknowledged chip read: identity, verdict and the raw read as evidence."""
        draft = self._current()
        outcome = chip.outcome
        draft.chip = chip
        draft.application = self._enrolment.record_chip(
            self._who(), draft.id, outcome.citizen, outcome.verdict, chip.evidence
        )
        return draft.application

    def record_card_refused(self, error: DomainError) -> None:
        """Keep the attempt with a card the service refused (design.md: it is recorded)."""
        self._enrolment.record_card_refused(self._who(), self._current().id, error.code)

    def record_attempt(
        self,
        record_liveness: Callable[[ApplicationId], Application],
        capture: FaceCapture | None,
    ) -> FaceGate:
        """Keep one attempt: its liveness check, then (when live and witnessed) the match.

        ``record_liveness`` stores the check with the officer's attestation and counts a
        failed or unwitnessed check as a failed attempt; ``capture`` is the comparison made
        after a passed check, None when there is none to count.
        """
        draft = self._current()
        draft.application = record_liveness(draft.id)
        if capture is None:
            return face_gate(draft.application.face)
        return self.record_face(capture)

    def record_face(self, capture: FaceCapture) -> FaceGate:
        """Count the acknowledged comparison with its portraits and figures; the policy's answer."""
        draft = self._current()
        if draft.chip is None:
            raise DomainError(ErrorCode.INTERNAL, "face before the chip read")
        passed = capture.match.decision is FaceDecision.MATCH
        outcome = FaceOutcome.PASSED if passed else FaceOutcome.MISMATCH
        evidence = FaceEvidence(capture.match, capture.portrait_jpeg, draft.chip.portrait)
        draft.face = capture
        draft.application = self._enrolment.record_face(self._who(), draft.id, outcome, evidence)
        return face_gate(draft.application.face)

    def override_face(self, supervisor: User, reason: ReasonCode) -> FaceGate:
        """A supervisor, signed in for this one decision, lets the application go on."""
        draft = self._current()
        draft.application = self._enrolment.override_face(supervisor, draft.id, reason)
        return face_gate(draft.application.face)

    def record_document(self, scan: DocumentEvidence) -> Evidence:
        """Keep an accepted scan (a rescan of the same kind replaces it); the evidence after."""
        draft = self._current()
        officer = self._who()
        self._enrolment.record_document(officer, draft.id, scan)
        draft.evidence = self._records.evidence(officer, draft.id)
        return draft.evidence

    def record_contact(self, phone: str, email: str | None) -> Application:
        """Keep the phone number (validated by the domain) and the optional e-mail."""
        draft = self._current()
        draft.application = self._enrolment.record_contact(self._who(), draft.id, phone, email)
        return draft.application

    def submit(self, confirmed_at: datetime) -> IssuedReceipt:
        """Close the capture, submit with the citizen's consent, and issue the slip.

        ``confirmed_at`` is when the citizen confirmed on their window (aware UTC).
        """
        draft = self._current()
        officer = self._who()
        if draft.application.state is ApplicationState.DRAFT:
            draft.application = self._enrolment.capture(officer, draft.id)
        consent = consent_record(officer, confirmed_at)
        draft.application = self._enrolment.submit(officer, draft.id, consent)
        self.slip = self._receipts.issue(officer, draft.id, ReceiptKind.SLIP)
        return self.slip

    def cancel(self, reason: ReasonCode) -> None:
        """Abandon the application in progress (the citizen left, the card is refused...)."""
        draft = self._current()
        self._enrolment.cancel(self._who(), draft.id, reason)
        self.close()

    def drafts(self) -> list[Application]:
        """This officer's applications still open for capture, most recent first."""
        officer = self._who()
        found = self._records.page(officer, _RESUMABLE, limit=20)
        return [app for app in found if app.created_by == officer.id]

    def resume(self, application_id: ApplicationId) -> Step:
        """Take up a stored draft (a returned one goes back to draft); the step to go on at."""
        officer = self._who()
        application = self._records.show(officer, application_id)
        if application.state is ApplicationState.RETURNED:
            application = self._enrolment.reopen(officer, application_id)
        self.draft = Draft(application, evidence=self._records.evidence(officer, application_id))
        step = resume_step(application)
        self.begin(step)
        return step

    def record_printed(self, slip: IssuedReceipt, printer: str) -> None:
        """Audit that the slip went to ``printer``."""
        self._receipts.record_printed(self._who(), slip, printer)

    def close(self) -> None:
        """Forget the application (submitted or abandoned); the next citizen starts clean."""
        self.draft = None
        self.slip = None
        self._started.clear()
