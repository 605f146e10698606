"""What the shell needs from the composition root: the settings and the services it calls.

``ShellServices`` is a protocol so the UI never imports the composition root (``kiosk.app`` is
a higher layer); the app's ``Services`` satisfies it as it stands. The services are named for
the type checker only: importing them loads the whole stack (SQLAlchemy, cryptography,
requests), which the desktop app loads with the composition, after its login screen is up.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kiosk.config import Settings
from kiosk.ui.citizen.view_model import CitizenViewModel
from kiosk.ui.jobs import JobRunner

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

    from kiosk.services.audit_log import AuditLogService
    from kiosk.services.counter import CounterService
    from kiosk.services.enrolment import EnrolmentService
    from kiosk.services.receipts import ReceiptService
    from kiosk.services.records import RecordService
    from kiosk.services.review import ReviewService
    from kiosk.services.session import SessionService
    from kiosk.services.sync_control import SyncControlService


class ShellServices(Protocol):
    """The services the shell's screens call (each screen issue adds what it needs)."""

    @property
    def session(self) -> SessionService:
        """Sign-in and lock-out."""
        ...

    @property
    def audit(self) -> AuditLogService:
        """The audit chain, checked by the self-test."""
        ...

    @property
    def enrolment(self) -> EnrolmentService:
        """The officer's steps (the enrolment screens)."""
        ...

    @property
    def review(self) -> ReviewService:
        """The supervisor's decisions (the review screens)."""
        ...

    @property
    def records(self) -> RecordService:
        """Drafts to resume, the review's view of one application."""
        ...

    @property
    def sync(self) -> SyncControlService:
        """The outbox and its controls."""
        ...

    @property
    def receipts(self) -> ReceiptService:
        """The submission slip, the receipt, the daily report."""
        ...


@dataclass(frozen=True, slots=True)
class ShellFrame:
    """What the window needs before the kiosk is composed: enough for the login screen.

    Attributes:
        services: resolved (on the GUI thread) once the composition root has built the
            services; a sign-in job waits on it, so a password typed while the kiosk is still
            being composed is checked as soon as it is.
    """

    settings: Settings
    runner: JobRunner
    citizen: CitizenViewModel
    services: Future[ShellServices]

    def session(self) -> SessionService:
        """The session service; blocks until the services are composed (call it in a job)."""
        return self.services.result().session


def resolved(services: ShellServices) -> Future[ShellServices]:
    """``services`` as a ``ShellFrame`` holds them, for a kiosk composed before its window."""
    future: Future[ShellServices] = Future()
    future.set_result(services)
    return future


@dataclass(frozen=True, slots=True)
class ShellContext:
    """Everything the main window is built from; made once by ``application.start``.

    Attributes:
        counter: gives the card reader and face camera of the enrolment screens; called from
            their jobs, so the devices and the face worker are composed off the GUI thread on
            first use (None: a kiosk without them; its steps say the device is unavailable).
        printer: gives the printer slips and receipts go to (None: the system's default).
    """

    settings: Settings
    services: ShellServices
    runner: JobRunner
    citizen: CitizenViewModel
    counter: Callable[[], CounterService] | None = None
    printer: Callable[[], QPrinter] | None = None
