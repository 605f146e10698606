from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kiosk.domain.application import (
    TRANSITIONS,
    Action,
    Application,
    ApplicationState,
    Changed,
    DeliveryState,
    ReasonCode,
    ServerVerdict,
    open_application,
)
from kiosk.domain.biometrics import FaceAttempts, FaceGate, FaceOutcome, face_gate
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import ApplicationId, UserId
from kiosk.domain.validators import ValidationFailed

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
OFFICER = UserId(uuid.UUID(int=1))
SUPERVISOR = UserId(uuid.UUID(int=2))
APP_ID = ApplicationId(uuid.UUID(int=10))
LATER = T0 + timedelta(minutes=5)
F = FaceOutcome
PASSED = FaceAttempts((F.MISMATCH, F.PASSED))
EXHAUSTED = FaceAttempts((F.MISMATCH, F.LIVENESS_FAILED, F.MISMATCH))


def make_citizen() -> Citizen:
    return Citizen("001090001234", "Nguyễn Văn A", date(1990, 1, 1), Sex.MALE)


def ready(state: ApplicationState, **changes: object) -> Application:
    """An application in ``state`` with everything captured, so only the table decides."""
    base = Application(
        APP_ID,
        OFFICER,
        T0,
        T0,
        state=state,
        citizen=make_citizen(),
        chip_verdict=ChipVerdict.UNVERIFIABLE,
        face=PASSED,
        phone="0912345678",
        captured_by=OFFICER,
        submitted_by=OFFICER,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


CALLS: dict[Action, Callable[[Application], Changed]] = {
    Action.RECORD_CHIP: lambda a: a.record_chip(
        OFFICER, LATER, make_citizen(), ChipVerdict.GENUINE
    ),
    Action.RECORD_FACE: lambda a: replace(a, face=FaceAttempts()).record_face(
        OFFICER, LATER, F.PASSED
    ),
    Action.OVERRIDE_FACE: lambda a: replace(a, face=EXHAUSTED).override_face(
        SUPERVISOR, LATER, ReasonCode.IDENTITY_CONFIRMED_IN_PERSON
    ),
    Action.RECORD_CONTACT: lambda a: a.record_contact(OFFICER, LATER, "+84 912 345 678"),
    Action.CAPTURE: lambda a: a.capture(OFFICER, LATER),
    Action.SUBMIT: lambda a: a.submit(OFFICER, LATER),
    Action.APPROVE: lambda a: a.approve(SUPERVISOR, LATER),
    Action.REJECT: lambda a: a.reject(SUPERVISOR, LATER, ReasonCode.DATA_MISMATCH),
    Action.RETURN: lambda a: a.return_for_correction(
        SUPERVISOR, LATER, ReasonCode.PHOTO_QUALITY, "Chụp lại ảnh"
    ),
    Action.REOPEN: lambda a: a.reopen(OFFICER, LATER),
    Action.CANCEL: lambda a: a.cancel(OFFICER, LATER, ReasonCode.CITIZEN_WITHDREW),
}
PAIRS = [(state, action) for state in ApplicationState for action in CALLS]


def test_every_action_but_create_has_a_method() -> None:
    assert set(CALLS) == set(Action) - {Action.CREATE}


def test_the_workflow_is_exactly_the_designed_one() -> None:
    moves = {key: to for key, to in TRANSITIONS.items() if key[0] is not to}
    s, a = ApplicationState, Action
    assert moves == {
        (s.DRAFT, a.CAPTURE): s.CAPTURED,
        (s.CAPTURED, a.SUBMIT): s.SUBMITTED,
        (s.SUBMITTED, a.APPROVE): s.APPROVED,
        (s.SUBMITTED, a.REJECT): s.REJECTED,
        (s.SUBMITTED, a.RETURN): s.RETURNED,
        (s.RETURNED, a.REOPEN): s.DRAFT,
        (s.DRAFT, a.CANCEL): s.CANCELLED,
        (s.CAPTURED, a.CANCEL): s.CANCELLED,
        (s.SUBMITTED, a.CANCEL): s.CANCELLED,
        (s.RETURNED, a.CANCEL): s.CANCELLED,
    }


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_transition_table(state: ApplicationState, action: Action) -> None:
    application = ready(state)
    target = TRANSITIONS.get((state, action))
    if target is None:
        with pytest.raises(DomainError) as caught:
            CALLS[action](application)
        assert caught.value.code is ErrorCode.INVALID_TRANSITION
        assert caught.value.params == {"action": action.value, "state": state.value}
        return
    moved, fact = CALLS[action](application)
    assert moved.state is target
    assert moved.updated_at == LATER
    assert application.state is state  # the original is untouched
    assert (fact.action, fact.from_state, fact.to_state) == (action, state, target)
    assert (fact.at, fact.subject) == (LATER, APP_ID)


def test_final_states() -> None:
    finals = {state for state in ApplicationState if state.is_final}
    assert finals == {
        ApplicationState.APPROVED,
        ApplicationState.REJECTED,
        ApplicationState.CANCELLED,
    }
    assert all(from_state not in finals for from_state, _ in TRANSITIONS)


def test_separate_vocabularies() -> None:
    assert [s.value for s in DeliveryState] == ["pending", "sending", "delivered", "failed"]
    assert [v.value for v in ServerVerdict] == ["received", "accepted", "declined", "activated"]
    words = {s.value for s in ApplicationState}
    assert not words & ({s.value for s in DeliveryState} | {v.value for v in ServerVerdict})


def test_open_application() -> None:
    application, fact = open_application(APP_ID, OFFICER, T0, demo=True)
    assert application.state is ApplicationState.DRAFT
    assert application.demo
    assert application.created_at == application.updated_at == T0
    assert fact.from_state is None
    assert fact.action is Action.CREATE


@pytest.mark.parametrize(
    "at", [datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=7)))]
)
def test_times_must_be_utc(at: datetime) -> None:
    with pytest.raises(ValueError, match="UTC"):
        open_application(APP_ID, OFFICER, at)
    with pytest.raises(ValueError, match="UTC"):
        ready(ApplicationState.DRAFT).capture(OFFICER, at)


def test_whole_flow_keeps_who_did_what() -> None:
    app, _ = open_application(APP_ID, OFFICER, T0)
    app, _ = app.record_chip(OFFICER, T0, make_citizen(), ChipVerdict.GENUINE)
    app, _ = app.record_face(OFFICER, T0, F.PASSED)
    app, _ = app.capture(OFFICER, T0)
    app, _ = app.record_contact(OFFICER, T0, "0912345678", "an@ví-dụ.vn")
    app, _ = app.submit(OFFICER, T0)
    app, fact = app.approve(SUPERVISOR, LATER)
    assert app.state is ApplicationState.APPROVED
    assert (app.captured_by, app.submitted_by, app.reviewed_by) == (OFFICER, OFFICER, SUPERVISOR)
    assert app.email == "an@ví-dụ.vn"
    assert app.phone == "0912345678"
    assert not app.four_eyes_relaxed
    assert not fact.four_eyes_relaxed


def test_capture_needs_the_chip() -> None:
    with pytest.raises(ValidationFailed) as caught:
        ready(ApplicationState.DRAFT, citizen=None).capture(OFFICER, LATER)
    assert caught.value.field == "citizen"
    with pytest.raises(ValidationFailed):
        ready(ApplicationState.DRAFT, chip_verdict=None).capture(OFFICER, LATER)


@pytest.mark.parametrize("face", [FaceAttempts(), FaceAttempts((F.MISMATCH,)), EXHAUSTED])
def test_capture_needs_the_face_step_cleared(face: FaceAttempts) -> None:
    with pytest.raises(ValidationFailed) as caught:
        ready(ApplicationState.DRAFT, face=face).capture(OFFICER, LATER)
    assert caught.value.params == {"field": "face", "rule": "face_not_cleared"}


def test_capture_after_override() -> None:
    app, fact = ready(ApplicationState.DRAFT, face=EXHAUSTED).override_face(
        SUPERVISOR, LATER, ReasonCode.APPEARANCE_CHANGED
    )
    assert fact.reason_code is ReasonCode.APPEARANCE_CHANGED
    assert fact.actor == SUPERVISOR
    assert app.face.override is not None
    assert app.face.override.reason == "appearance_changed"
    assert app.capture(OFFICER, LATER).application.state is ApplicationState.CAPTURED


def test_three_attempts_in_all() -> None:
    app = ready(ApplicationState.DRAFT, face=FaceAttempts())
    for outcome in (F.MISMATCH, F.LIVENESS_FAILED):
        app = app.record_face(OFFICER, LATER, outcome).application
        assert face_gate(app.face) is FaceGate.RETRY
    app = app.record_face(OFFICER, LATER, F.MISMATCH).application
    assert face_gate(app.face) is FaceGate.NEEDS_OVERRIDE
    with pytest.raises(ValidationFailed) as caught:
        app.record_face(OFFICER, LATER, F.PASSED)
    assert caught.value.rule == "face_needs_override"


@pytest.mark.parametrize("face", [PASSED, FaceAttempts((F.MISMATCH,))])
def test_override_only_after_the_third_failure(face: FaceAttempts) -> None:
    with pytest.raises(ValidationFailed) as caught:
        ready(ApplicationState.DRAFT, face=face).override_face(SUPERVISOR, LATER, ReasonCode.OTHER)
    assert caught.value.field == "face"


def test_no_attempt_after_a_pass() -> None:
    with pytest.raises(ValidationFailed, match="face_passed"):
        ready(ApplicationState.DRAFT).record_face(OFFICER, LATER, F.MISMATCH)


def test_submit_needs_a_phone() -> None:
    with pytest.raises(ValidationFailed) as caught:
        ready(ApplicationState.CAPTURED, phone=None).submit(OFFICER, LATER)
    assert caught.value.field == "phone"


def test_submit_needs_the_chip_verdict() -> None:
    with pytest.raises(ValidationFailed) as caught:
        ready(ApplicationState.CAPTURED, chip_verdict=None).submit(OFFICER, LATER)
    assert caught.value.field == "citizen"


def test_an_unverifiable_chip_may_be_submitted() -> None:
    app = ready(ApplicationState.CAPTURED, chip_verdict=ChipVerdict.UNVERIFIABLE)
    assert app.submit(OFFICER, LATER).application.chip_verdict is ChipVerdict.UNVERIFIABLE


def test_a_cloned_chip_is_never_submitted() -> None:
    app = ready(ApplicationState.CAPTURED, chip_verdict=ChipVerdict.NOT_GENUINE)
    with pytest.raises(DomainError) as caught:
        app.submit(OFFICER, LATER)
    assert caught.value.code is ErrorCode.CHIP_NOT_GENUINE


def test_contact_is_validated() -> None:
    with pytest.raises(ValidationFailed):
        ready(ApplicationState.DRAFT).record_contact(OFFICER, LATER, "12345")
    with pytest.raises(ValidationFailed):
        ready(ApplicationState.DRAFT).record_contact(OFFICER, LATER, "0912345678", "not-mail")


@pytest.mark.parametrize("approver_role", ["captured_by", "submitted_by"])
def test_four_eyes(approver_role: str) -> None:
    app = ready(ApplicationState.SUBMITTED, captured_by=OFFICER, submitted_by=OFFICER)
    app = replace(app, **{approver_role: SUPERVISOR})  # type: ignore[arg-type]
    with pytest.raises(DomainError) as caught:
        app.approve(SUPERVISOR, LATER)
    assert caught.value.code is ErrorCode.FOUR_EYES


def test_four_eyes_relaxed_marks_the_application() -> None:
    app = ready(ApplicationState.SUBMITTED, captured_by=SUPERVISOR, submitted_by=SUPERVISOR)
    approved, fact = app.approve(SUPERVISOR, LATER, four_eyes_relaxed=True)
    assert approved.state is ApplicationState.APPROVED
    assert approved.four_eyes_relaxed
    assert fact.four_eyes_relaxed


def test_relaxation_unused_leaves_no_mark() -> None:
    approved, fact = ready(ApplicationState.SUBMITTED).approve(
        SUPERVISOR, LATER, four_eyes_relaxed=True
    )
    assert not approved.four_eyes_relaxed
    assert not fact.four_eyes_relaxed


def test_reject_keeps_the_reason() -> None:
    app, fact = ready(ApplicationState.SUBMITTED).reject(
        SUPERVISOR, LATER, ReasonCode.DOCUMENT_INVALID
    )
    assert app.state is ApplicationState.REJECTED
    assert app.reason_code is fact.reason_code is ReasonCode.DOCUMENT_INVALID
    assert app.reason_note is None


@pytest.mark.parametrize("note", [None, "", "   "])
def test_reason_other_needs_a_note(note: str | None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        ready(ApplicationState.SUBMITTED).reject(SUPERVISOR, LATER, ReasonCode.OTHER, note)
    assert caught.value.field == "reason_note"
    with pytest.raises(ValidationFailed):
        ready(ApplicationState.DRAFT).cancel(OFFICER, LATER, ReasonCode.OTHER, note)


def test_return_needs_a_note_and_reopen_keeps_the_capture() -> None:
    submitted = ready(ApplicationState.SUBMITTED)
    with pytest.raises(ValidationFailed):
        submitted.return_for_correction(SUPERVISOR, LATER, ReasonCode.CONTACT_INCORRECT, " ")
    returned, fact = submitted.return_for_correction(
        SUPERVISOR, LATER, ReasonCode.CONTACT_INCORRECT, "  Số điện thoại   sai "
    )
    assert returned.reason_note == "Số điện thoại sai"
    assert fact.reason_code is ReasonCode.CONTACT_INCORRECT
    draft = returned.reopen(OFFICER, LATER).application
    assert draft.state is ApplicationState.DRAFT
    assert draft.citizen == submitted.citizen
    assert draft.face == submitted.face


def test_cancel_with_note() -> None:
    app, fact = ready(ApplicationState.RETURNED).cancel(
        OFFICER, LATER, ReasonCode.OTHER, "Công dân đi về"
    )
    assert app.state is ApplicationState.CANCELLED
    assert fact.reason_code is ReasonCode.OTHER
    assert app.reason_note == "Công dân đi về"
