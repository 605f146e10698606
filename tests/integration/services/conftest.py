"""What the service tests share: a demo kiosk on a frozen clock and its staff.

``people`` gives the first administrator and, made by them, two officers' worth of roles: an
officer, two supervisors (four eyes needs a second one). They are made once per module
(``tests/support/staffed_kiosk.py``): a test that asks for ``people`` gets a kiosk built on a
copy of that data folder; any other test gets a kiosk on an empty one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app import Kiosk
from kiosk.config import PathSettings, Settings
from kiosk.domain.users import Role, User
from tests.support.clock import FrozenClock
from tests.support.staffed_kiosk import Staffed, kiosk_on, make_staffed

PASSWORD = "mật-khẩu-dài-123"


def _settings(data_dir: Path) -> Settings:
    return Settings(demo=True, paths=PathSettings(data_dir=str(data_dir)))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path / "data")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def _add_people(kiosk: Kiosk) -> dict[str, User]:
    users = kiosk.services.users
    admin = users.add(
        None,
        username="quantri",
        full_name="Trần Quản Trị",
        service_number="001-A",
        role=Role.ADMIN,
        password=PASSWORD,
    )
    made = {"admin": admin}
    for key, name, role in (
        ("officer", "canbo", Role.OFFICER),
        ("supervisor", "lanhdao", Role.SUPERVISOR),
        ("supervisor2", "lanhdao2", Role.SUPERVISOR),
    ):
        made[key] = users.add(
            admin,
            username=name,
            full_name=f"Lê Thị {key}",
            service_number=f"S-{key.upper()}",
            role=role,
            password=PASSWORD,
        )
    return made


@pytest.fixture(scope="module")
def staffed(tmp_path_factory: pytest.TempPathFactory) -> Staffed:
    """The module's accounts, made on the frozen clock's moment (it stands still)."""
    data_dir = tmp_path_factory.mktemp("staffed") / "data"
    return make_staffed(_settings(data_dir), FrozenClock(), _add_people)


@pytest.fixture
def kiosk(
    request: pytest.FixtureRequest, settings: Settings, clock: FrozenClock
) -> Iterator[Kiosk]:
    """A kiosk on this test's data folder: the staffed copy when the test asks for ``people``."""
    yield from kiosk_on(request, settings, clock)


@pytest.fixture
def people(staffed: Staffed, kiosk: Kiosk) -> dict[str, User]:
    """The accounts in ``kiosk`` (made in the module's staffed folder it was copied from)."""
    return staffed.people
