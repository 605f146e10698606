"""What the service tests share: a demo kiosk on a frozen clock and its staff.

``people`` gives the first administrator and, made by them, two officers' worth of roles: an
officer, two supervisors (four eyes needs a second one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.app import Kiosk, build
from kiosk.config import PathSettings, Settings
from kiosk.domain.users import Role, User
from tests.support.clock import FrozenClock

PASSWORD = "mật-khẩu-dài-123"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(demo=True, paths=PathSettings(data_dir=str(tmp_path / "data")))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def kiosk(settings: Settings, clock: FrozenClock) -> Kiosk:
    return build(settings, clock)


@pytest.fixture
def people(kiosk: Kiosk) -> dict[str, User]:
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
