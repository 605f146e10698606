"""The desktop app as a child process for the crash test, driving itself by keys.

``capture DATA``: sign in, start an application, read the chip, pass the face step and scan
the GPLX, then
print ``ready`` and keep running until the parent kills it (SIGKILL: no clean-up of any kind).
``resume DATA``: a fresh start on the same data: sign in, F3, F6 (resume the draft), and print
what the resumed screen and the store hold as one JSON line.

Keys go only to ``QApplication.focusWidget()``; the child exits with status 3 if no widget has
the focus at any key.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kiosk import app
from kiosk.config import PathSettings, Settings
from kiosk.demo_accounts import OFFICER
from kiosk.devices.sim import citizens
from kiosk.domain.biometrics import face_gate
from kiosk.face.worker import FaceWorker
from kiosk.services.counter import CounterService
from kiosk.ui.application import configure
from kiosk.ui.main_window import MainWindow
from tests.support.inline_shell import inline_window, pdf_printer
from tests.ui.flow.performing_face import PerformingFace

NO_FOCUS = 3


def focused() -> QWidget:
    """The focused widget; the child fails at once when there is none."""
    widget = QApplication.focusWidget()
    if widget is None:
        print("no widget has the focus", flush=True)  # noqa: T201 - the parent reads it
        sys.exit(NO_FOCUS)
    return widget


def press(key: Qt.Key) -> None:
    """One key on the focused widget."""
    QTest.keyClick(focused(), key)
    focused()


def type_text(text: str, delay: int = -1) -> None:
    """Keys one by one on whatever has the focus."""
    for char in text:
        QTest.keyClick(focused(), char, Qt.KeyboardModifier.NoModifier, delay)


def main(phase: str, data: Path, password: str) -> None:
    """Run ``phase`` on the kiosk in ``data``."""
    qt = QApplication(sys.argv[:1])
    configure(qt)
    settings = Settings(demo=True, paths=PathSettings(data_dir=str(data)))
    kiosk = app.build(settings)
    record = citizens.list_citizens()[0]
    printer = pdf_printer(data / "printed.pdf")
    if phase == "capture":
        with FaceWorker() as engine:
            devices = CounterService(
                app.chip_reading(settings),
                app.simulated_card_reader(settings, record.citizen.id_number),
                PerformingFace(record),
                engine,
                settings.face.match_threshold,
                lambda observed: app.liveness(kiosk, observed),
                lambda kind: app.simulated_scanner(settings, record, kind),
            )
            window = open_window(qt, kiosk, lambda: devices, printer, password)
            capture(record.citizen.id_number)
            print("ready", window.current_name(), flush=True)  # noqa: T201
            qt.exec()
        return
    window = open_window(qt, kiosk, None, printer, password)  # no devices needed to resume
    press(Qt.Key.Key_F6)
    print(json.dumps(resumed(window, kiosk)), flush=True)  # noqa: T201


def open_window(
    qt: QApplication,
    kiosk: app.Kiosk,
    counter: Callable[[], CounterService] | None,
    printer: QPrinter,
    password: str,
) -> MainWindow:
    """The main window, signed in as the officer, at the new application's screen."""
    window = inline_window(kiosk, counter, printer, QRect(1400, 0, 1024, 768))
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    while QApplication.focusWidget() is None:
        qt.processEvents()
    type_text(OFFICER)
    press(Qt.Key.Key_Tab)
    type_text(password)
    press(Qt.Key.Key_Return)
    press(Qt.Key.Key_F3)
    return window


def capture(id_number: str) -> None:
    """Type the ID (like a person), read the chip, pass the face step, scan the GPLX."""
    type_text(id_number, delay=60)
    press(Qt.Key.Key_Return)
    press(Qt.Key.Key_Return)  # the chip verdict
    press(Qt.Key.Key_Return)  # the face decision
    press(Qt.Key.Key_F5)  # the citizen's GPLX
    press(Qt.Key.Key_Return)  # keep the scan


def resumed(window: MainWindow, kiosk: app.Kiosk) -> dict[str, object]:
    """What the resumed draft shows and what the store holds for it."""
    officer = window.user
    screen = window.current
    draft = screen.flow.draft  # type: ignore[attr-defined]
    records = kiosk.services.records
    portraits = records.portraits(officer, draft.id)  # type: ignore[arg-type]
    evidence = records.evidence(officer, draft.id)  # type: ignore[arg-type]
    application = draft.application
    return {
        "screen": window.current_name(),
        "summary": screen.summary.text(),  # type: ignore[attr-defined]
        "state": application.state.value,
        "id_number": application.citizen.id_number if application.citizen else None,
        "chip_verdict": application.chip_verdict.value if application.chip_verdict else None,
        "face_gate": face_gate(application.face).value,
        "live_portrait": portraits.live is not None,
        "chip_portrait": portraits.chip is not None,
        "chip_evidence_files": sorted(evidence.chip.files) if evidence.chip else [],
        "documents": sorted(evidence.documents),
        "consent": evidence.consent is not None,
    }


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
