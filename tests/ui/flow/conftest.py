"""The enrolment flow on screen over real services and simulated devices, driven by keys only.

``Keyboard`` is the only way a flow test acts: each key goes to ``QApplication.focusWidget()``,
and a test fails the moment no widget has the focus. The citizen window is a separate window
(a second screen) with its own keyboard; the citizen "touching" it is the one place a test
activates a window. Each key is counted for whoever's window has the focus: the officer's or
the citizen's.

One face worker process serves the whole session (it takes seconds to load its models); the
kiosk (database, demo accounts) is built once per module. Jobs run inline, so each key's work is
done when the key returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk import app
from kiosk.app import Kiosk, build
from kiosk.config import PathSettings, Settings
from kiosk.demo_accounts import OFFICER, SUPERVISOR, ensure_demo_accounts
from kiosk.devices.ports import Camera, CardReader
from kiosk.devices.sim import citizens
from kiosk.devices.sim.citizens import CitizenRecord
from kiosk.face.worker import FaceWorker
from kiosk.services.counter import CounterService
from kiosk.ui.citizen.window import CitizenWindow
from kiosk.ui.main_window import LOGIN, MainWindow
from tests.support.inline_shell import inline_window, pdf_printer
from tests.ui.conftest import Station as ShellStation
from tests.ui.conftest import real_checks, simulated_devices
from tests.ui.flow.performing_face import PerformingFace

CITIZEN_SCREEN = QRect(1400, 0, 1024, 768)
"""The citizen window's own screen (a second monitor)."""

PHONE = "0912345678"


@pytest.fixture(scope="session")
def face_engine() -> Iterator[FaceWorker]:
    """The face worker process, shared by every flow test."""
    with FaceWorker() as worker:
        yield worker


@dataclass
class Station:
    """A demo kiosk, its accounts' passwords and its folder."""

    kiosk: Kiosk
    passwords: dict[str, str]
    folder: Path


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Station:
    folder = tmp_path_factory.mktemp("flow")
    settings = Settings(demo=True, paths=PathSettings(data_dir=str(folder)))
    kiosk = build(settings)
    return Station(kiosk, ensure_demo_accounts(kiosk), folder)


def card(station: Station, record: CitizenRecord, fault: str | None = None) -> CardReader:
    """A simulated reader holding ``record``'s card (with a chip fault, if named)."""
    settings = station.kiosk.settings
    return app.simulated_card_reader(settings, record.citizen.id_number, fault)


def camera_showing(station: Station, record: CitizenRecord) -> Camera:
    """The demo face of ``record`` (the card holder, or someone else), performing on cue."""
    del station  # every test's camera is the same kind; kept for the call sites' symmetry
    return PerformingFace(record)


def counter(
    station: Station, engine: FaceWorker, reader: CardReader, camera: Camera
) -> CounterService:
    """The counter's devices for one test; the document camera holds the first citizen's
    specimen GPLX or BHYT, whichever is asked for."""
    settings = station.kiosk.settings
    record = first_citizen()
    return CounterService(
        app.chip_reading(settings),
        reader,
        camera,
        engine,
        settings.face.match_threshold,
        lambda observed: app.liveness(station.kiosk, observed),
        lambda kind: app.simulated_scanner(settings, record, kind),
    )


def open_window(
    qtbot: QtBot, station: Station, devices: CounterService, folder: Path
) -> MainWindow:
    """The main window at the login screen, the citizen window on its own screen."""
    kiosk = station.kiosk
    shell_station = ShellStation(kiosk, station.passwords, simulated_devices(folder))
    window = inline_window(
        kiosk,
        lambda: devices,
        pdf_printer(folder / "printed.pdf"),
        CITIZEN_SCREEN,
        real_checks(shell_station),
    )
    qtbot.addWidget(window)
    qtbot.addWidget(window.citizen)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert window.current_name() == LOGIN
    return window


class Keyboard:
    """Presses keys on whatever has the focus, and fails when nothing has it.

    ``officer`` and ``citizen`` count the counted keys by the window that had the focus.
    """

    def __init__(self, qtbot: QtBot) -> None:
        self._qtbot = qtbot
        self.officer = 0
        self.citizen = 0

    def focused(self) -> QWidget:
        """The widget with the focus (fails the test when there is none)."""
        widget = QApplication.focusWidget()
        assert widget is not None, "no widget has the focus"
        return widget

    def press(self, key: Qt.Key, *, counted: bool = True) -> None:
        """One key on the focused widget."""
        self._count(counted)
        self._qtbot.keyClick(self.focused(), key)
        self.focused()

    def type(self, text: str, *, delay: int = 40, counted: bool = True) -> None:
        """Type ``text`` like a person (keys ``delay`` ms apart), each on the focused widget."""
        for char in text:
            self._count(counted)
            self._qtbot.keyClick(self.focused(), char, delay=delay)
        self.focused()

    def _count(self, counted: bool) -> None:
        if not counted:
            return
        if isinstance(self.focused().window(), CitizenWindow):
            self.citizen += 1
        else:
            self.officer += 1

    def scan(self, text: str) -> None:
        """A USB QR scanner in keyboard mode: a burst of keys, then Enter (none counted).

        Like most scanners in their default (ASCII) keyboard mode, it types "?" for each letter
        with a diacritic.
        """
        ascii_text = "".join(char if char.isascii() else "?" for char in text)
        self._qtbot.keyClicks(self.focused(), ascii_text)
        self.press(Qt.Key.Key_Return, counted=False)


def sign_in(keys: Keyboard, station: Station, username: str) -> None:
    """Type the user name, Enter, the password, Enter (the login form's own keys)."""
    keys.type(username, delay=-1, counted=False)
    keys.press(Qt.Key.Key_Tab, counted=False)
    keys.type(station.passwords[username], delay=-1, counted=False)
    keys.press(Qt.Key.Key_Return, counted=False)


def signed_in(
    qtbot: QtBot,
    station: Station,
    engine: FaceWorker,
    folder: Path,
    reader: CardReader,
    face: CitizenRecord,
) -> tuple[MainWindow, Keyboard]:
    """The window over ``reader`` and ``face``'s camera, the officer signed in at home."""
    devices = counter(station, engine, reader, camera_showing(station, face))
    window = open_window(qtbot, station, devices, folder)
    keys = Keyboard(qtbot)
    sign_in(keys, station, OFFICER)
    assert window.current_name() == "home"
    return window, keys


def at_contact(
    qtbot: QtBot, station: Station, engine: FaceWorker, folder: Path, record: CitizenRecord
) -> tuple[MainWindow, Keyboard]:
    """``record``'s application up to the contact step: F3, the QR scan, Enter on the chip
    verdict and on the face decision (``record``'s own card and face)."""
    window, keys = signed_in(qtbot, station, engine, folder, card(station, record), record)
    keys.press(Qt.Key.Key_F3)
    keys.scan(qr_text(record))
    keys.press(Qt.Key.Key_Return)  # the chip verdict
    keys.press(Qt.Key.Key_Return)  # the face decision
    assert window.current_name() == "enrol_contact"
    return window, keys


def to_citizen(qtbot: QtBot, window: MainWindow, keys: Keyboard) -> None:
    """The citizen touches their own window: its focused widget takes the keys from now on."""
    window.citizen.activateWindow()
    qtbot.waitUntil(lambda: keys.focused().window() is window.citizen)


def to_officer(qtbot: QtBot, window: MainWindow, keys: Keyboard) -> None:
    """The officer touches their own window again."""
    window.activateWindow()
    qtbot.waitUntil(lambda: keys.focused().window() is window)


def citizen_types_phone(qtbot: QtBot, window: MainWindow, keys: Keyboard, phone: str) -> None:
    """On their own window the citizen types their number in the focused field, then Enter."""
    to_citizen(qtbot, window, keys)
    assert keys.focused() is window.citizen.contact.phone
    keys.type(phone)
    keys.press(Qt.Key.Key_Return)


def citizen_confirms(qtbot: QtBot, window: MainWindow, keys: Keyboard) -> None:
    """On their own window, whose confirm button has its focus, the citizen confirms."""
    to_citizen(qtbot, window, keys)
    assert isinstance(keys.focused(), QPushButton)
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: keys.focused().window() is window)


def first_citizen() -> CitizenRecord:
    """The default demo card holder."""
    return citizens.list_citizens()[0]


def other_citizen() -> CitizenRecord:
    """Another demo card holder (a different face)."""
    return citizens.list_citizens()[1]


def qr_text(record: CitizenRecord) -> str:
    """The CCCD 2021 QR text printed on ``record``'s card."""
    citizen = record.citizen
    born = citizen.date_of_birth.strftime("%d%m%Y")
    issued = (citizen.date_of_issue or citizen.date_of_birth).strftime("%d%m%Y")
    sex = "Nam" if citizen.sex.value == "M" else "Nữ"
    return (
        f"{citizen.id_number}|{citizen.old_id_number or ''}|{citizen.full_name}|{born}|{sex}|"
        f"{citizen.place_of_residence or ''}|{issued}"
    )


__all__ = ["OFFICER", "PHONE", "SUPERVISOR"]
