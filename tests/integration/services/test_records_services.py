"""The records use cases over a real SQLite file, composed by ``kiosk.app.build``."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.app import Kiosk, build
from kiosk.config import Settings
from kiosk.domain.application import ApplicationState, ReasonCode
from kiosk.domain.biometrics import FaceOutcome
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.evidence import DocumentEvidence, LivenessEvidence, Mismatch
from kiosk.domain.users import Role, User
from kiosk.services.chip_evidence import chip_evidence
from kiosk.services.consent import CONSENT_TEXT_VI, consent_record, consent_text_sha256
from tests.integration.services.conftest import PASSWORD
from tests.support.clock import FrozenClock
from tests.support.staffed_kiosk import close

CITIZEN = Citizen(
    id_number="001090001234",
    full_name="Nguyễn Văn An",
    date_of_birth=date(1990, 1, 1),
    sex=Sex.MALE,
)


def submitted(kiosk: Kiosk, officer: User) -> ApplicationState:
    enrolment = kiosk.services.enrolment
    app = enrolment.open(officer)
    enrolment.record_chip(officer, app.id, CITIZEN, ChipVerdict.UNVERIFIABLE)
    enrolment.record_face(officer, app.id, FaceOutcome.PASSED)
    enrolment.capture(officer, app.id)
    enrolment.record_contact(officer, app.id, "+84 912 345 678", "an.nguyen@example.vn")
    return enrolment.submit(officer, app.id, consent_record(officer, datetime.now(UTC)))


def test_only_the_first_account_may_be_made_without_signing_in(kiosk: Kiosk) -> None:
    users = kiosk.services.users
    with pytest.raises(DomainError) as refused:
        users.add(
            None,
            username="canbo",
            full_name="Cán Bộ",
            service_number="S-1",
            role=Role.OFFICER,
            password=PASSWORD,
        )
    assert refused.value.code is ErrorCode.PERMISSION_DENIED
    users.add(
        None,
        username="quantri",
        full_name="Quản Trị",
        service_number="A-1",
        role=Role.ADMIN,
        password=PASSWORD,
    )
    with pytest.raises(DomainError):
        users.add(
            None,
            username="quantri2",
            full_name="Quản Trị",
            service_number="A-2",
            role=Role.ADMIN,
            password=PASSWORD,
        )


def test_login_checks_the_password_and_hides_unknown_accounts(
    kiosk: Kiosk, people: dict[str, User]
) -> None:
    session = kiosk.services.session
    assert session.login("CanBo", PASSWORD) == people["officer"]
    for username in ("canbo", "nobody"):
        with pytest.raises(DomainError) as failed:
            session.login(username, "wrong password")
        assert failed.value.code is ErrorCode.LOGIN_FAILED


def test_lock_out_survives_a_restart_and_expires(
    settings: Settings, clock: FrozenClock, kiosk: Kiosk, people: dict[str, User]
) -> None:
    for _ in range(4):
        with pytest.raises(DomainError):
            kiosk.services.session.login("canbo", "wrong")
    with pytest.raises(DomainError) as locked:
        kiosk.services.session.login("canbo", "wrong")
    assert locked.value.code is ErrorCode.ACCOUNT_LOCKED
    restarted = build(settings, clock)
    try:
        with pytest.raises(DomainError) as still:
            restarted.services.session.login("canbo", PASSWORD)
        assert still.value.code is ErrorCode.ACCOUNT_LOCKED
        clock.advance(minutes=16)
        assert restarted.services.session.login("canbo", PASSWORD).username == "canbo"
    finally:
        close(restarted)


def test_an_admin_unlocks_and_disabled_accounts_cannot_sign_in(
    kiosk: Kiosk, people: dict[str, User]
) -> None:
    for _ in range(5):
        with pytest.raises(DomainError):
            kiosk.services.session.login("canbo", "wrong")
    kiosk.services.users.unlock(people["admin"], "canbo")
    assert kiosk.services.session.login("canbo", PASSWORD).username == "canbo"
    kiosk.services.users.set_disabled(people["admin"], "canbo", True)
    with pytest.raises(DomainError) as disabled:
        kiosk.services.session.login("canbo", PASSWORD)
    assert disabled.value.code is ErrorCode.ACCOUNT_DISABLED


def test_an_officer_cannot_manage_users_or_approve(kiosk: Kiosk, people: dict[str, User]) -> None:
    officer = people["officer"]
    with pytest.raises(DomainError) as denied:
        kiosk.services.users.list(officer)
    assert denied.value.code is ErrorCode.PERMISSION_DENIED
    app = submitted(kiosk, officer)
    with pytest.raises(DomainError):
        kiosk.services.review.approve(officer, app.id)


def test_four_eyes_and_its_audited_relaxation(kiosk: Kiosk, people: dict[str, User]) -> None:
    supervisor = people["supervisor"]
    own = submitted(kiosk, supervisor)
    with pytest.raises(DomainError) as refused:
        kiosk.services.review.approve(supervisor, own.id)
    assert refused.value.code is ErrorCode.FOUR_EYES
    approved = kiosk.services.review.approve(people["supervisor2"], own.id)
    assert approved.state is ApplicationState.APPROVED
    assert not approved.four_eyes_relaxed
    kiosk.services.review.set_four_eyes_relaxed(people["admin"], True)
    second = submitted(kiosk, supervisor)
    relaxed = kiosk.services.review.approve(supervisor, second.id)
    assert relaxed.four_eyes_relaxed


def test_reject_return_reopen_and_duplicates(kiosk: Kiosk, people: dict[str, User]) -> None:
    officer, supervisor = people["officer"], people["supervisor"]
    first = submitted(kiosk, officer)
    assert [p.id for p in kiosk.services.enrolment.pending_for(officer, "001090001234")] == [
        first.id
    ]
    returned = kiosk.services.review.return_for_correction(
        supervisor, first.id, ReasonCode.CONTACT_INCORRECT, "Sai số điện thoại"
    )
    assert returned.state is ApplicationState.RETURNED
    draft = kiosk.services.enrolment.reopen(officer, first.id)
    assert draft.state is ApplicationState.DRAFT
    assert draft.citizen == CITIZEN
    second = submitted(kiosk, officer)
    rejected = kiosk.services.review.reject(supervisor, second.id, ReasonCode.DUPLICATE)
    assert rejected.state is ApplicationState.REJECTED
    assert [p.id for p in kiosk.services.enrolment.pending_for(officer, "001090001234")] == [
        first.id
    ]


def test_viewing_is_audited_and_the_chain_verifies(kiosk: Kiosk, people: dict[str, User]) -> None:
    app = submitted(kiosk, people["officer"])
    shown = kiosk.services.records.show(people["supervisor"], app.id)
    assert shown.phone == "0912345678"
    with pytest.raises(DomainError):
        kiosk.services.records.show(people["admin"], app.id)
    report = kiosk.services.audit.verify()
    assert report.valid
    assert report.first_bad is None
    assert report.entries >= 10
    assert len(report.head) == 64


def test_the_audit_export_is_signed_by_the_station_key(
    kiosk: Kiosk, people: dict[str, User], clock: FrozenClock, tmp_path: Path
) -> None:
    submitted(kiosk, people["officer"])
    target = tmp_path / "audit.json"
    count = kiosk.services.audit.export(
        people["admin"], clock.now() - timedelta(days=1), clock.now() + timedelta(days=1), target
    )
    document = json.loads(target.read_text(encoding="utf-8"))
    assert len(document["payload"]["entries"]) == count > 0
    payload = json.dumps(document["payload"], sort_keys=True, separators=(",", ":")).encode()
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["public_key"]))
    key.verify(base64.b64decode(document["signature"]), payload)
    document["payload"]["entries"][0]["action"] = "tampered"
    tampered = json.dumps(document["payload"], sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(InvalidSignature):
        key.verify(base64.b64decode(document["signature"]), tampered)
    with pytest.raises(DomainError):
        kiosk.services.audit.export(people["officer"], clock.now(), clock.now(), target)


def test_a_restart_keeps_everything_readable(
    settings: Settings, clock: FrozenClock, kiosk: Kiosk, people: dict[str, User]
) -> None:
    app = submitted(kiosk, people["officer"])
    again = build(replace(settings), clock)
    try:
        assert again.services.records.show(people["supervisor"], app.id).citizen == CITIZEN
        assert again.keys.signing_public_key == kiosk.keys.signing_public_key
    finally:
        close(again)


SCAN = DocumentEvidence(
    kind="gplx",
    image=b"\xff\xd8 flat card",
    qr_text=None,
    fields={"number": "790123456789"},
    mismatches=(Mismatch("full_name", "NGUYEN VAN AN", "Nguyễn Văn Ân"),),
)


def test_each_step_keeps_its_evidence_and_submission_keeps_the_consent(
    kiosk: Kiosk, people: dict[str, User]
) -> None:
    officer, supervisor = people["officer"], people["supervisor"]
    enrolment = kiosk.services.enrolment
    app = enrolment.open(officer)
    enrolment.record_chip(officer, app.id, CITIZEN, ChipVerdict.UNVERIFIABLE)
    enrolment.record_face(officer, app.id, FaceOutcome.PASSED)
    at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    liveness = LivenessEvidence(("left", "blink"), True, {"left": True}, (), officer.id, at)
    enrolment.record_liveness(officer, app.id, liveness)
    enrolment.record_document(officer, app.id, SCAN)
    enrolment.record_timing(officer, app.id, "chip", 250.0)
    enrolment.record_contact(officer, app.id, "0912345678", None)
    enrolment.capture(officer, app.id)
    consent = consent_record(officer, at)
    assert enrolment.submit(officer, app.id, consent).state is ApplicationState.SUBMITTED

    kept = kiosk.services.records.evidence(supervisor, app.id)
    assert kept.documents == {"gplx": SCAN}
    assert kept.liveness == liveness
    assert kept.consent == consent
    assert kept.consent.text_version_sha256 == consent_text_sha256(CONSENT_TEXT_VI)
    assert kept.timings_ms == {"chip": 250.0}
    with kiosk.context.read() as uow:
        actions = [entry.fields.action for entry in uow.audit.entries()]
    assert {"document_scan", "liveness", "view_evidence"} <= set(actions)

    with pytest.raises(DomainError) as closed:
        enrolment.record_document(officer, app.id, SCAN)
    assert closed.value.code is ErrorCode.INVALID_TRANSITION


def test_a_real_chip_read_is_kept_whole(kiosk: Kiosk, people: dict[str, User]) -> None:
    from kiosk import app as composition
    from kiosk.devices.sim import citizens
    from kiosk.services.chip_reading import AccessInput

    officer = people["officer"]
    record = citizens.list_citizens()[0]
    given = AccessInput(id_number=record.citizen.id_number)
    outcome = composition.chip_reading(kiosk.settings).read(
        composition.simulated_card_reader(kiosk.settings), given
    )
    evidence = chip_evidence(outcome.read)
    enrolment = kiosk.services.enrolment
    app = enrolment.open(officer)
    enrolment.record_chip(officer, app.id, outcome.citizen, outcome.verdict, evidence)
    kept = kiosk.services.records.evidence(officer, app.id).chip
    assert kept == evidence
    assert kept is not None
    assert set(kept.files) >= {"EF.SOD", "DG1", "DG2", "DG13"}
    assert kept.chip_verdict.verdict == outcome.verdict.value
