"""Looking at applications: lists for queues and reports, and the audited view of one record.

Opening a citizen's record is itself audited (who looked, when, at which application), like a
transition: personal data is read only with a trace.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from kiosk.domain.application import Application, ApplicationState
from kiosk.domain.evidence import Evidence
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import Permission, User, require
from kiosk.services.context import ServiceContext
from kiosk.store.rows.biometric import PortraitKind
from kiosk.store.uow import UnitOfWork

_T = TypeVar("_T")


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
        return self._audited(actor, application_id, "view", lambda uow: uow.applications.get)

    def portraits(self, actor: User, application_id: ApplicationId) -> Portraits:
        """The live portrait beside the chip portrait, for review; audited like a view."""
        found = self._audited(
            actor, application_id, "view_portraits", lambda uow: uow.applications.portraits
        )
        return Portraits(_latest(found, PortraitKind.LIVE), _latest(found, PortraitKind.CHIP))

    def evidence(self, actor: User, application_id: ApplicationId) -> Evidence:
        """Everything kept as evidence for the application (chip read, scans, ...); audited."""
        return self._audited(actor, application_id, "view_evidence", lambda uow: uow.evidence.get)

    def _audited(
        self,
        actor: User,
        application_id: ApplicationId,
        action: str,
        reader: Callable[[UnitOfWork], Callable[[ApplicationId], _T]],
    ) -> _T:
        # Personal data is read only with a trace: the read and its audit entry commit together.
        _require_reader(actor)
        now = self._context.clock.now()
        with self._context.write() as uow:
            found = reader(uow)(application_id)
            uow.audit.record_event(now, str(actor.id), action, str(application_id), {})
            uow.commit()
        return found


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
