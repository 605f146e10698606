"""A whole enrolment by keys: new application, QR scan, chip, face, contact, the citizen's
confirmation on their window, submission and slip; then the supervisor approves and prints."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.domain.application import ApplicationState, DeliveryState
from kiosk.domain.biometrics import FaceGate, face_gate
from kiosk.domain.chip import ChipVerdict
from kiosk.face.worker import FaceWorker
from kiosk.services.consent import consent_text_sha256
from kiosk.ui.screens.review.outbox import OutboxScreen
from tests.ui.flow.conftest import (
    OFFICER,
    PHONE,
    SUPERVISOR,
    Keyboard,
    Station,
    camera_showing,
    card,
    citizen_confirms,
    counter,
    first_citizen,
    open_window,
    qr_text,
    sign_in,
)


def test_a_whole_enrolment_then_approval_and_receipt(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    record = first_citizen()
    devices = counter(station, face_engine, card(station, record), camera_showing(station, record))
    window = open_window(qtbot, station, devices, tmp_path)
    keys = Keyboard(qtbot)
    sign_in(keys, station, OFFICER)
    assert window.current_name() == "home"

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
    keys.type(PHONE)
    keys.press(Qt.Key.Key_Return)
    assert window.current_name() == "enrol_confirm"
    citizen_confirms(qtbot, window, keys)
    assert window.current_name() == "enrol_done"
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF")
    assert keys.presses == 4 + len(PHONE)  # F3, Enter (chip), Enter (face), the phone, Enter

    officer = window.user
    assert officer is not None
    drafts = station.kiosk.services.records.page(officer, [ApplicationState.SUBMITTED], limit=1)
    submitted = drafts[0]
    assert submitted.citizen is not None
    assert submitted.citizen.id_number == record.citizen.id_number
    assert submitted.chip_verdict is ChipVerdict.GENUINE
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
