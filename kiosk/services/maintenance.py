"""Administrator maintenance: backups, restore and master-key rotation, each audited.

The operations themselves touch the engine and the key custody, which only the composition
root holds; it hands them in as a ``StoreOperations`` object.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from kiosk.domain.application import ApplicationState
from kiosk.domain.users import Permission, User, require
from kiosk.services.context import ServiceContext

BACKUP_INTERVAL = timedelta(hours=1)
"""How often a backup is taken while applications wait to be delivered."""

WAITING = (ApplicationState.SUBMITTED, ApplicationState.APPROVED)
"""Applications not yet safe at the central server (until the outbox says so)."""


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


class MaintenanceService:
    """Backup, restore and key rotation for administrators."""

    def __init__(self, context: ServiceContext, operations: StoreOperations) -> None:
        self._context = context
        self._operations = operations

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
        """Take the scheduled backup when applications wait and the last one is an hour old.

        Called by the composition root's backup thread; nothing waiting means nothing at risk,
        so no backup is taken then.
        """
        with self._context.read() as uow:
            waiting = uow.applications.page(WAITING, limit=1)
        if not waiting:
            return None
        last = self._operations.last_backup_at()
        if last is not None and self._context.clock.now() - last < BACKUP_INTERVAL:
            return None
        return self.backup(None)

    def _audit(self, admin: User | None, action: str, subject: str) -> None:
        now = self._context.clock.now()
        with self._context.write() as uow:
            actor = str(admin.id) if admin else "system"
            uow.audit.record_event(now, actor, action, subject, {})
            uow.commit()
