"""One application transition as one unit of work: load, change, save, audit, commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.domain.application import Application, Changed
from kiosk.domain.ids import ApplicationId
from kiosk.services.context import ServiceContext
from kiosk.store.uow import UnitOfWork

Change = Callable[[Application, datetime], Changed]
"""A domain transition bound to its actor and arguments; receives the application and now."""

Also = Callable[[UnitOfWork, datetime], None]
"""Further writes that belong to the same step (evidence), stored in the same transaction."""


def apply(
    context: ServiceContext,
    application_id: ApplicationId,
    change: Change,
    also: Also | None = None,
) -> Application:
    """Run ``change`` on the stored application and store the result with its audit entry.

    The domain refuses a transition the table does not allow; nothing is stored then, and
    neither is anything ``also`` would have written.
    """
    now = context.clock.now()
    with context.write() as uow:
        changed = change(uow.applications.get(application_id), now)
        uow.applications.save(changed.application)
        uow.audit.record(changed.fact)
        if also is not None:
            also(uow, now)
        uow.commit()
    return changed.application
