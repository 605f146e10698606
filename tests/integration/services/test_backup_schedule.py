"""The scheduled backup: taken while applications wait, at most hourly, never when none wait."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.app import BackgroundWork, Kiosk, build
from kiosk.config import PathSettings, Settings
from kiosk.domain.application import ApplicationState
from kiosk.domain.biometrics import FaceOutcome
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import Role, User
from kiosk.services.consent import consent_record
from tests.conftest import LogFail
from tests.support.clock import FrozenClock
from tests.support.staffed_kiosk import close

PASSWORD = "mật-khẩu-dài-123"


@pytest.fixture
def clock() -> FrozenClock:
    # Backups are dated by their files, so this clock starts at the real present.
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
def kiosk(tmp_path: Path, clock: FrozenClock) -> Iterator[Kiosk]:
    settings = Settings(demo=True, paths=PathSettings(data_dir=str(tmp_path / "data")))
    built = build(settings, clock)
    yield built
    close(built)


def officer_of(kiosk: Kiosk) -> User:
    return staff_of(kiosk)[0]


def staff_of(kiosk: Kiosk) -> tuple[User, User]:
    """An officer and a supervisor, made by the first administrator."""
    admin = kiosk.services.users.add(
        None, username="quantri", full_name="Quản Trị", service_number="QT-1",
        role=Role.ADMIN, password=PASSWORD,
    )  # fmt: skip
    officer = kiosk.services.users.add(
        admin, username="canbo", full_name="Cán Bộ", service_number="CB-1",
        role=Role.OFFICER, password=PASSWORD,
    )  # fmt: skip
    supervisor = kiosk.services.users.add(
        admin, username="lanhdao", full_name="Lãnh Đạo", service_number="LD-1",
        role=Role.SUPERVISOR, password=PASSWORD,
    )  # fmt: skip
    return officer, supervisor


def submit_one(kiosk: Kiosk, officer: User) -> ApplicationId:
    enrolment = kiosk.services.enrolment
    app = enrolment.open(officer)
    citizen = Citizen("001090001234", "Nguyễn Văn An", date(1990, 1, 1), Sex.MALE)
    enrolment.record_chip(officer, app.id, citizen, ChipVerdict.UNVERIFIABLE)
    enrolment.record_face(officer, app.id, FaceOutcome.PASSED)
    enrolment.record_contact(officer, app.id, "0912345678", None)
    enrolment.capture(officer, app.id)
    enrolment.submit(officer, app.id, consent_record(officer, datetime.now(UTC)))
    return app.id


def test_no_backup_while_nothing_waits(kiosk: Kiosk) -> None:
    officer_of(kiosk)
    assert kiosk.services.maintenance.backup_if_due() is None
    assert not kiosk.settings.backup_dir.exists() or not any(kiosk.settings.backup_dir.iterdir())


def test_hourly_while_an_application_waits(kiosk: Kiosk, clock: FrozenClock) -> None:
    submit_one(kiosk, officer_of(kiosk))
    first = kiosk.services.maintenance.backup_if_due()
    assert first is not None
    assert first.exists()
    clock.advance(minutes=59)
    assert kiosk.services.maintenance.backup_if_due() is None
    clock.advance(minutes=2)
    second = kiosk.services.maintenance.backup_if_due()
    assert second is not None
    assert second != first
    assert kiosk.services.audit.verify().valid


def test_an_approved_application_waits_until_its_packet_is_acknowledged(
    kiosk: Kiosk, clock: FrozenClock
) -> None:
    officer, supervisor = staff_of(kiosk)
    approved = kiosk.services.review.approve(supervisor, submit_one(kiosk, officer))
    assert approved.state is ApplicationState.APPROVED
    # Its packet cannot be delivered here (no chip read kept, no server registered): the
    # application exists only on this kiosk, so backups go on.
    status = kiosk.services.sync.status()
    assert status.undelivered + status.failed == 1
    assert kiosk.services.maintenance.backup_if_due() is not None


def test_a_failing_round_is_logged_and_the_loop_goes_on(logfail: LogFail) -> None:
    logfail.allow("kiosk.app", "background task flaky failed")
    rounds: list[int] = []
    done = threading.Event()

    def flaky() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise OSError("backup disk unplugged")
        done.set()

    work = BackgroundWork()
    work.every(0.01, "flaky", flaky)
    assert done.wait(5)
    work.stop()
    assert len(rounds) >= 2
