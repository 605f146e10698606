"""The Application aggregate: one citizen's enrolment and its workflow (design.md, the flow).

The kiosk's own states are exactly ``draft -> captured -> submitted -> approved | rejected |
returned``, ``returned -> draft``, and ``cancelled`` from any state before ``approved``. Every
change goes through one table (``TRANSITIONS``) and returns the new immutable application with
the ``AuditFact`` the store writes in the same transaction. Delivery (the outbox) and the server's
verdict are separate vocabularies, defined here only so that nobody mixes them into this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from kiosk.domain.biometrics import FaceAttempts, FaceGate, FaceOutcome, FaceOverride, face_gate
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen
from kiosk.domain.clock import is_aware_utc
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import ApplicationId, UserId
from kiosk.domain.text import normalise
from kiosk.domain.validators import ValidationFailed, normalise_phone, validate_email


class ApplicationState(StrEnum):
    """The kiosk's workflow state; ``rejected`` is always the supervisor's word."""

    DRAFT = "draft"
    CAPTURED = "captured"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """Whether nothing more can happen to the application (and retention may purge it)."""
        return self in _FINAL


_FINAL = frozenset(
    {ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.CANCELLED}
)


class DeliveryState(StrEnum):
    """The outbox row's state (not the application's); ``failed`` is the transport's word."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class ServerVerdict(StrEnum):
    """The central server's verdict, pulled from it; ``declined`` is the server's word."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ACTIVATED = "activated"


class Action(StrEnum):
    """What was done to an application; stable values, stored in the audit log."""

    CREATE = "create"
    RECORD_CHIP = "record_chip"
    RECORD_FACE = "record_face"
    OVERRIDE_FACE = "override_face"
    RECORD_CONTACT = "record_contact"
    CAPTURE = "capture"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    REOPEN = "reopen"
    CANCEL = "cancel"


_S = ApplicationState
_A = Action
_BEFORE_APPROVAL = (_S.DRAFT, _S.CAPTURED, _S.SUBMITTED, _S.RETURNED)

TRANSITIONS: MappingProxyType[tuple[ApplicationState, Action], ApplicationState] = MappingProxyType(
    {
        (_S.DRAFT, _A.RECORD_CHIP): _S.DRAFT,
        (_S.DRAFT, _A.RECORD_FACE): _S.DRAFT,
        (_S.DRAFT, _A.OVERRIDE_FACE): _S.DRAFT,
        (_S.DRAFT, _A.RECORD_CONTACT): _S.DRAFT,
        (_S.CAPTURED, _A.RECORD_CONTACT): _S.CAPTURED,
        (_S.DRAFT, _A.CAPTURE): _S.CAPTURED,
        (_S.CAPTURED, _A.SUBMIT): _S.SUBMITTED,
        (_S.SUBMITTED, _A.APPROVE): _S.APPROVED,
        (_S.SUBMITTED, _A.REJECT): _S.REJECTED,
        (_S.SUBMITTED, _A.RETURN): _S.RETURNED,
        (_S.RETURNED, _A.REOPEN): _S.DRAFT,
        **{(state, _A.CANCEL): _S.CANCELLED for state in _BEFORE_APPROVAL},
    }
)
"""Every allowed (state, action) and the state it leads to; anything else is refused.

Edits (chip, face, contact) are self-loops, so the table also says in which states the
captured data may still change: contact details until submission, the rest only in a draft.
"""


class ReasonCode(StrEnum):
    """Why a supervisor rejected, returned or overrode, or why an application was cancelled."""

    DATA_MISMATCH = "data_mismatch"
    DOCUMENT_INVALID = "document_invalid"
    CHIP_NOT_GENUINE = "chip_not_genuine"
    FACE_MISMATCH = "face_mismatch"
    PHOTO_QUALITY = "photo_quality"
    CONTACT_INCORRECT = "contact_incorrect"
    DUPLICATE = "duplicate"
    IDENTITY_CONFIRMED_IN_PERSON = "identity_confirmed_in_person"
    APPEARANCE_CHANGED = "appearance_changed"
    CITIZEN_WITHDREW = "citizen_withdrew"
    DEVICE_FAILURE = "device_failure"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class AuditFact:
    """What the audit log records for one change: who, when, what, and the states around it.

    Holds no personal data (the note of a return stays on the application, encrypted).

    Attributes:
        from_state: None for the creation of the application.
        four_eyes_relaxed: the approver was also its capturer, under the admin setting.
    """

    actor: UserId
    at: datetime
    action: Action
    subject: ApplicationId
    from_state: ApplicationState | None
    to_state: ApplicationState
    reason_code: ReasonCode | None = None
    four_eyes_relaxed: bool = False


class Changed(NamedTuple):
    """The result of every change: the new application and its audit fact, stored together."""

    application: Application
    fact: AuditFact


@dataclass(frozen=True, slots=True)
class Application:
    """One citizen's Level 2 enrolment at this station (immutable; changes return a copy).

    Attributes:
        captured_by: the officer who moved it to ``captured`` (four eyes compares with it).
        four_eyes_relaxed: approved by its own capturer under the audited admin setting.
        reason_code: the latest rejection, return or cancellation reason.
        reason_note: the supervisor's words for a return (what to correct), or for ``other``.
    """

    id: ApplicationId
    created_by: UserId
    created_at: datetime
    updated_at: datetime
    state: ApplicationState = ApplicationState.DRAFT
    citizen: Citizen | None = None
    chip_verdict: ChipVerdict | None = None
    face: FaceAttempts = field(default_factory=FaceAttempts)
    phone: str | None = None
    email: str | None = None
    captured_by: UserId | None = None
    submitted_by: UserId | None = None
    reviewed_by: UserId | None = None
    four_eyes_relaxed: bool = False
    reason_code: ReasonCode | None = None
    reason_note: str | None = None
    demo: bool = False

    def record_chip(
        self, officer: UserId, at: datetime, citizen: Citizen, verdict: ChipVerdict
    ) -> Changed:
        """Keep the identity read from the chip and the chip's verdict (a re-read replaces)."""
        return self._move(_A.RECORD_CHIP, officer, at, citizen=citizen, chip_verdict=verdict)

    def record_face(self, officer: UserId, at: datetime, outcome: FaceOutcome) -> Changed:
        """Count one face attempt; refused once the face step is passed or out of attempts."""
        gate = face_gate(self.face)
        if gate is not FaceGate.RETRY:
            raise ValidationFailed("face", f"face_{gate.value}")
        face = replace(self.face, outcomes=(*self.face.outcomes, outcome))
        return self._move(_A.RECORD_FACE, officer, at, face=face)

    def override_face(self, supervisor: UserId, at: datetime, reason: ReasonCode) -> Changed:
        """Let the application go on after the third failed attempt, for a stated reason.

        The caller checks the supervisor's ``override_face`` permission; the override is kept on
        the application, shown in review and carried in the packet.
        """
        gate = face_gate(self.face)
        if gate is not FaceGate.NEEDS_OVERRIDE:
            raise ValidationFailed("face", f"face_{gate.value}")
        face = replace(self.face, override=FaceOverride(supervisor, at, reason.value))
        return self._move(_A.OVERRIDE_FACE, supervisor, at, reason=reason, face=face)

    def record_contact(
        self, officer: UserId, at: datetime, phone: str, email: str | None = None
    ) -> Changed:
        """Keep the phone (required for the activation SMS) and optional e-mail, normalised."""
        number = normalise_phone(phone)
        address = validate_email(email) if email else None
        return self._move(_A.RECORD_CONTACT, officer, at, phone=number, email=address)

    def capture(self, officer: UserId, at: datetime) -> Changed:
        """Close the capture: the chip was read and the face step passed or was overridden."""
        if self.citizen is None or self.chip_verdict is None:
            raise ValidationFailed("citizen", "required")
        if not face_gate(self.face).may_continue:
            raise ValidationFailed("face", "face_not_cleared")
        return self._move(_A.CAPTURE, officer, at, captured_by=officer)

    def submit(self, officer: UserId, at: datetime) -> Changed:
        """Hand the application to review, after the citizen confirmed it on the citizen view.

        Raises:
            ValidationFailed: no phone number or no chip verdict yet.
            DomainError: ``CHIP_NOT_GENUINE``: a chip judged a clone or forgery never goes on.
        """
        if self.phone is None:
            raise ValidationFailed("phone", "required")
        if self.chip_verdict is None:
            raise ValidationFailed("citizen", "required")
        if not self.chip_verdict.allows_submission:
            raise DomainError(ErrorCode.CHIP_NOT_GENUINE, "submission refused")
        return self._move(_A.SUBMIT, officer, at, submitted_by=officer)

    def approve(
        self, supervisor: UserId, at: datetime, *, four_eyes_relaxed: bool = False
    ) -> Changed:
        """Approve, under four eyes: the approver did not capture or submit it.

        ``four_eyes_relaxed`` is the audited admin setting that lets a one-person counter
        approve its own work; the application and its audit fact are then marked.

        Raises:
            DomainError: ``FOUR_EYES`` when the approver prepared it and no relaxation is set.
        """
        own_work = supervisor in (self.captured_by, self.submitted_by)
        if own_work and not four_eyes_relaxed:
            raise DomainError(ErrorCode.FOUR_EYES, "approver prepared the application")
        return self._move(
            _A.APPROVE, supervisor, at, reviewed_by=supervisor, four_eyes_relaxed=own_work
        )

    def reject(
        self, supervisor: UserId, at: datetime, reason: ReasonCode, note: str | None = None
    ) -> Changed:
        """Refuse the application for good, with a reason code (a note too for ``other``)."""
        return self._decide(_A.REJECT, supervisor, at, reason, note, note_required=False)

    def return_for_correction(
        self, supervisor: UserId, at: datetime, reason: ReasonCode, note: str
    ) -> Changed:
        """Send it back to the officer with a reason and a note saying what to correct."""
        return self._decide(_A.RETURN, supervisor, at, reason, note, note_required=True)

    def reopen(self, officer: UserId, at: datetime) -> Changed:
        """Take a returned application back into draft, keeping everything captured."""
        return self._move(_A.REOPEN, officer, at)

    def cancel(
        self, actor: UserId, at: datetime, reason: ReasonCode, note: str | None = None
    ) -> Changed:
        """Abandon the application before approval (the citizen left, a device failed, ...)."""
        return self._decide(_A.CANCEL, actor, at, reason, note, note_required=False)

    def _decide(
        self,
        action: Action,
        actor: UserId,
        at: datetime,
        reason: ReasonCode,
        note: str | None,
        *,
        note_required: bool,
    ) -> Changed:
        text = normalise(note or "")
        if not text and (note_required or reason is ReasonCode.OTHER):
            raise ValidationFailed("reason_note", "required")
        return self._move(
            action, actor, at, reason=reason, reason_code=reason, reason_note=text or None
        )

    def _move(
        self,
        action: Action,
        actor: UserId,
        at: datetime,
        *,
        reason: ReasonCode | None = None,
        **changes: Any,
    ) -> Changed:
        target = TRANSITIONS.get((self.state, action))
        if target is None:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION,
                f"{action.value} is not allowed in {self.state.value}",
                action=action.value,
                state=self.state.value,
            )
        _require_utc(at)
        moved = replace(self, state=target, updated_at=at, **changes)
        fact = AuditFact(
            actor, at, action, self.id, self.state, target, reason, moved.four_eyes_relaxed
        )
        return Changed(moved, fact)


def open_application(
    application_id: ApplicationId, officer: UserId, at: datetime, *, demo: bool = False
) -> Changed:
    """A new draft, and the audit fact of its creation."""
    _require_utc(at)
    application = Application(application_id, officer, at, at, demo=demo)
    fact = AuditFact(officer, at, _A.CREATE, application_id, None, ApplicationState.DRAFT)
    return Changed(application, fact)


def _require_utc(at: datetime) -> None:
    # A local or naive time here is a programming error: the audit chain and the server compare
    # UTC instants, so it is refused loudly rather than stored ambiguously.
    if not is_aware_utc(at):
        raise ValueError("times in the domain are aware UTC datetimes")
