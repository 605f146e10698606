from __future__ import annotations

import uuid

import pytest

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import UserId
from kiosk.domain.users import (
    ROLE_PERMISSIONS,
    Permission,
    PermissionDenied,
    Role,
    Station,
    Unit,
    User,
    require,
)
from kiosk.domain.validators import ValidationFailed

P = Permission


def make_user(role: Role, *, disabled: bool = False) -> User:
    return User(UserId(uuid.UUID(int=7)), "can.bo-01", "Trần  Thị Bé", "123-456", role, disabled)


EXPECTED = {
    Role.OFFICER: {P.CAPTURE, P.SUBMIT, P.CANCEL, P.PRINT_RECEIPT},
    Role.SUPERVISOR: {
        P.CAPTURE, P.SUBMIT, P.CANCEL, P.PRINT_RECEIPT, P.REVIEW, P.APPROVE, P.OVERRIDE_FACE,
        P.VIEW_AUDIT, P.VIEW_REPORTS, P.SYNC_CONTROL,
    },
    Role.ADMIN: {
        P.MANAGE_USERS, P.VIEW_AUDIT, P.EXPORT_AUDIT, P.MANAGE_TRUST, P.MANAGE_SETTINGS,
        P.VIEW_REPORTS, P.SYNC_CONTROL,
    },
}  # fmt: skip


def test_role_table() -> None:
    assert {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()} == EXPECTED


def test_every_permission_is_held_by_someone() -> None:
    assert set().union(*ROLE_PERMISSIONS.values()) == set(Permission)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_require(role: Role, permission: Permission) -> None:
    user = make_user(role)
    assert user.can(permission) is (permission in EXPECTED[role])
    if permission in EXPECTED[role]:
        require(user, permission)
        return
    with pytest.raises(PermissionDenied) as caught:
        require(user, permission)
    assert caught.value.code is ErrorCode.PERMISSION_DENIED
    assert caught.value.params == {"permission": permission.value, "role": role.value}
    assert caught.value.permission is permission


def test_disabled_account_may_do_nothing() -> None:
    user = make_user(Role.ADMIN, disabled=True)
    assert not user.can(P.VIEW_AUDIT)
    with pytest.raises(DomainError) as caught:
        require(user, P.VIEW_AUDIT)
    assert caught.value.code is ErrorCode.ACCOUNT_DISABLED


def test_approver_is_not_admin() -> None:
    assert not make_user(Role.ADMIN).can(P.APPROVE)
    assert not make_user(Role.OFFICER).can(P.APPROVE)


def test_user_name_is_normalised() -> None:
    assert make_user(Role.OFFICER).full_name == "Trần Thị Bé"


@pytest.mark.parametrize(
    ("username", "name", "number", "field"),
    [
        ("A", "Bé", "123", "username"),
        ("bé", "Bé", "123", "username"),
        ("officer", "Bé", "1", "service_number"),
        ("officer", "  ", "123", "full_name"),
    ],
)
def test_user_checks(username: str, name: str, number: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        User(UserId(uuid.UUID(int=1)), username, name, number, Role.OFFICER)
    assert caught.value.field == field


def test_unit_and_station() -> None:
    station = Station(Unit("01", "00004", " Công an  phường Ba Đình "), 1)
    assert station.unit.name == "Công an phường Ba Đình"
    assert station.code == "00004-01"


@pytest.mark.parametrize(
    ("province", "commune", "name", "field"),
    [
        ("1", "00004", "X", "province_code"),
        ("\u0660\u0661", "00004", "X", "province_code"),
        ("01", "0004", "X", "commune_code"),
        ("01", "00004", "", "unit_name"),
    ],
)
def test_unit_checks(province: str, commune: str, name: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        Unit(province, commune, name)
    assert caught.value.field == field


@pytest.mark.parametrize("counter", [0, 100])
def test_station_counter_range(counter: int) -> None:
    with pytest.raises(ValidationFailed):
        Station(Unit("01", "00004", "X"), counter)
