"""``UserRepository``: accounts, their password hashes and their lock-out counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.ids import UserId
from kiosk.domain.users import User
from kiosk.store.errors import NotFoundError
from kiosk.store.rows.user import UserRow


@dataclass(frozen=True, slots=True)
class LoginState:
    """What the login service needs about an account; the hash never leaves services."""

    user: User
    password_hash: str
    failed_attempts: int
    locked_until: datetime | None


class UserRepository:
    """Reads and writes accounts inside one unit of work."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: User, password_hash: str, at: datetime) -> None:
        """Create an account (the username must be new)."""
        row = UserRow(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            service_number=user.service_number,
            role=user.role,
            password_hash=password_hash,
            failed_attempts=0,
            locked_until=None,
            disabled=user.disabled,
            created_at=at,
        )
        self._session.add(row)
        self._session.flush()

    def get(self, user_id: UserId) -> User:
        """The account with ``user_id``; ``NotFoundError`` if there is none."""
        return _to_user(self._row(user_id))

    def login_state(self, username: str) -> LoginState:
        """The account called ``username`` with its hash and lock-out state."""
        row = self._session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise NotFoundError("no such account", kind="user")
        return LoginState(_to_user(row), row.password_hash, row.failed_attempts, row.locked_until)

    def list(self) -> list[User]:
        """Every account, by username."""
        rows = self._session.scalars(select(UserRow).order_by(UserRow.username))
        return [_to_user(row) for row in rows]

    def record_failure(self, user_id: UserId, locked_until: datetime | None) -> int:
        """Count one failed login (and lock until ``locked_until``); returns the new count."""
        row = self._row(user_id)
        row.failed_attempts += 1
        row.locked_until = locked_until
        self._session.flush()
        return row.failed_attempts

    def clear_failures(self, user_id: UserId) -> None:
        """Reset the failure count and lift any lock (a good login, or an admin's unlock)."""
        row = self._row(user_id)
        row.failed_attempts = 0
        row.locked_until = None
        self._session.flush()

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        """Replace the account's password hash (a new password, or a re-hash)."""
        self._row(user_id).password_hash = password_hash
        self._session.flush()

    def set_disabled(self, user_id: UserId, disabled: bool) -> None:
        """Disable or re-enable the account; its audit history stays."""
        self._row(user_id).disabled = disabled
        self._session.flush()

    def _row(self, user_id: UserId) -> UserRow:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise NotFoundError("no such account", kind="user")
        return row


def _to_user(row: UserRow) -> User:
    return User(
        id=UserId(row.id),
        username=row.username,
        full_name=row.full_name,
        service_number=row.service_number,
        role=row.role,
        disabled=row.disabled,
    )
