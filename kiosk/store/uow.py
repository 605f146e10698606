"""``UnitOfWork``: one session per use case, rolled back unless the use case commits.

Services open one per call (Cosmic Python): ``with UnitOfWork(sessions, ring) as uow: ...;
uow.commit()``. Leaving the block without ``commit()`` (an exception, an early return) rolls
everything back, so a transition and its audit entry are stored together or not at all. A write
unit begins with ``BEGIN IMMEDIATE``; ``read_only=True`` begins a deferred read that never waits
for the writer. A lost database connection surfaces as ``DatabaseUnavailableError``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.store.engine import READ_ONLY
from kiosk.store.errors import DatabaseUnavailableError
from kiosk.store.keys import KeyRing
from kiosk.store.repositories.applications import ApplicationRepository
from kiosk.store.repositories.audit import AuditRepository
from kiosk.store.repositories.evidence import EvidenceRepository
from kiosk.store.repositories.outbox import OutboxRepository
from kiosk.store.repositories.settings import SettingsRepository
from kiosk.store.repositories.sync_state import SyncStateRepository
from kiosk.store.repositories.users import UserRepository


class UnitOfWork:
    """The repositories of one transaction; use it once, as a context manager."""

    applications: ApplicationRepository
    audit: AuditRepository
    evidence: EvidenceRepository
    outbox: OutboxRepository
    sync_state: SyncStateRepository
    users: UserRepository
    settings: SettingsRepository

    def __init__(
        self, sessions: sessionmaker[Session], ring: KeyRing, *, read_only: bool = False
    ) -> None:
        self._sessions = sessions
        self._ring = ring
        self._read_only = read_only
        self._session: Session | None = None

    def __enter__(self) -> Self:
        session = self._sessions()
        try:
            session.connection(execution_options={READ_ONLY: self._read_only})
        except OperationalError as err:
            session.close()
            raise DatabaseUnavailableError("cannot begin", reason="operational") from err
        self._session = session
        self.applications = ApplicationRepository(session, self._ring)
        self.audit = AuditRepository(session, self._ring.audit_mac_key)
        self.evidence = EvidenceRepository(session, self.applications.data_key)
        self.outbox = OutboxRepository(session, self.applications.data_key)
        self.sync_state = SyncStateRepository(session)
        self.users = UserRepository(session)
        self.settings = SettingsRepository(session)
        return self

    def __exit__(
        self,
        _exc_type: type[BaseException] | None,
        exc: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        session, self._session = self._require_session(), None
        session.rollback()
        session.close()
        if isinstance(exc, OperationalError):
            raise DatabaseUnavailableError("database error", reason="operational") from exc

    def commit(self) -> None:
        """Make the unit's changes durable (``synchronous=FULL``: on disk when this returns)."""
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self._require_session().commit()
        except OperationalError as err:
            raise DatabaseUnavailableError("commit failed", reason="operational") from err

    def _require_session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its with-block")
        return self._session
