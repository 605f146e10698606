"""The desktop app's entry point: the QApplication, fonts, style, the exception hook, start-up.

``run`` is what the command line calls for ``kiosk`` and ``kiosk --demo``, with the settings and
a function composing the kiosk (the UI never imports ``kiosk.app``, a higher layer). The login
screen comes up first; the composition runs meanwhile in a job, on a worker thread, and loads
what only the services need (SQLAlchemy, cryptography, requests, Argon2): about two thirds of a
start, which the officer spends typing their name and password (docs/benchmarks.md).
Fonts: DejaVu Sans, whose every face covers all Vietnamese letters (DejaVu Sans Mono does not).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from kiosk.config import Settings
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.messages import describe
from kiosk.ui.bridges import Bridge
from kiosk.ui.citizen.view_model import CitizenViewModel
from kiosk.ui.citizen.window import current_placement
from kiosk.ui.collector import gui_thread_collection
from kiosk.ui.context import ShellContext, ShellFrame, ShellServices, resolved
from kiosk.ui.errors import ErrorDialog, message_for
from kiosk.ui.jobs import Job, JobHandle, JobRunner
from kiosk.ui.main_window import MainWindow
from kiosk.ui.screens.home import SELF_TEST
from kiosk.ui.screens.self_test import SelfTestScreen
from kiosk.ui.self_test_checks import Equipment, standard_checks
from kiosk.ui.widgets.sign_in_form import STORE

if TYPE_CHECKING:
    from kiosk.services.counter import CounterService

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
    """Font, style and names of the application (tests and screenshots use it too).

    A second call changes nothing: replacing the style repolishes every widget, and a closed
    window still awaiting deletion does not survive that.
    """
    app.setApplicationName("kiosk")
    if app.styleSheet() == STYLE:
        return
    app.setStyle("Fusion")
    app.setFont(QFont(FONT_FAMILY, FONT_POINTS))
    app.setStyleSheet(STYLE)


@dataclass(frozen=True, slots=True)
class Composed:
    """The composed kiosk as the shell uses it; made by the composition root off the GUI thread.

    Attributes:
        services: the use cases the screens call.
        equipment: what the self-test probes (devices, server time, printer, disk); the
            default says "not configured" for the devices and "could not check" for the clock.
        counter: gives the enrolment screens' reader, camera and face engine (called in
            their jobs); None: their steps say the device is unavailable.
    """

    services: ShellServices
    equipment: Equipment = field(default_factory=Equipment)
    counter: Callable[[], CounterService] | None = None


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
    """Build and show the whole window at the login screen, for services composed already.

    The caller runs the event loop. ``equipment`` and ``counter`` are as in ``Composed``.
    """
    frame = ShellFrame(settings, JobRunner(), CitizenViewModel(), resolved(services))
    window = MainWindow(frame, current_placement())
    _complete(window, frame, Composed(services, equipment or Equipment(), counter))
    return _show(window, frame)


def open_shell(
    settings: Settings, compose: Callable[[], Composed], composed: Callable[[], object]
) -> Shell:
    """Show the window at the login screen at once, and compose the kiosk in a job meanwhile.

    ``compose`` runs on a worker thread (opening the store, unlocking the keys, loading the
    services' libraries: most of a start); the screens that need the services are added when
    it is done, then ``composed`` is called on the GUI thread. A sign-in submitted earlier
    waits for the services in its own job. If the composition fails, its error is shown, and
    every sign-in says the same.
    """
    frame = ShellFrame(settings, JobRunner(), CitizenViewModel(), Future())
    shell = _show(MainWindow(frame, current_placement()), frame)

    def done(result: Composed) -> None:
        _complete(shell.window, frame, result)
        frame.services.set_result(result.services)
        composed()

    def failed(handle: JobHandle) -> None:
        error = handle.error or DomainError(ErrorCode.INTERNAL)
        frame.services.set_exception(error)
        shell.errors.callback()(describe(error))

    handle = frame.runner.prepare(Job("compose", STORE, lambda _progress, _cancel: compose()))
    handle.succeeded.connect(done)
    handle.failed.connect(lambda _message: failed(handle))
    frame.runner.start(handle)
    return shell


def _complete(window: MainWindow, frame: ShellFrame, composed: Composed) -> None:
    """Add the screens that call the services, and report each self-test run."""
    context = ShellContext(
        frame.settings, composed.services, frame.runner, frame.citizen, counter=composed.counter
    )
    checks = standard_checks(composed.services.audit, frame.settings.data_dir, composed.equipment)
    window.complete(context, checks)
    self_test = window.screens[SELF_TEST]
    assert isinstance(self_test, SelfTestScreen)  # noqa: S101 - ``complete`` adds it
    self_test.run_finished.connect(composed.equipment.record_result)


def _show(window: MainWindow, frame: ShellFrame) -> Shell:
    app = QApplication.instance()
    assert isinstance(app, QApplication)  # noqa: S101 - callers create it first
    configure(app)
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    errors = Bridge()
    errors.delivered.connect(lambda message: ErrorDialog(message, window).exec())
    install_excepthook(errors)
    window.resize(1280, 800)
    window.show()
    return Shell(window, frame.runner, errors)


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


def run(settings: Settings, compose: Callable[[], Composed], composed: Callable[[], object]) -> int:
    """Open the desktop app and return its exit code when the officer closes it.

    The window comes up at the login screen while ``compose`` builds the kiosk on a worker
    thread (``open_shell``); ``composed`` is then called on the GUI thread: work the login
    screen need not wait for (background threads, the demo's server).
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # noqa: S101 - a GUI process
    with gui_thread_collection(app):
        shell = open_shell(settings, compose, composed)
        code = app.exec()
        shell.close()
    log.info("desktop app closed with %s", code)
    return code
