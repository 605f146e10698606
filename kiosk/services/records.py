"""Looking at applications: lists for queues and reports, and the audited view of one record.

Opening a citizen's record is itself audited (who looked, when, at which application), like a
transition: personal data is read only with a trace.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.application import Application, ApplicationState
from kiosk.domain.evidence import Evidence
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import Permission, User, require
from kiosk.services.context import ServiceContext
from kiosk.store.rows.biometric import PortraitKind


class RecordService:
    """Read access to applications."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def page(
        self,
        actor: User,
        states: Collection[ApplicationState] | None = None,
        before: datetime | None = None,
        limit: int = 50,
    ) -> list[Application]:
        """A page of applications, most recently changed first (keyset paging on ``before``)."""
        _require_reader(actor)
        with self._context.read() as uow:
            return uow.applications.page(states, before, limit)

    def show(self, actor: User, application_id: ApplicationId) -> Application:
        """One application with its personal data; the view is audited."""
        _require_reader(actor)
        now = self._context.clock.now()
        with self._context.write() as uow:
            application = uow.applications.get(application_id)
            uow.audit.record_event(now, str(actor.id), "view", str(application_id), {})
            uow.commit()
        return application

    def portraits(self, actor: User, application_id: ApplicationId) -> Portraits:
        """The live portrait beside the chip portrait, for review; audited like a view."""
        _require_reader(actor)
        now = self._context.clock.now()
        with self._context.write() as uow:
            found = uow.applications.portraits(application_id)
            uow.audit.record_event(now, str(actor.id), "view_portraits", str(application_id), {})
            uow.commit()
        return Portraits(_latest(found, PortraitKind.LIVE), _latest(found, PortraitKind.CHIP))

    def evidence(self, actor: User, application_id: ApplicationId) -> Evidence:
        """Everything kept as evidence for the application (chip read, scans, ...); audited."""
        _require_reader(actor)
        now = self._context.clock.now()
        with self._context.write() as uow:
            evidence = uow.evidence.get(application_id)
            uow.audit.record_event(now, str(actor.id), "view_evidence", str(application_id), {})
            uow.commit()
        return evidence


@dataclass(frozen=True, slots=True)
class Portraits:
    """The faces a decision was made on: the latest live capture and the chip's portrait."""

    live: bytes | None
    chip: bytes | None


def _latest(found: list[tuple[PortraitKind, bytes]], kind: PortraitKind) -> bytes | None:
    return next((image for k, image in reversed(found) if k is kind), None)


def _require_reader(actor: User) -> None:
    # Officers read what they capture, supervisors what they review; administrators, who run
    # the machine, do not read citizens' records.
    if not actor.can(Permission.REVIEW):
        require(actor, Permission.CAPTURE)
