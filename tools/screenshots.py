"""Screenshots of every screen of the desktop app, in Vietnamese and English.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [OUT_DIR]
Runs the real app (``kiosk.ui.application.start``) in demo mode on a throw-away data folder,
with the demo's simulated card reader and file camera and scanner, signs in with the demo
accounts, walks the screens and saves ``<screen>.<language>.png`` into ``docs/screenshots/``
by default. The enrolment screens are photographed through one application on the demo's
simulated devices (its face worker process included), then the supervisor's review screens
with that application in the queue. The DEMO watermark is on every picture, as in the demo.
The self-test is shown with a printer, the server's time and the disk's encryption given by
the script (the machine that makes the pictures may have none of them). The pictures are
saved with 256 colours, which keeps each under about 30 KB, the photographs' screens (the
face step, the review) under about 75 KB.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

from kiosk import app
from kiosk.app import Kiosk, build
from kiosk.config import PathSettings, Settings
from kiosk.demo_accounts import ADMIN, OFFICER, SUPERVISOR, ensure_demo_accounts
from kiosk.devices.camera.files import FileCamera
from kiosk.devices.scanner.files import FileScanner
from kiosk.devices.sim import citizens
from kiosk.devices.sim.reader import simulated_reader
from kiosk.domain.citizen import Citizen
from kiosk.face.worker import FaceWorker
from kiosk.i18n import N_
from kiosk.services.devices_status import DeviceStatusService
from kiosk.ui.application import Shell, start
from kiosk.ui.citizen.pictures import Picture
from kiosk.ui.citizen.view_model import PREPARING, CitizenPage, CitizenViewModel
from kiosk.ui.citizen.window import CitizenWindow
from kiosk.ui.language import switch_language
from kiosk.ui.main_window import MainWindow
from kiosk.ui.screens.enrol.base import CONFIRM, CONTACT, DOCUMENTS, DONE
from kiosk.ui.screens.home import SELF_TEST
from kiosk.ui.screens.review.base import DETAIL, OUTBOX, QUEUE, REPORT
from kiosk.ui.self_test_checks import Equipment
from tests.support.inline_shell import inline_window, pdf_printer

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1100, 700)
FACES = ROOT / "resources" / "demo" / "faces"


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Let the event loop run until ``condition`` holds (jobs run on worker threads)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not reach the expected state")
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()


def sign_in(window: MainWindow, username: str, password: str, *, expect_user: bool) -> None:
    """Type into the sign-in form in front and wait for the answer."""
    form = window.current.form  # type: ignore[attr-defined]
    form.username.setText(username)
    form.password.setText(password)
    form.submit()
    wait_until(lambda: not form.busy)
    if expect_user:
        wait_until(lambda: window.user is not None and window.user.username == username)


def save(widget: QWidget, out: Path, name: str) -> None:
    """Save ``widget`` in both languages."""
    for language in ("vi", "en"):
        switch_language(language)
        QApplication.processEvents()
        path = out / f"{name}.{language}.png"
        image = (
            widget.grab()
            .toImage()
            .convertToFormat(QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither)
        )
        image.save(str(path), "PNG", 0)  # 0: the smallest file
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    switch_language("vi")


def walk(shell: Shell, passwords: dict[str, str], out: Path) -> None:
    """Every screen of the shell, in the order an officer meets them."""
    window = shell.window
    save(window, out, "login")
    sign_in(window, OFFICER, "wrong-password", expect_user=False)
    save(window, out, "login-refused")
    sign_in(window, OFFICER, passwords[OFFICER], expect_user=True)
    save(window, out, "home-officer")
    window.show_screen(SELF_TEST)
    wait_until(lambda: not window.screens[SELF_TEST].progress.is_busy())  # type: ignore[attr-defined]
    save(window, out, "self-test")
    window.lock()
    save(window, out, "lock")
    sign_in(window, SUPERVISOR, passwords[SUPERVISOR], expect_user=True)
    save(window, out, "home-supervisor")
    window.sign_out()
    sign_in(window, ADMIN, passwords[ADMIN], expect_user=True)
    save(window, out, "home-admin")


def enrolment_and_review(kiosk: Kiosk, passwords: dict[str, str], out: Path) -> None:
    """The enrolment screens through one application, then the supervisor's review screens.

    The demo's own devices, as the desktop demo composes them (``kiosk.app.counter_service``):
    the first demo citizen's card on the simulated reader, their face on the simulated camera
    performing the liveness cues, their specimen cards under the simulated document camera.
    Jobs run inline, so each key's work is done when it returns. The citizen types their
    phone number on their own window, as at the counter.
    """
    citizen = citizens.list_citizens()[0].citizen
    with FaceWorker() as engine, tempfile.TemporaryDirectory() as printed:
        devices = app.counter_service(kiosk, engine)
        window = inline_window(
            kiosk, lambda: devices, pdf_printer(Path(printed) / "slip.pdf"), QRect(1400, 0, *SIZE)
        )
        window.resize(*SIZE)
        window.show()
        window.activateWindow()
        wait_until(lambda: QApplication.focusWidget() is not None)
        sign_in(window, OFFICER, passwords[OFFICER], expect_user=True)
        try:
            _enrol(window, citizen, out)
            window.sign_out()
            sign_in(window, SUPERVISOR, passwords[SUPERVISOR], expect_user=True)
            _review(window, out)
        finally:
            window.citizen.close()
            window.close()


def _key(key: Qt.Key) -> None:
    widget = QApplication.focusWidget()
    if widget is None:
        raise RuntimeError("no widget has the focus")
    QTest.keyClick(widget, key)


def _enrol(window: MainWindow, citizen: Citizen, out: Path) -> None:
    _key(Qt.Key.Key_F3)  # new application
    save(window, out, "enrol-access")
    sex = "Nam" if citizen.sex.value == "M" else "N?"
    born = citizen.date_of_birth.strftime("%d%m%Y")
    issued = (citizen.date_of_issue or citizen.date_of_birth).strftime("%d%m%Y")
    focused = QApplication.focusWidget()
    assert focused is not None  # noqa: S101 - the access screen's field has it
    QTest.keyClicks(focused, f"{citizen.id_number}||?|{born}|{sex}|?|{issued}")
    _key(Qt.Key.Key_Return)  # the QR scanner's own Enter: the chip is read
    save(window, out, "enrol-chip")
    _key(Qt.Key.Key_Return)  # the chip verdict, acknowledged: the face step runs
    save(window, out, "enrol-face")
    _key(Qt.Key.Key_Return)  # liveness witnessed and the face decision, acknowledged
    wait_until(lambda: window.current_name() == CONTACT)
    save(window, out, "enrol-contact")
    save(window.citizen, out, "citizen-contact")
    window.show_screen(DOCUMENTS)
    save(window, out, "enrol-documents")
    window.show_screen(CONTACT)
    window.citizen.activateWindow()
    wait_until(lambda: QApplication.focusWidget() is window.citizen.contact.phone)
    QTest.keyClicks(window.citizen.contact.phone, "0912345678")
    _key(Qt.Key.Key_Return)
    wait_until(lambda: window.current_name() == CONFIRM)
    save(window, out, "enrol-confirm")
    save(window.citizen, out, "citizen-confirm")
    _key(Qt.Key.Key_Return)  # the citizen confirms: submitted
    wait_until(lambda: window.current_name() == DONE)
    save(window, out, "enrol-done")


def _review(window: MainWindow, out: Path) -> None:
    window.show_screen(QUEUE)
    save(window, out, "review-queue")
    _key(Qt.Key.Key_Return)  # open the first application
    wait_until(lambda: window.current_name() == DETAIL)
    save(window, out, "review-detail")
    window.show_screen(OUTBOX)
    save(window, out, "review-outbox")
    window.show_screen(REPORT)
    save(window, out, "review-report")


CITIZEN_PAGES = {
    "citizen-card": CitizenPage(
        N_("Mời đặt thẻ căn cước"),
        N_("Xin đặt thẻ căn cước gắn chip lên đầu đọc và giữ yên cho đến khi đọc xong."),
        picture=Picture.CARD,
    ),
    "citizen-camera": CitizenPage(
        N_("Mời nhìn vào camera"),
        N_("Xin nhìn thẳng vào camera, giữ yên và làm theo hướng dẫn trên màn hình của cán bộ."),
        picture=Picture.CAMERA,
    ),
    "citizen-blink": CitizenPage(
        N_("Mời chớp mắt"), N_("Xin chớp mắt một lần."), picture=Picture.BLINK
    ),
    "citizen-turn": CitizenPage(
        N_("Mời quay đầu"), N_("Xin quay đầu chậm sang trái, rồi sang phải."), picture=Picture.TURN
    ),
}
"""Pages as the enrolment screens show them (the blink and turn cues as the liveness check asks)."""


def citizen_screen(out: Path) -> None:
    """The citizen window as it looks full screen on a second monitor."""
    model = CitizenViewModel()
    window = CitizenWindow(model, demo=True)
    window.resize(*SIZE)
    window.show()
    save(window, out, "citizen-blank")
    model.show(PREPARING)
    save(window, out, "citizen-preparing")
    for name, page in CITIZEN_PAGES.items():
        model.show(page)
        save(window, out, name)
    window.close()


def main(out: Path) -> None:
    """Build a demo kiosk in a temporary folder and photograph it."""
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(demo=True, paths=PathSettings(data_dir=data))
        kiosk = build(settings)
        passwords = ensure_demo_accounts(kiosk)
        devices = DeviceStatusService(
            demo=True,
            card_reader=simulated_reader(None, Path(data) / "pki"),
            camera=FileCamera(FACES / "grace_hopper.jpg"),
            scanner=FileScanner(FACES / "astronaut.png"),
        )
        equipment = Equipment(
            devices=lambda: devices,
            clock_offset=lambda: timedelta(seconds=1),
            printer=lambda: "HP LaserJet (DEMO)",
            disk_encrypted=lambda folder: True,
        )
        shell = start(settings, kiosk.services, equipment)
        shell.window.resize(*SIZE)
        try:
            walk(shell, passwords, out)
            citizen_screen(out)
        finally:
            shell.close()
        enrolment_and_review(kiosk, passwords, out)
    app.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
