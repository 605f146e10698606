from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.application import Application, open_application
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.ids import new_application_id, new_user_id
from kiosk.domain.users import Role, User
from kiosk.store.custody import LinuxKeyFile
from kiosk.store.engine import create_session_factory, create_store_engine
from kiosk.store.keys import StationKeys, unlock
from kiosk.store.migrate import upgrade_to_head
from kiosk.store.passwords import hash_password
from kiosk.store.rows.biometric import PortraitKind
from kiosk.store.uow import UnitOfWork


class FrozenClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


@dataclass
class Store:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    custody: LinuxKeyFile
    keys: StationKeys
    clock: FrozenClock
    officer: User

    def uow(self, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.keys.ring, read_only=read_only)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


OFFICER_PASSWORD = "correct horse"


@pytest.fixture(scope="session")
def officer_password_hash() -> str:
    """The officer's Argon2 hash, computed once (about half a second each) for every store."""
    return hash_password(OFFICER_PASSWORD)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock, officer_password_hash: str) -> Iterator[Store]:
    path = tmp_path / "db" / "kiosk.db"
    path.parent.mkdir()
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade_to_head(engine, tmp_path / "backups", None)
    sessions = create_session_factory(engine)
    custody = LinuxKeyFile(tmp_path / "keys")
    keys = unlock(sessions, custody, clock, None)
    officer = User(new_user_id(), "officer1", "Trần Văn Bình", "CA-1234", Role.OFFICER)
    with UnitOfWork(sessions, keys.ring) as uow:
        uow.users.add(officer, officer_password_hash, clock.now())
        uow.commit()
    yield Store(path, engine, sessions, custody, keys, clock, officer)
    engine.dispose()


PORTRAIT = b"\xff\xd8\xff\xe0JFIF portrait " + bytes(range(256)) * 8


PHONE = "+84 912 345 678"
EMAIL = "thuy.hoa@example.vn"


@pytest.fixture
def citizen() -> Citizen:
    return Citizen(
        id_number="001190012345",
        full_name="Nguyễn Thị Thuỷ Hoà",
        date_of_birth=date(1990, 5, 17),
        sex=Sex.FEMALE,
        place_of_residence="Số 7 ngõ Huế, Hà Nội",
        date_of_issue=date(2021, 4, 1),
        date_of_expiry=date(2030, 5, 17),
    )


Enrol = Callable[..., Application]


@pytest.fixture
def enrol(store: Store, citizen: Citizen) -> Enrol:
    """Store one application with chip data, contact data and a portrait, committed."""

    def run(person: Citizen = citizen, portrait: bytes = PORTRAIT) -> Application:
        officer = store.officer.id
        app, _ = open_application(new_application_id(), officer, store.clock.now())
        app, _ = app.record_chip(officer, store.clock.now(), person, ChipVerdict.UNVERIFIABLE)
        app, _ = app.record_contact(
            officer, store.clock.now(), "+84 912 345 678", "thuy.hoa@example.vn"
        )
        with store.uow() as uow:
            uow.applications.add(app)
            uow.applications.add_portrait(app.id, PortraitKind.CHIP, portrait, store.clock.now())
            uow.commit()
        return app

    return run
