"""What the officer's step screens share: the flow, the runner, the devices, the key layout.

Each step is a screen of the main window's stack (so the hint bar lists its keys and a lock
returns to it); they share one ``EnrolmentFlow``, the application being captured. A step starts
its device or store work as a background job, shows failures in its banner, and says where to
go next through ``open_screen``. Enter always acts on the focused button (the step's primary
action, which keeps the focus); function keys and Esc are window shortcuts shown in the bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.users import User
from kiosk.services.counter import CounterService
from kiosk.services.receipts import ReceiptService
from kiosk.services.session import SessionService
from kiosk.ui.citizen.view_model import CitizenViewModel
from kiosk.ui.errors import ErrorBanner
from kiosk.ui.jobs import Job, JobHandle, JobRunner, Work
from kiosk.ui.keys import KeyBinding
from kiosk.ui.models.enrolment import EnrolmentFlow, Step
from kiosk.ui.screens.base import Screen

ACCESS, CHIP, FACE, CONTACT, CONFIRM, DONE = (
    "enrol_access",
    "enrol_chip",
    "enrol_face",
    "enrol_contact",
    "enrol_confirm",
    "enrol_done",
)
DOCUMENTS = "enrol_documents"
HOME = "home"

SCREEN_OF_STEP = {
    Step.ACCESS: ACCESS,
    Step.CHIP: CHIP,
    Step.FACE: FACE,
    Step.CONTACT: CONTACT,
    Step.CONFIRM: CONFIRM,
    Step.DONE: DONE,
}

PrinterChoice = Callable[[], QPrinter]
"""Gives the printer the submission slip goes to (the system default in the app)."""


@dataclass(frozen=True, slots=True)
class EnrolContext:
    """Everything the step screens are built from (made once by the main window).

    Attributes:
        user: who is signed in now (None at the login and lock screens).
    """

    flow: EnrolmentFlow
    runner: JobRunner
    counter: Callable[[], CounterService] | None
    citizen: CitizenViewModel
    session: SessionService
    receipts: ReceiptService
    printer: PrinterChoice
    user: Callable[[], User | None]


class FlowScreen(Screen):
    """A step of the officer's flow (or a page of the supervisor's), with its error banner."""

    open_screen = Signal(str)

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.flow = context.flow
        self.banner = ErrorBanner(self)
        self._focus: QWidget | None = None

    def primary(self, label: str, slot: Callable[[], object]) -> QPushButton:
        """A button that Enter presses while it has the focus; its label is a source text."""
        button = QPushButton(self)
        button.setAutoDefault(True)
        self.texts.bind(button.setText, label)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def enter_hint(self, label: str) -> None:
        """Show Enter and what it does now in the hint bar (Enter is the focused button's)."""
        self.bindings.append(KeyBinding("Return", label))

    def focus(self, widget: QWidget) -> None:
        """Put the focus on ``widget`` now and whenever the screen comes back to the front."""
        self._focus = widget
        widget.setFocus()

    def entered(self) -> None:
        """Put the focus back where the step left it."""
        if self._focus is not None and self._focus.isVisible() and self._focus.isEnabled():
            self._focus.setFocus()
        else:
            super().entered()

    def run(
        self,
        name: str,
        resource: str,
        work: Work,
        done: Callable[[Any], object],
        failed: Callable[[DomainError], object] | None = None,
    ) -> JobHandle:
        """Run ``work`` as a job; ``done(result)`` on success, else the banner (or ``failed``)."""
        self.banner.clear()
        handle = self.context.runner.prepare(Job(name, resource, work))
        handle.succeeded.connect(done)
        handle.failed.connect(lambda _message: self._failed(handle, failed))
        self.context.runner.start(handle)
        return handle

    def _failed(self, handle: JobHandle, failed: Callable[[DomainError], object] | None) -> None:
        error = handle.error or DomainError(ErrorCode.INTERNAL)
        if failed is not None:
            failed(error)
        else:
            self.banner.show_error(error)

    def go(self, screen: str) -> None:
        """Move to ``screen``."""
        self.open_screen.emit(screen)

    def set_aside(self) -> None:
        """Leave the application as a stored draft (F6 resumes it) and go to the home screen."""
        self.flow.close()
        self.go(HOME)

    def officer(self) -> User | None:
        """Who is signed in."""
        return self.context.user()
