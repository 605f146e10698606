"""The store's error tree: ``StoreError`` and one subclass per stable code it can raise.

Messages and params never hold personal data: a table name, a reason word or a count only.
"""

from __future__ import annotations

from kiosk.domain.errors import DomainError, ErrorCode


class StoreError(DomainError):
    """Root of every error raised by ``kiosk.store``; services map it to a user message."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be opened, or its connection settings could not be guaranteed."""

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(ErrorCode.DATABASE_UNAVAILABLE, detail, **params)


class KeyUnavailableError(StoreError):
    """A key is missing, unreadable, badly protected or wrong; nothing is decrypted without it."""

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(ErrorCode.KEY_UNAVAILABLE, detail, **params)


class DataIntegrityError(StoreError):
    """Stored data failed authentication or a consistency check (tampered, moved or corrupt)."""

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(ErrorCode.DATA_INTEGRITY, detail, **params)


class NotFoundError(StoreError):
    """The requested record does not exist (or was purged)."""

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(ErrorCode.NOT_FOUND, detail, **params)


class BackupFailedError(StoreError):
    """A backup could not be written, or a restore could not be verified and was not applied."""

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(ErrorCode.BACKUP_FAILED, detail, **params)
