"""Signing in: password check, lock-out after repeated failures, and the audit of both.

Failure counts and lock-outs live in the database, so they survive a restart. An unknown user
name gets the same answer and the same work as a wrong password, so the login screen does not
tell an outsider which accounts exist.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.users import User
from kiosk.services.context import ServiceContext
from kiosk.store.errors import NotFoundError
from kiosk.store.passwords import hash_password, needs_rehash, verify_password
from kiosk.store.repositories.users import LoginState
from kiosk.store.uow import UnitOfWork

log = logging.getLogger(__name__)


@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: argon2 costs most of a second, and start-up waits on it.
    return hash_password("not a real account's password")


class SessionService:
    """Checks who is at the keyboard."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def login(self, username: str, password: str) -> User:
        """The account, when ``password`` is right and the account may sign in now.

        Raises:
            DomainError: LOGIN_FAILED, ACCOUNT_LOCKED (with ``minutes`` left) or ACCOUNT_DISABLED.
        """
        now = self._context.clock.now()
        with self._context.write() as uow:
            try:
                state = uow.users.login_state(username.strip().lower())
            except NotFoundError:
                verify_password(_dummy_hash(), password)
                uow.audit.record_event(now, "-", "login_failed", "unknown-account", {})
                uow.commit()
                raise DomainError(ErrorCode.LOGIN_FAILED, "unknown account") from None
            self._refuse_if_barred(state, now)
            if not verify_password(state.password_hash, password):
                error = self._count_failure(uow, state, now)
                uow.commit()
                raise error
            self._accept(uow, state, password, now)
            uow.commit()
        log.info("user %s signed in", state.user.id)
        return state.user

    def _refuse_if_barred(self, state: LoginState, now: datetime) -> None:
        if state.user.disabled:
            raise DomainError(ErrorCode.ACCOUNT_DISABLED, "disabled account")
        if state.locked_until is not None and state.locked_until > now:
            minutes = max(1, int((state.locked_until - now).total_seconds() // 60) + 1)
            raise DomainError(ErrorCode.ACCOUNT_LOCKED, "account locked", minutes=minutes)

    def _count_failure(self, uow: UnitOfWork, state: LoginState, now: datetime) -> DomainError:
        policy = self._context.policy
        lock_expired = state.locked_until is not None and state.locked_until <= now
        failures = (0 if lock_expired else state.failed_attempts) + 1
        locks = failures >= policy.lockout_attempts
        locked_until = now + policy.lockout_duration if locks else None
        if lock_expired:
            uow.users.clear_failures(state.user.id)
        uow.users.record_failure(state.user.id, locked_until)
        action = "account_locked" if locks else "login_failed"
        uow.audit.record_event(
            now, str(state.user.id), action, str(state.user.id), {"failures": failures}
        )
        if locks:
            minutes = int(policy.lockout_duration.total_seconds() // 60)
            return DomainError(ErrorCode.ACCOUNT_LOCKED, "locked after failures", minutes=minutes)
        return DomainError(ErrorCode.LOGIN_FAILED, "wrong password")

    def _accept(self, uow: UnitOfWork, state: LoginState, password: str, now: datetime) -> None:
        if state.failed_attempts or state.locked_until is not None:
            uow.users.clear_failures(state.user.id)
        if needs_rehash(state.password_hash):
            uow.users.set_password_hash(state.user.id, hash_password(password))
        uow.audit.record_event(now, str(state.user.id), "login", str(state.user.id), {})

    def assume_demo_user(self, username: str) -> User:
        """Act as a demo account without a password: demo mode only, and audited.

        The command line uses this so a newcomer can try every command on the demo data.

        Raises:
            DomainError: PERMISSION_DENIED outside demo mode; LOGIN_FAILED for an unknown name.
        """
        if not self._context.demo:
            raise DomainError(ErrorCode.PERMISSION_DENIED, "password-less use is demo-only")
        now = self._context.clock.now()
        with self._context.write() as uow:
            try:
                user = uow.users.login_state(username).user
            except NotFoundError:
                raise DomainError(ErrorCode.LOGIN_FAILED, "unknown demo account") from None
            uow.audit.record_event(now, str(user.id), "demo_assume", str(user.id), {})
            uow.commit()
        return user
