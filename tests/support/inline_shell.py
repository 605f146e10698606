"""The officer's window over a composed kiosk with inline jobs and a PDF printer.

The flow tests, the crash test's child, the screenshot tool and the UI benchmark walk whole
enrolments by keys on it: each key's work is done when the key returns, and the submission
slip prints into a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtPrintSupport import QPrinter

from kiosk.app import Kiosk
from kiosk.services.counter import CounterService
from kiosk.ui.citizen.placement import Placement
from kiosk.ui.citizen.view_model import CitizenViewModel
from kiosk.ui.context import ShellContext
from kiosk.ui.jobs import JobRunner
from kiosk.ui.main_window import MainWindow
from kiosk.ui.self_test_checks import SelfTestCheck


def pdf_printer(target: Path) -> QPrinter:
    """A real Qt printer that writes ``target`` as PDF (test machines have no paper printer)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    return printer


def inline_window(
    kiosk: Kiosk,
    counter: Callable[[], CounterService] | None,
    printer: QPrinter,
    citizen_screen: QRect,
    checks: Sequence[SelfTestCheck] = (),
) -> MainWindow:
    """A window at the login screen, not shown yet.

    Args:
        counter: the enrolment screens' devices; None when the walk needs none (a resume).
        citizen_screen: where the citizen window goes (a second screen's geometry).
        checks: the self-test's checks.
    """
    context = ShellContext(
        kiosk.settings,
        kiosk.services,
        JobRunner(inline=True),
        CitizenViewModel(),
        counter=counter,
        printer=lambda: printer,
    )
    return MainWindow.composed(context, list(checks), Placement(citizen_screen))
