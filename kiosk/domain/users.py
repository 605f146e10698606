"""Accounts and what they may do: roles, permissions, users, the unit and the station.

The role -> permission table is the single place that decides who may do what; services call
``require`` before every use case, so the UI can hide buttons but never grants anything itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import UserId
from kiosk.domain.text import normalise
from kiosk.domain.validators import ValidationFailed


class Role(StrEnum):
    """The three kinds of account at a commune police counter."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing an account may do; stable values, stored in the audit log."""

    CAPTURE = "capture"
    SUBMIT = "submit"
    CANCEL = "cancel"
    REVIEW = "review"
    APPROVE = "approve"
    OVERRIDE_FACE = "override_face"
    PRINT_RECEIPT = "print_receipt"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    MANAGE_TRUST = "manage_trust"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_REPORTS = "view_reports"
    SYNC_CONTROL = "sync_control"


_OFFICER = frozenset(
    {Permission.CAPTURE, Permission.SUBMIT, Permission.CANCEL, Permission.PRINT_RECEIPT}
)
_SUPERVISOR = _OFFICER | {
    Permission.REVIEW,
    Permission.APPROVE,
    Permission.OVERRIDE_FACE,
    Permission.VIEW_AUDIT,
    Permission.VIEW_REPORTS,
    Permission.SYNC_CONTROL,
}
# The administrator runs the machine but does not enrol or approve: separation of duties keeps
# the person who can change settings, users and trust anchors out of the decisions they govern.
_ADMIN = frozenset(
    {
        Permission.MANAGE_USERS,
        Permission.VIEW_AUDIT,
        Permission.EXPORT_AUDIT,
        Permission.MANAGE_TRUST,
        Permission.MANAGE_SETTINGS,
        Permission.VIEW_REPORTS,
        Permission.SYNC_CONTROL,
    }
)

ROLE_PERMISSIONS: MappingProxyType[Role, frozenset[Permission]] = MappingProxyType(
    {Role.OFFICER: _OFFICER, Role.SUPERVISOR: _SUPERVISOR, Role.ADMIN: _ADMIN}
)
"""Who may do what; read-only, so no code path can grant a permission at run time."""

_SERVICE_NUMBER = re.compile(r"[0-9A-Z-]{3,20}")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
_PROVINCE = re.compile(r"[0-9]{2}")
_COMMUNE = re.compile(r"[0-9]{5}")


@dataclass(frozen=True, slots=True)
class User:
    """An account of the kiosk, as the services see it (the password hash stays in the store).

    Attributes:
        service_number: the officer's police service number (số hiệu), printed on receipts.
        disabled: a disabled account keeps its audit history but may do nothing.
    """

    id: UserId
    username: str
    full_name: str
    service_number: str
    role: Role
    disabled: bool = False

    def __post_init__(self) -> None:
        if not _USERNAME.fullmatch(self.username):
            raise ValidationFailed("username", "format")
        if not _SERVICE_NUMBER.fullmatch(self.service_number):
            raise ValidationFailed("service_number", "format")
        name = normalise(self.full_name)
        if not name:
            raise ValidationFailed("full_name", "required")
        object.__setattr__(self, "full_name", name)

    def can(self, permission: Permission) -> bool:
        """Whether the account may do ``permission`` now (never, while disabled)."""
        return not self.disabled and permission in ROLE_PERMISSIONS[self.role]


class PermissionDenied(DomainError):
    """The account may not do what it asked; the params name the permission, never the person."""

    def __init__(self, permission: Permission, role: Role) -> None:
        super().__init__(
            ErrorCode.PERMISSION_DENIED,
            f"role {role.value} lacks {permission.value}",
            permission=permission.value,
            role=role.value,
        )
        self.permission = permission


def require(user: User, permission: Permission) -> None:
    """Stop a use case at its start when ``user`` may not run it.

    Raises:
        DomainError: ``ACCOUNT_DISABLED`` for a disabled account (so the message says why).
        PermissionDenied: the role does not hold ``permission``.
    """
    if user.disabled:
        raise DomainError(ErrorCode.ACCOUNT_DISABLED, "account is disabled")
    if permission not in ROLE_PERMISSIONS[user.role]:
        raise PermissionDenied(permission, user.role)


@dataclass(frozen=True, slots=True)
class Unit:
    """The commune police unit the kiosk belongs to, as printed on receipts.

    Attributes:
        province_code: the 2-digit province code of the administrative unit list.
        commune_code: the 5-digit commune (xã/phường) code of the same list.
        name: the unit's printed name, for example "Công an phường Ba Đình".
    """

    province_code: str
    commune_code: str
    name: str

    def __post_init__(self) -> None:
        if not _PROVINCE.fullmatch(self.province_code):
            raise ValidationFailed("province_code", "format")
        if not _COMMUNE.fullmatch(self.commune_code):
            raise ValidationFailed("commune_code", "format")
        name = normalise(self.name)
        if not name:
            raise ValidationFailed("unit_name", "required")
        object.__setattr__(self, "name", name)


@dataclass(frozen=True, slots=True)
class Station:
    """One kiosk: a counter of a unit; its code goes into packets and receipt numbers."""

    unit: Unit
    counter: int

    def __post_init__(self) -> None:
        if not 1 <= self.counter <= 99:
            raise ValidationFailed("counter", "range")

    @property
    def code(self) -> str:
        """A short stable station code, ``<commune>-<counter>``, e.g. ``00004-01``."""
        return f"{self.unit.commune_code}-{self.counter:02d}"
