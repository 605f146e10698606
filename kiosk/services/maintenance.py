"""Administrator maintenance: backups, restore, master-key rotation and retention, each audited.

The operations themselves touch the engine and the key custody, which only the composition
root holds; it hands them in as a ``StoreOperations`` object.

Retention (design.md, data at rest): an approved application is crypto-shredded, its stored
packet and evidence included, once the retention period has passed since the central server
settled it (accepted, declined or activated; by default one day); a rejected or cancelled one
once the period has passed since that decision; a draft left untouched for ``draft_days``. An
approved application the server has not settled is never purged, whatever its age: it may be
the only copy. Each purge is audited, and the write-ahead log is checkpointed after a round so
the shredded pages do not linger there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from kiosk.domain.application import ApplicationState
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import Permission, User, require
from kiosk.services.context import ServiceContext
from kiosk.store.uow import UnitOfWork

BACKUP_INTERVAL = timedelta(hours=1)
"""How often a backup is taken while applications wait to be delivered."""

AWAITING_REVIEW = (ApplicationState.SUBMITTED,)
"""Applications that exist only on this kiosk until approved (their packets then take over)."""


class StoreOperations(Protocol):
    """Engine- and key-level operations, provided by the composition root."""

    def backup(self) -> Path:
        """Write an encrypted backup into the backup folder; return its path."""

    def restore(self, backup_file: Path) -> None:
        """Replace the database with the verified content of ``backup_file``."""

    def rotate_keys(self) -> None:
        """Replace the master key, re-wrapping every data key."""

    def last_backup_at(self) -> datetime | None:
        """When the newest backup in the backup folder was written, if there is one."""

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database (after a purge, so shredded data goes)."""


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long finished applications and idle drafts are kept (machine settings)."""

    after_settled: timedelta = timedelta(days=1)
    idle_draft: timedelta = timedelta(days=7)


PURGE_BATCH = 100
"""Applications purged per round at most (one short transaction each round)."""


class MaintenanceService:
    """Backup, restore and key rotation for administrators."""

    def __init__(
        self,
        context: ServiceContext,
        operations: StoreOperations,
        retention: RetentionPolicy | None = None,
    ) -> None:
        self._context = context
        self._operations = operations
        self._retention = retention or RetentionPolicy()

    def backup(self, admin: User | None) -> Path:
        """Take a backup now (``admin`` None: the scheduler, which acts as the system)."""
        if admin is not None:
            require(admin, Permission.MANAGE_SETTINGS)
        path = self._operations.backup()
        self._audit(admin, "backup", path.name)
        return path

    def restore(self, admin: User, backup_file: Path) -> None:
        """Restore a backup; the restore is audited in the restored database."""
        require(admin, Permission.MANAGE_SETTINGS)
        self._operations.restore(backup_file)
        self._audit(admin, "restore", backup_file.name)

    def rotate_keys(self, admin: User) -> None:
        """Rotate the master key."""
        require(admin, Permission.MANAGE_SETTINGS)
        self._operations.rotate_keys()
        self._audit(admin, "keys_rotate", "master")

    def backup_if_due(self) -> Path | None:
        """Take the scheduled backup when work is unsynced and the last one is an hour old.

        Unsynced work is an application waiting for review or a packet the server has not
        acknowledged (a failed one included: its application exists only here). Called by the
        composition root's backup thread; nothing unsynced means nothing at risk, so no backup
        is taken then.
        """
        with self._context.read() as uow:
            unsynced = bool(uow.applications.page(AWAITING_REVIEW, limit=1))
            backlog = uow.outbox.counts()
            unsynced = unsynced or backlog.undelivered + backlog.failed > 0
        if not unsynced:
            return None
        last = self._operations.last_backup_at()
        if last is not None and self._context.clock.now() - last < BACKUP_INTERVAL:
            return None
        return self.backup(None)

    def purge_due(self) -> int:
        """Crypto-shred the applications whose retention period is over; returns how many.

        Called by the composition root's retention thread (acting as the system).
        """
        now = self._context.clock.now()
        settled_cutoff = now - self._retention.after_settled
        with self._context.write() as uow:
            due = self._due(uow, settled_cutoff, now - self._retention.idle_draft)
            for application_id, reason in due:
                uow.applications.purge(application_id, now)
                uow.outbox.purge(application_id, now)
                details = {"reason": reason}
                uow.audit.record_event(now, "system", "purge", str(application_id), details)
            uow.commit()
        if due:
            self._operations.checkpoint()
        return len(due)

    @staticmethod
    def _due(
        uow: UnitOfWork, settled_before: datetime, idle_before: datetime
    ) -> list[tuple[ApplicationId, str]]:
        due = [(app_id, "settled") for app_id in uow.outbox.settled_before(settled_before)]
        seen = {app_id for app_id, _ in due}
        candidates = uow.applications.due_for_purge(settled_before, idle_before, PURGE_BATCH)
        for app_id in candidates:
            if app_id in seen:
                continue
            state = uow.applications.get(app_id).state
            # An approved application waits for the server's verdict, however old it is.
            if state is not ApplicationState.APPROVED:
                due.append((app_id, state.value))
        return due[:PURGE_BATCH]

    def _audit(self, admin: User | None, action: str, subject: str) -> None:
        now = self._context.clock.now()
        with self._context.write() as uow:
            actor = str(admin.id) if admin else "system"
            uow.audit.record_event(now, actor, action, subject, {})
            uow.commit()
