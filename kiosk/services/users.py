"""Accounts: creating, listing, disabling and unlocking them (administrators only).

The very first account of an empty database may be created without signing in, and must be an
administrator: that is how a new kiosk is set up.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import new_user_id
from kiosk.domain.users import Permission, Role, User, require
from kiosk.domain.validators import ValidationFailed
from kiosk.services.context import ServiceContext
from kiosk.store.passwords import hash_password


class UserService:
    """Account administration."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def add(
        self,
        actor: User | None,
        *,
        username: str,
        full_name: str,
        service_number: str,
        role: Role,
        password: str,
    ) -> User:
        """Create an account; ``actor`` None is allowed only for the first (admin) account.

        Raises:
            PermissionDenied: the actor may not manage users.
            ValidationFailed: a field is malformed, the password too short, the name taken.
        """
        self._check_password(password)
        user = User(new_user_id(), username.strip().lower(), full_name, service_number, role)
        now = self._context.clock.now()
        with self._context.write() as uow:
            existing = uow.users.list()
            if actor is None:
                if existing or role is not Role.ADMIN:
                    raise DomainError(ErrorCode.PERMISSION_DENIED, "sign in as an administrator")
            else:
                require(actor, Permission.MANAGE_USERS)
            if any(other.username == user.username for other in existing):
                raise ValidationFailed("username", "taken")
            uow.users.add(user, hash_password(password), now)
            by = str(actor.id) if actor else str(user.id)
            uow.audit.record_event(now, by, "user_add", str(user.id), {"role": role.value})
            uow.commit()
        return user

    def list(self, actor: User) -> list[User]:
        """Every account."""
        require(actor, Permission.MANAGE_USERS)
        with self._context.read() as uow:
            return uow.users.list()

    def is_empty(self) -> bool:
        """Whether no account exists yet (first run)."""
        with self._context.read() as uow:
            return not uow.users.list()

    def set_disabled(self, actor: User, username: str, disabled: bool) -> User:
        """Disable (or re-enable) an account; its history stays."""
        require(actor, Permission.MANAGE_USERS)
        now = self._context.clock.now()
        with self._context.write() as uow:
            target = uow.users.login_state(username.strip().lower()).user
            if target.id == actor.id and disabled:
                raise ValidationFailed("username", "self")
            uow.users.set_disabled(target.id, disabled)
            action = "user_disable" if disabled else "user_enable"
            uow.audit.record_event(now, str(actor.id), action, str(target.id), {})
            uow.commit()
        return replace(target, disabled=disabled)

    def unlock(self, actor: User, username: str) -> None:
        """Lift a lock-out before it expires."""
        require(actor, Permission.MANAGE_USERS)
        now = self._context.clock.now()
        with self._context.write() as uow:
            target = uow.users.login_state(username.strip().lower()).user
            uow.users.clear_failures(target.id)
            uow.audit.record_event(now, str(actor.id), "user_unlock", str(target.id), {})
            uow.commit()

    def _check_password(self, password: str) -> None:
        if len(password) < self._context.policy.min_password_length:
            raise ValidationFailed("password", "too_short")
