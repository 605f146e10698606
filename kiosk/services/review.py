"""The supervisor's decisions: approve (under four eyes), reject, return for correction.

Four eyes can be relaxed only by an administrator's setting, which is audited when changed and
marked on every application approved under it. Approval is the transactional outbox's write:
the application's new state, its audit entry and its packet (built, signed and encrypted by
``kiosk.sync.outbox``) are stored in one unit of work, so an approved application always has its
packet; the relay is woken once the unit has committed.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.domain.application import Application, ApplicationState, ReasonCode
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import Permission, User, require
from kiosk.services.context import ServiceContext
from kiosk.services.transitions import Also, apply
from kiosk.store.uow import UnitOfWork
from kiosk.sync.outbox import PacketOutbox

FOUR_EYES_RELAXED = "four_eyes_relaxed"


class ReviewService:
    """The review queue and the decisions on it."""

    def __init__(self, context: ServiceContext, outbox: PacketOutbox | None = None) -> None:
        """``outbox`` None: approvals make no packet (a store without sync, in tests only)."""
        self._context = context
        self._outbox = outbox

    def queue(self, supervisor: User, limit: int = 50) -> list[Application]:
        """Submitted applications waiting for a decision, most recent first."""
        require(supervisor, Permission.REVIEW)
        with self._context.read() as uow:
            return uow.applications.page([ApplicationState.SUBMITTED], limit=limit)

    def approve(self, supervisor: User, application_id: ApplicationId) -> Application:
        """Approve the application (four eyes unless relaxed by the admin setting)."""
        require(supervisor, Permission.APPROVE)
        relaxed = self.is_four_eyes_relaxed()
        outbox = self._outbox
        also: Also | None = None
        if outbox is not None:

            def also(uow: UnitOfWork, at: datetime) -> None:
                outbox.enqueue(uow, application_id, at)

        approved = apply(
            self._context,
            application_id,
            lambda app, at: app.approve(supervisor.id, at, four_eyes_relaxed=relaxed),
            also,
        )
        if outbox is not None:
            outbox.committed()
        return approved

    def reject(
        self,
        supervisor: User,
        application_id: ApplicationId,
        reason: ReasonCode,
        note: str | None = None,
    ) -> Application:
        """Refuse the application for good, with a reason code."""
        require(supervisor, Permission.APPROVE)
        return apply(
            self._context,
            application_id,
            lambda app, at: app.reject(supervisor.id, at, reason, note),
        )

    def return_for_correction(
        self, supervisor: User, application_id: ApplicationId, reason: ReasonCode, note: str
    ) -> Application:
        """Send it back to the officer, keeping what was captured, with what to correct."""
        require(supervisor, Permission.REVIEW)
        return apply(
            self._context,
            application_id,
            lambda app, at: app.return_for_correction(supervisor.id, at, reason, note),
        )

    def is_four_eyes_relaxed(self) -> bool:
        """Whether a one-person counter may approve its own applications (admin setting)."""
        with self._context.read() as uow:
            return uow.settings.get(FOUR_EYES_RELAXED) == "true"

    def set_four_eyes_relaxed(self, admin: User, relaxed: bool) -> None:
        """Change the four-eyes setting; audited."""
        require(admin, Permission.MANAGE_SETTINGS)
        now = self._context.clock.now()
        with self._context.write() as uow:
            uow.settings.put(FOUR_EYES_RELAXED, "true" if relaxed else "false", admin.id, now)
            uow.audit.record_event(
                now, str(admin.id), "setting_change", FOUR_EYES_RELAXED, {"value": relaxed}
            )
            uow.commit()
