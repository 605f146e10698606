"""The access screen's Qt-free rules: a scanner burst by its timing, the QR read by position,
and the step a stored draft resumes at."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from kiosk.domain.application import Application
from kiosk.domain.biometrics import FaceAttempts, FaceOutcome
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.ids import UserId, new_application_id
from kiosk.domain.validators import ValidationFailed
from kiosk.ui.models.access import (
    SCANNER_MIN_KEYS,
    KeyTiming,
    access_from_scan,
    access_from_typing,
)
from kiosk.ui.models.enrolment import Step, resume_step

ID = "001185012345"
QR = f"{ID}|123456789|Tr?n Th? Thu H?ng|15061985|N?|S? 1, Ph??ng ?|01072021"
"""A CCCD QR text as an ASCII-only scanner types it: every letter with a diacritic is "?"."""


def timing(gaps_ms: list[float]) -> KeyTiming:
    watch = KeyTiming()
    at = 0.0
    watch.key(at)
    for gap in gaps_ms:
        at += gap
        watch.key(at)
    return watch


def test_a_fast_burst_is_a_scanner_and_typing_is_not() -> None:
    assert timing([5.0] * SCANNER_MIN_KEYS).is_scanner()
    assert not timing([5.0] * 10 + [120.0] + [5.0] * 20).is_scanner()
    assert not timing([5.0] * 5).is_scanner()  # too short for a QR code
    assert not timing([90.0] * 30).is_scanner()


def test_the_qr_is_read_by_position_whatever_the_scanner_did_to_the_letters() -> None:
    fields = access_from_scan(QR)
    assert fields.id_number == ID
    assert fields.date_of_birth == date(1985, 6, 15)
    assert fields.date_of_issue == date(2021, 7, 1)
    assert fields.scanned
    given = fields.access_input()
    assert given.id_number == ID
    assert given.date_of_expiry == date(2025, 6, 15)  # issued at 36: runs to the 40th birthday


def test_the_six_field_form_and_unknown_layouts() -> None:
    six = access_from_scan(f"{ID}|Name|15061985|Nam|Address|01072021")
    assert six.date_of_birth == date(1985, 6, 15)
    other = access_from_scan(f"{ID}|a|b|c|d|e|f|g|h")
    assert other.id_number == ID
    assert other.date_of_birth is None
    assert other.access_input().date_of_birth is None  # PACE-CAN with the ID alone


@pytest.mark.parametrize(
    "text",
    [
        "Nguyễn Văn A|15061985",
        "12345|x|y|15061985|Nam|z|01072021",
        f"{ID}|x|y|31021985|Nam|z|01072021",
        f"{ID}|x|y|15061985|Nam|z|01071980",
    ],
)
def test_a_scan_that_breaks_the_layout_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed):
        access_from_scan(text)


def test_a_typed_id_needs_twelve_digits() -> None:
    assert access_from_typing("0011 8501 2345").id_number == ID
    with pytest.raises(ValidationFailed):
        access_from_typing("00118501234")


def test_a_card_for_life_opens_with_the_id_alone() -> None:
    fields = access_from_scan(f"{ID}||x|15061950|Nam|z|01072015")
    assert fields.access_input().date_of_birth is None


def test_a_draft_resumes_at_its_first_incomplete_step() -> None:
    at = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    draft = Application(new_application_id(), UserId(new_application_id()), at, at)
    assert resume_step(draft) is Step.ACCESS
    citizen = Citizen(ID, "Trần Thị Thu Hằng", date(1985, 6, 15), Sex.FEMALE)
    read = replace(draft, citizen=citizen, chip_verdict=ChipVerdict.GENUINE)
    assert resume_step(read) is Step.ACCESS  # the face step needs the card again
    passed = replace(read, face=FaceAttempts((FaceOutcome.PASSED,)))
    assert resume_step(passed) is Step.CONTACT
    assert resume_step(replace(passed, phone="0912345678")) is Step.CONFIRM
