"""Receipts, slips and the daily report through the real services over a tmp SQLite file."""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.app import Kiosk
from kiosk.config import PathSettings, Settings, StationSettings
from kiosk.documents.image import decode_image
from kiosk.documents.qr import decode_qr
from kiosk.domain.application import ApplicationState
from kiosk.domain.biometrics import FaceOutcome
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import Role, User
from kiosk.receipts.payload import ReceiptKind, digest_of
from kiosk.services.consent import consent_record
from kiosk.services.context import ServiceContext
from kiosk.services.receipts import ReceiptService
from tests.support.clock import FrozenClock
from tests.support.staffed_kiosk import Staffed, kiosk_on, make_staffed

PASSWORD = "mật-khẩu-dài-123"
NAME = "Nguyễn Thị Thuỷ Hoà"
HEADINGS = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY BIÊN NHẬN",
    "Đăng ký tài khoản định danh điện tử mức độ 2",
    "Các bước tiếp theo",
    "Họ và tên:",
    "Số định danh cá nhân:",
    "001******234",
    "Công an phường Phúc Xá, quầy số 2",
)


def _settings(data_dir: Path) -> Settings:
    return Settings(
        demo=True,
        station=StationSettings("01", "00004", "Công an phường Phúc Xá", 2),
        paths=PathSettings(data_dir=str(data_dir)),
    )


def _add_people(kiosk: Kiosk) -> dict[str, User]:
    users = kiosk.services.users
    admin = users.add(
        None, username="quantri", full_name="Trần Quản Trị", service_number="QT-1",
        role=Role.ADMIN, password=PASSWORD,
    )  # fmt: skip
    made = {"admin": admin}
    for key, name, role in (
        ("officer", "canbo", Role.OFFICER),
        ("chief", "lanhdao", Role.SUPERVISOR),
    ):
        made[key] = users.add(
            admin, username=name, full_name=f"Lê Văn {key.title()}",
            service_number=f"S-{key.upper()}",
            role=role, password=PASSWORD,
        )  # fmt: skip
    return made


@pytest.fixture(scope="module")
def staffed(tmp_path_factory: pytest.TempPathFactory) -> Staffed:
    """The module's accounts (Argon2 each), made once (tests/support/staffed_kiosk.py)."""
    data_dir = tmp_path_factory.mktemp("staffed") / "data"
    return make_staffed(_settings(data_dir), FrozenClock(), _add_people)


@pytest.fixture
def kiosk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kiosk]:
    """A kiosk on this test's data folder: the staffed copy when the test asks for ``people``."""
    yield from kiosk_on(request, _settings(tmp_path / "data"), FrozenClock())


@pytest.fixture
def people(staffed: Staffed, kiosk: Kiosk) -> dict[str, User]:
    """The accounts in ``kiosk`` (made in the module's staffed folder it was copied from)."""
    return staffed.people


def submitted(kiosk: Kiosk, officer: User, name: str = NAME) -> ApplicationId:
    citizen = Citizen(
        id_number="001190001234", full_name=name, date_of_birth=date(1990, 1, 1), sex=Sex.FEMALE
    )
    enrolment = kiosk.services.enrolment
    app = enrolment.open(officer)
    enrolment.record_chip(officer, app.id, citizen, ChipVerdict.UNVERIFIABLE)
    enrolment.record_face(officer, app.id, FaceOutcome.PASSED)
    enrolment.capture(officer, app.id)
    enrolment.record_contact(officer, app.id, "0912345678", None)
    enrolment.submit(officer, app.id, consent_record(officer, datetime.now(UTC)))
    return app.id


def approved(kiosk: Kiosk, people: dict[str, User], name: str = NAME) -> ApplicationId:
    application_id = submitted(kiosk, people["officer"], name)
    kiosk.services.review.approve(people["chief"], application_id)
    return application_id


def rasterise(pdf: Path) -> bytes:
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))],
        check=True,
    )
    return pdf.with_suffix(".png").read_bytes()


def text_of(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_printed_qr_decodes_and_verifies(
    kiosk: Kiosk, people: dict[str, User], tmp_path: Path
) -> None:
    service = ReceiptService(kiosk.context)
    application_id = approved(kiosk, people)
    target = tmp_path / "receipt.pdf"
    issued = service.save(people["officer"], application_id, ReceiptKind.RECEIPT, target)
    code = decode_qr(decode_image(rasterise(target)))
    assert code is not None
    assert code.text == issued.token
    check = service.verify_image(target.with_suffix(".png").read_bytes())
    assert check.valid, check.reason
    assert check.claims is not None
    assert check.claims.application_id == application_id
    assert check.claims.kind is ReceiptKind.RECEIPT
    assert check.claims.demo is True
    with kiosk.context.read() as uow:
        assert check.claims.digest == digest_of(uow.applications.get(application_id))
    assert service.verify_pdf(target.read_bytes()).claims == check.claims


def test_one_flipped_byte_of_the_payload_fails(kiosk: Kiosk, people: dict[str, User]) -> None:
    service = ReceiptService(kiosk.context)
    token = service.issue(people["officer"], approved(kiosk, people), ReceiptKind.RECEIPT).token
    header, payload, signature = token.split(".")
    for index in (0, len(payload) // 2, len(payload) - 2):
        flipped = payload[:index] + ("B" if payload[index] == "A" else "A") + payload[index + 1 :]
        check = service.verify_text(f"{header}.{flipped}.{signature}")
        assert not check.valid
        assert check.reason in ("signature", "encoding")


def test_verification_needs_only_the_public_keys(kiosk: Kiosk, people: dict[str, User]) -> None:
    token = (
        ReceiptService(kiosk.context)
        .issue(people["officer"], approved(kiosk, people), ReceiptKind.RECEIPT)
        .token
    )
    public_only = ReceiptService(
        _context_without_signer(kiosk), trusted_public_keys=[kiosk.context.signing_public_key]
    )
    assert public_only.verify_text(token).valid
    stranger = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    elsewhere = ReceiptService(kiosk.context, trusted_public_keys=[stranger])
    assert elsewhere.verify_text(token).reason == "unknown_key"


def _context_without_signer(kiosk: Kiosk) -> ServiceContext:
    def refuse(_data: bytes) -> bytes:
        raise AssertionError("verification must not sign")

    return replace(kiosk.context, signer=refuse)


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_the_text_is_vietnamese_exactly(
    kiosk: Kiosk, people: dict[str, User], tmp_path: Path, form: Literal["NFC", "NFD"]
) -> None:
    name = unicodedata.normalize(form, NAME)
    application_id = approved(kiosk, people, name)
    target = tmp_path / "receipt.pdf"
    ReceiptService(kiosk.context).save(
        people["officer"], application_id, ReceiptKind.RECEIPT, target
    )
    text = unicodedata.normalize("NFC", text_of(target))
    for heading in (*HEADINGS, NAME, "Lê Văn Officer (số hiệu S-OFFICER)"):
        assert heading in text
    raw = text_of(target)
    assert NAME in raw  # drawn precomposed: no stray combining marks
    assert "BẢN DEMO" in raw


def test_a_slip_at_submission_and_a_receipt_only_after_approval(
    kiosk: Kiosk, people: dict[str, User], tmp_path: Path
) -> None:
    service = ReceiptService(kiosk.context)
    application_id = submitted(kiosk, people["officer"])
    slip = service.issue(people["officer"], application_id, ReceiptKind.SLIP)
    claims = service.verify_text(slip.token).claims
    assert claims is not None
    assert claims.kind is ReceiptKind.SLIP
    target = tmp_path / "slip.pdf"
    target.write_bytes(slip.pdf)
    assert "PHIẾU TIẾP NHẬN HỒ SƠ" in text_of(target)
    with pytest.raises(DomainError) as refused:
        service.issue(people["officer"], application_id, ReceiptKind.RECEIPT)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


def test_issuing_needs_the_permission_and_is_audited(
    kiosk: Kiosk, people: dict[str, User], tmp_path: Path
) -> None:
    service = ReceiptService(kiosk.context)
    application_id = approved(kiosk, people)
    with pytest.raises(DomainError) as refused:
        service.issue(people["admin"], application_id, ReceiptKind.RECEIPT)
    assert refused.value.code is ErrorCode.PERMISSION_DENIED
    issued = service.save(
        people["officer"], application_id, ReceiptKind.RECEIPT, tmp_path / "r.pdf"
    )
    service.record_printed(people["officer"], issued, "Canon LBP")
    with kiosk.context.read() as uow:
        events = [e.fields for e in uow.audit.entries()][-2:]
    assert [e.action for e in events] == ["receipt_save", "receipt_print"]
    assert all(e.subject == str(application_id) for e in events)
    assert events[0].details["receipt"] == issued.reference
    assert NAME not in str(events)
    assert kiosk.services.audit.verify().valid


def test_a_pdf_without_a_token_and_a_photo_without_a_code_are_invalid(kiosk: Kiosk) -> None:
    service = ReceiptService(kiosk.context)
    assert service.verify_pdf(b"%PDF-1.4\n%%EOF").reason == "no_payload"
    ok, png = cv2.imencode(".png", np.full((200, 200, 3), 255, np.uint8))
    assert ok
    assert service.verify_image(png.tobytes()).reason == "no_code"


def test_the_daily_report(kiosk: Kiosk, people: dict[str, User], tmp_path: Path) -> None:
    clock = kiosk.context.clock
    assert isinstance(clock, FrozenClock)
    first = approved(kiosk, people)
    clock.advance(minutes=5)
    submitted(kiosk, people["officer"])
    kiosk.services.enrolment.open(people["officer"])
    service = ReceiptService(kiosk.context)
    with pytest.raises(DomainError):
        service.daily_report(people["officer"], date(2026, 11, 27))
    target = tmp_path / "report.pdf"
    report = service.save_daily_report(people["chief"], date(2026, 11, 27), target)
    assert first
    (row,) = report.by_officer
    assert row.officer.full_name == "Lê Văn Officer"
    assert dict(row.counts) == {
        ApplicationState.DRAFT: 1,
        ApplicationState.SUBMITTED: 1,
        ApplicationState.APPROVED: 1,
    }
    assert report.waiting_review == 1
    assert report.unfinished == 1
    assert {s.stage: s.count for s in report.stages} == {"capture": 2, "confirm": 2, "review": 1}
    text = text_of(target)
    assert "BÁO CÁO TIẾP NHẬN HỒ SƠ TRONG NGÀY" in text
    assert "Lê Văn Officer" in text
    empty = service.daily_report(people["chief"], date(2026, 11, 26))
    assert empty.by_officer == ()
