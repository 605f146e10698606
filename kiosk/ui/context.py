"""What the shell needs from the composition root: the settings and the services it calls.

``ShellServices`` is a protocol so the UI never imports the composition root (``kiosk.app`` is
a higher layer); the app's ``Services`` satisfies it as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.config import Settings
from kiosk.services.audit_log import AuditLogService
from kiosk.services.session import SessionService
from kiosk.ui.citizen.view_model import CitizenViewModel
from kiosk.ui.jobs import JobRunner


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


@dataclass(frozen=True, slots=True)
class ShellContext:
    """Everything the main window is built from; made once by ``application.start``."""

    settings: Settings
    services: ShellServices
    runner: JobRunner
    citizen: CitizenViewModel
