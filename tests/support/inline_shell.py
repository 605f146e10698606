"""The officer's window over a composed kiosk with inline jobs and a PDF printer.

The screenshot tool and the UI benchmark walk whole enrolments by keys on it: each key's work is
done when the key returns, and the submission slip prints into a file.
"""

from __future__ import annotations

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


def inline_window(
    kiosk: Kiosk, devices: CounterService, printed: Path, citizen_screen: QRect
) -> MainWindow:
    """A window at the login screen; slips print to ``printed``/slip.pdf.

    Args:
        citizen_screen: where the citizen window goes (a second screen's geometry).
    """
    printer = QPrinter()
    printer.setOutputFileName(str(printed / "slip.pdf"))
    context = ShellContext(
        kiosk.settings,
        kiosk.services,
        JobRunner(inline=True),
        CitizenViewModel(),
        counter=lambda: devices,
        printer=lambda: printer,
    )
    return MainWindow.composed(context, [], Placement(citizen_screen))
