"""Each verdict path of the policy on screen (design.md): a chip that is not genuine blocks the
application, an unverifiable one goes on flagged, three face failures need a supervisor, and a
card without an eMRTD chip gets the plain message on both screens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk import app
from kiosk.devices.ports import CardReader
from kiosk.devices.sim.lift import TagLoss
from kiosk.devices.sim.reader import SimulatedReader
from kiosk.domain.application import Application, ApplicationState, ReasonCode
from kiosk.domain.biometrics import FaceGate, face_gate
from kiosk.domain.chip import ChipVerdict
from kiosk.face.worker import FaceWorker
from kiosk.ui.main_window import MainWindow
from kiosk.ui.screens.enrol.access import AccessScreen
from kiosk.ui.screens.enrol.chip import NOT_EMRTD, PUT_BACK, READING, ChipScreen
from tests.ui.flow.conftest import (
    SUPERVISOR,
    Keyboard,
    Station,
    card,
    first_citizen,
    other_citizen,
    qr_text,
    signed_in,
)


def start(
    qtbot: QtBot,
    station: Station,
    engine: FaceWorker,
    folder: Path,
    *,
    fault: str | None = None,
    stranger: bool = False,
    reader: CardReader | None = None,
) -> tuple[MainWindow, Keyboard]:
    """Sign the officer in, F3, scan the card's QR code: the chip screen shows the verdict."""
    # The stranger case: another citizen's card before the camera that shows the first one
    # (whose photo the guidance accepts), so every attempt is a real mismatch.
    record = other_citizen() if stranger else first_citizen()
    reader = reader or card(station, record, fault)
    window, keys = signed_in(qtbot, station, engine, folder, reader, first_citizen())
    keys.press(Qt.Key.Key_F3)
    keys.scan(qr_text(record))
    if window.current_name() == "enrol_access":  # an earlier test left a draft of this card
        proceed_despite_duplicate(window, keys)
    assert window.current_name() == "enrol_chip"
    return window, keys


def proceed_despite_duplicate(window: MainWindow, keys: Keyboard) -> None:
    """The duplicate warning is shown once; Enter again opens a new application anyway."""
    screen = window.current
    assert isinstance(screen, AccessScreen)
    assert screen.duplicate.isVisible()
    assert "chưa hoàn tất" in screen.duplicate.text()
    keys.press(Qt.Key.Key_Return)


def chip_screen(window: MainWindow) -> ChipScreen:
    """The chip screen, which must be in front."""
    screen = window.current
    assert isinstance(screen, ChipScreen)
    return screen


def latest(station: Station, window: MainWindow) -> Application:
    """The most recently changed application."""
    assert window.user is not None
    return station.kiosk.services.records.page(window.user, limit=1)[0]


def test_a_chip_that_is_not_genuine_blocks_the_application(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    window, keys = start(qtbot, station, face_engine, tmp_path, fault="forged-sod")
    screen = chip_screen(window)
    assert "KHÔNG xác thực" in screen.verdict.text()
    keys.press(Qt.Key.Key_Return)  # acknowledged: recorded, and the flow stops here
    assert window.current_name() == "enrol_chip"
    assert screen.banner.message is not None
    assert "Không tiếp nhận hồ sơ" in screen.banner.message.todo
    recorded = latest(station, window)
    assert recorded.chip_verdict is ChipVerdict.NOT_GENUINE
    assert recorded.state is ApplicationState.DRAFT
    keys.press(Qt.Key.Key_Return)  # the focused button: cancel the application
    assert window.current_name() == "home"
    cancelled = latest(station, window)
    assert cancelled.state is ApplicationState.CANCELLED
    assert cancelled.reason_code is ReasonCode.CHIP_NOT_GENUINE


def test_a_card_without_an_emrtd_chip_gets_the_plain_message_on_both_screens(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    window, keys = start(qtbot, station, face_engine, tmp_path, fault="no-emrtd")
    screen = chip_screen(window)
    assert screen.step is None
    message = screen.banner.message  # the officer's screen
    assert message is not None
    assert screen.banner.isVisible()
    assert "không có chip căn cước điện tử" in message.what
    assert "Không thể định danh mức 2 bằng thẻ này tại quầy" in message.todo  # design.md
    citizen = window.citizen  # the citizen's window: the same, in plain words
    assert citizen.title.text() == NOT_EMRTD.title
    assert "không thể định danh điện tử mức 2 bằng thẻ này tại quầy" in citizen.instruction.text()
    shown: list[object] = []
    screen.context.citizen.page_changed.connect(shown.append)
    keys.press(Qt.Key.Key_Return)  # read again (the same card): the citizen is asked anew first
    assert shown == [READING, NOT_EMRTD]
    keys.press(Qt.Key.Key_F8)  # the citizen leaves: the application is cancelled
    assert window.current_name() == "home"
    cancelled = latest(station, window)
    assert cancelled.state is ApplicationState.CANCELLED
    assert cancelled.reason_code is ReasonCode.DOCUMENT_INVALID
    with station.kiosk.context.read() as uow:  # each attempt with the card is recorded
        refused = [
            entry.fields.details
            for entry in uow.audit.entries()
            if entry.fields.action == "card_refused" and entry.fields.subject == str(cancelled.id)
        ]
    assert refused == [{"reason": "card_not_emrtd"}] * 2
    assert citizen.is_blank()


def test_a_card_lifted_mid_read_is_asked_back_and_the_read_goes_on(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    profile = app.simulated_card(station.kiosk.settings, first_citizen().citizen.id_number)
    reader = SimulatedReader()
    reader.insert(profile)
    window, _keys = start(qtbot, station, face_engine, tmp_path, reader=reader)
    screen = chip_screen(window)
    assert screen.step is not None
    # Read again, the card lifted half-way through DG2 and put back 0.2 s later.
    shown: list[object] = []
    screen.context.citizen.page_changed.connect(shown.append)
    reader.insert(profile, loss=TagLoss("DG2", delay=0.2))
    screen.read()
    assert screen.step is not None
    assert screen.lifted.text() == ""
    assert PUT_BACK in shown
    assert shown[-1] is not PUT_BACK


def test_an_unverifiable_chip_goes_on_flagged(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    window, keys = start(qtbot, station, face_engine, tmp_path, fault="unknown-signer")
    screen = chip_screen(window)
    assert "chưa kiểm chứng" in screen.verdict.text()
    assert "chưa có chứng thư CSCA tin cậy" in screen.verdict.text()
    keys.press(Qt.Key.Key_Return)
    assert window.current_name() == "enrol_face"
    assert latest(station, window).chip_verdict is ChipVerdict.UNVERIFIABLE


def test_three_face_failures_need_a_supervisor_override(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    window, keys = start(qtbot, station, face_engine, tmp_path, stranger=True)
    keys.press(Qt.Key.Key_Return)  # the chip verdict
    for attempt in range(3):
        assert window.current_name() == "enrol_face"
        keys.press(Qt.Key.Key_Return)  # the mismatch, acknowledged
        if attempt < 2:
            keys.press(Qt.Key.Key_Return)  # capture again
    assert face_gate(latest(station, window).face) is FaceGate.NEEDS_OVERRIDE
    assert window.current_name() == "enrol_face"
    keys.type(SUPERVISOR, delay=-1)
    keys.press(Qt.Key.Key_Return)
    keys.type(station.passwords[SUPERVISOR], delay=-1)
    keys.press(Qt.Key.Key_Return)
    assert window.current_name() == "enrol_contact"
    overridden = latest(station, window)
    assert face_gate(overridden.face) is FaceGate.OVERRIDDEN
    assert overridden.face.override is not None
    assert overridden.face.override.reason == ReasonCode.IDENTITY_CONFIRMED_IN_PERSON.value


def test_an_open_application_of_the_same_citizen_is_warned_of(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    window, keys = start(qtbot, station, face_engine, tmp_path)
    keys.press(Qt.Key.Key_Return)  # the chip verdict
    keys.press(Qt.Key.Key_Return)  # the face decision
    assert window.current_name() == "enrol_contact"
    keys.press(Qt.Key.Key_Escape)  # home; the draft is kept
    assert window.current_name() == "home"
    keys.press(Qt.Key.Key_F3)
    keys.scan(qr_text(first_citizen()))
    assert window.current_name() == "enrol_access"
    proceed_despite_duplicate(window, keys)
    assert window.current_name() == "enrol_chip"
