"""The desktop app's entry point: the QApplication, fonts, style, the exception hook, start-up.

``run`` is what the command line calls for ``kiosk`` and ``kiosk --demo``, with the settings and
the services the composition root built (the UI never imports ``kiosk.app``, a higher layer).
Fonts: DejaVu Sans, whose every face covers all Vietnamese letters (DejaVu Sans Mono does not).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from kiosk.config import Settings
from kiosk.services.counter import CounterService
from kiosk.ui.bridges import Bridge
from kiosk.ui.citizen.view_model import CitizenViewModel
from kiosk.ui.citizen.window import current_placement
from kiosk.ui.context import ShellContext, ShellServices
from kiosk.ui.errors import ErrorDialog, message_for
from kiosk.ui.jobs import JobRunner
from kiosk.ui.main_window import MainWindow
from kiosk.ui.screens.home import SELF_TEST
from kiosk.ui.screens.self_test import SelfTestScreen
from kiosk.ui.self_test_checks import Equipment, standard_checks

log = logging.getLogger(__name__)

GIL_SWITCH_SECONDS = 0.001
"""How long a worker thread may hold the GIL while the GUI thread waits for it.

Python's default is 5 ms; with a chip read and the camera job busy in Python, the GUI thread
may wait several such turns for each event it handles in Python. 1 ms cut the worst stall of
the UI benchmark's loaded run from about 51 ms to 31-48 ms and its 99th percentile from 40-46
to 27-30 ms (docs/benchmarks.md), for slightly more switching in the workers.
"""

FONT_FAMILY = "DejaVu Sans"
FONT_POINTS = 12
STYLE = """
QLabel#heading { font-size: 22pt; font-weight: bold; padding-top: 10px; padding-bottom: 4px; }
QLabel#subheading { font-size: 14pt; padding-top: 4px; }
QLabel#citizenTitle { font-size: 34pt; font-weight: bold; padding-top: 16px; }
QLabel#citizenText { font-size: 24pt; padding-top: 10px; }
QLabel#errorTitle { font-weight: bold; padding-top: 4px; }
QFrame#errorBanner { background: #fdecea; border: 1px solid #c62828; }
QLabel#keyCap { border: 1px solid #777; border-radius: 3px; padding: 2px 6px; background: #eee; }
QLabel[state="passed"] { color: #1b5e20; font-weight: bold; }
QLabel[state="failed"] { color: #c62828; font-weight: bold; }
QLabel[state="not_configured"], QLabel[state="unknown"], QLabel[state="cancelled"] {
    color: #666;
}
QPushButton { padding: 6px 14px; }
QPushButton#homeAction { font-size: 14pt; padding: 14px 20px; }
QWidget#citizenWindow { background: #f4f8fb; }
"""


def configure(app: QApplication) -> None:
    """Font, style and names of the application (tests and screenshots use it too)."""
    app.setApplicationName("kiosk")
    app.setStyle("Fusion")
    app.setFont(QFont(FONT_FAMILY, FONT_POINTS))
    app.setStyleSheet(STYLE)


@dataclass(slots=True)
class Shell:
    """The running desktop app: its window, its job runner and the error channel."""

    window: MainWindow
    runner: JobRunner
    errors: Bridge

    def close(self) -> None:
        """Stop the jobs (they check their cancel event) and wait for them, then close."""
        self.runner.cancel_all()
        self.runner.wait_for_done(5_000)
        self.window.citizen.close()
        self.window.close()


def start(
    settings: Settings,
    services: ShellServices,
    equipment: Equipment | None = None,
    counter: Callable[[], CounterService] | None = None,
) -> Shell:
    """Build and show the window at the login screen; the caller runs the event loop.

    Args:
        settings: the machine settings (demo mode, idle lock, station).
        services: the use cases the screens call.
        equipment: what the self-test probes (devices, server time, printer, disk); without
            it the device rows say "not configured" and the clock row "could not check".
        counter: gives the enrolment screens' reader, camera and face engine (called in
            their jobs); without it their steps say the device is unavailable.
    """
    app = QApplication.instance()
    assert isinstance(app, QApplication)  # noqa: S101 - callers create it first
    configure(app)
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    runner = JobRunner()
    context = ShellContext(settings, services, runner, CitizenViewModel(), counter=counter)
    equipment = equipment or Equipment()
    checks = standard_checks(services.audit, settings.data_dir, equipment)
    window = MainWindow(context, checks, current_placement())
    self_test = window.screens[SELF_TEST]
    assert isinstance(self_test, SelfTestScreen)  # noqa: S101 - the window builds it
    self_test.run_finished.connect(equipment.record_result)
    errors = Bridge()
    errors.delivered.connect(lambda message: ErrorDialog(message, window).exec())
    install_excepthook(errors)
    window.resize(1280, 800)
    window.show()
    return Shell(window, runner, errors)


def install_excepthook(errors: Bridge) -> None:
    """Show any uncaught error (GUI or worker thread) as a dialog with its incident id."""
    deliver = errors.callback()

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        message = message_for(error.with_traceback(tb))
        if message is not None:
            deliver(message)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def run(
    settings: Settings,
    services: ShellServices,
    equipment: Equipment | None = None,
    started: Callable[[], object] | None = None,
    counter: Callable[[], CounterService] | None = None,
) -> int:
    """Open the desktop app and return its exit code when the officer closes it.

    ``started`` is called on the GUI thread once the event loop runs with the window shown:
    work the login screen need not wait for (background threads, the demo's server).
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # noqa: S101 - a GUI process
    shell = start(settings, services, equipment, counter)
    if started is not None:
        QTimer.singleShot(0, started)
    code = app.exec()
    shell.close()
    log.info("desktop app closed with %s", code)
    return code
