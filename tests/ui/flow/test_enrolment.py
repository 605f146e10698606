"""A whole enrolment by keys: new application, QR scan, chip, face, the citizen's phone number
and confirmation typed on their own window, submission and slip; then the supervisor approves
and prints. And the officer's help: a number the service refuses, corrected on their screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.domain.application import ApplicationState, DeliveryState
from kiosk.domain.biometrics import FaceGate, face_gate
from kiosk.domain.chip import ChipVerdict
from kiosk.face.worker import FaceWorker
from kiosk.services.consent import consent_text_sha256
from kiosk.ui.screens.enrol.contact import ContactScreen
from kiosk.ui.screens.review.outbox import OutboxScreen
from tests.ui.flow.conftest import (
    PHONE,
    SUPERVISOR,
    Station,
    at_contact,
    card,
    citizen_confirms,
    citizen_types_phone,
    first_citizen,
    other_citizen,
    qr_text,
    sign_in,
    signed_in,
    to_officer,
)


def test_a_whole_enrolment_then_approval_and_receipt(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    record = first_citizen()
    window, keys = signed_in(qtbot, station, face_engine, tmp_path, card(station, record), record)
    keys.press(Qt.Key.Key_F3)
    assert window.current_name() == "enrol_access"
    keys.scan(qr_text(record))
    assert window.current_name() == "enrol_chip"
    keys.press(Qt.Key.Key_Return)  # the verdict, acknowledged
    assert window.current_name() == "enrol_face"
    keys.press(Qt.Key.Key_Return)  # the face decision, acknowledged
    assert window.current_name() == "enrol_contact"
    keys.press(Qt.Key.Key_F5, counted=False)  # the optional GPLX
    assert window.current_name() == "enrol_documents"
    keys.press(Qt.Key.Key_Return, counted=False)  # keep the scan
    assert window.current_name() == "enrol_contact"
    contact = window.current
    assert isinstance(contact, ContactScreen)
    shown: list[str] = []
    contact.phone.textChanged.connect(shown.append)
    citizen_types_phone(qtbot, window, keys, PHONE)  # on the citizen's window, then Enter
    assert shown[: len(PHONE)] == [PHONE[:n] for n in range(1, len(PHONE) + 1)]  # seen live
    assert window.current_name() == "enrol_confirm"
    assert keys.focused().window() is window.citizen  # their confirm button, on their window
    citizen_confirms(qtbot, window, keys)
    assert window.current_name() == "enrol_done"
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF")
    assert keys.officer == 3  # F3, Enter (the chip verdict), Enter (liveness and face decision)
    assert keys.citizen == len(PHONE) + 2  # the number, Enter, Enter (confirmation)

    officer = window.user
    assert officer is not None
    drafts = station.kiosk.services.records.page(officer, [ApplicationState.SUBMITTED], limit=1)
    submitted = drafts[0]
    assert submitted.citizen is not None
    assert submitted.citizen.id_number == record.citizen.id_number
    assert submitted.chip_verdict is ChipVerdict.GENUINE
    assert submitted.phone == PHONE
    assert face_gate(submitted.face) is FaceGate.PASSED
    evidence = station.kiosk.services.records.evidence(officer, submitted.id)
    assert evidence.chip is not None
    assert evidence.consent is not None
    assert set(evidence.documents) == {"gplx"}
    assert evidence.consent.text_version_sha256 == consent_text_sha256()
    assert evidence.consent.officer_id == officer.id
    assert {"access", "chip", "face", "contact", "confirm"} <= set(evidence.timings_ms)

    keys.press(Qt.Key.Key_Escape, counted=False)
    qtbot.keyClick(keys.focused(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    sign_in(keys, station, SUPERVISOR)
    keys.press(Qt.Key.Key_F4)
    assert window.current_name() == "review_queue"
    keys.press(Qt.Key.Key_Return)
    assert window.current_name() == "review_detail"
    keys.press(Qt.Key.Key_F9)
    supervisor = window.user
    assert supervisor is not None
    approved = station.kiosk.services.records.show(supervisor, submitted.id)
    assert approved.state is ApplicationState.APPROVED
    (tmp_path / "printed.pdf").unlink()
    keys.press(Qt.Key.Key_F12)
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF")

    keys.press(Qt.Key.Key_Escape)  # the queue
    keys.press(Qt.Key.Key_Escape)  # home
    keys.press(Qt.Key.Key_F7)
    assert window.current_name() == "outbox"
    outbox = window.current
    assert isinstance(outbox, OutboxScreen)
    line = next(line for line in outbox.lines if line.application_id == submitted.id)
    assert line.state is DeliveryState.PENDING
    keys.press(Qt.Key.Key_F5)  # retry now
    assert "gửi ngay" in outbox.status.text()


def test_the_officer_corrects_a_number_the_citizen_typed_wrong(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    record = other_citizen()
    window, keys = at_contact(qtbot, station, face_engine, tmp_path, record)
    contact = window.current
    assert isinstance(contact, ContactScreen)

    citizen_types_phone(qtbot, window, keys, PHONE[:5])  # too short: the service refuses it
    assert window.current_name() == "enrol_contact"
    assert contact.banner.message is not None  # the officer's screen says why
    assert "Số điện thoại chưa đúng" in window.citizen.instruction.text()  # and the citizen's
    assert keys.focused() is window.citizen.contact.phone  # still typing there

    to_officer(qtbot, window, keys)  # the citizen asks for help
    assert keys.focused() is contact.phone
    assert contact.phone.text() == PHONE[:5]
    keys.press(Qt.Key.Key_End)
    keys.type(PHONE[5:])
    assert window.citizen.contact.phone.text() == PHONE  # the citizen sees the correction
    keys.press(Qt.Key.Key_Return)
    assert window.current_name() == "enrol_confirm"
    citizen_confirms(qtbot, window, keys)
    assert window.current_name() == "enrol_done"
    officer = window.user
    assert officer is not None
    latest = station.kiosk.services.records.page(officer, [ApplicationState.SUBMITTED], limit=1)
    assert latest[0].phone == PHONE
    assert window.citizen.contact.phone.text() == ""  # nothing left for the next citizen
