"""The start-of-shift self-test: each check on its own turns its row red; Esc stops a run."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.demo_accounts import OFFICER
from kiosk.devices.camera.files import FileCamera
from kiosk.devices.scanner.files import FileScanner
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.services.devices_status import DeviceStatusService
from kiosk.ui.jobs import JobRunner
from kiosk.ui.main_window import MainWindow
from kiosk.ui.screens.home import SELF_TEST
from kiosk.ui.screens.self_test import SelfTestScreen
from kiosk.ui.self_test_checks import (
    CheckOutcome,
    CheckState,
    SelfTestCheck,
    clock,
    device_checks,
    disk_encryption,
    free_disk,
    printer,
)
from tests.ui.conftest import (
    Station,
    make_window,
    real_checks,
    sign_in,
    simulated_devices,
    station_equipment,
)

EXPECTED = {
    "database": CheckState.PASSED,
    "disk": CheckState.PASSED,
    "encryption": CheckState.PASSED,
    "printer": CheckState.PASSED,
    "clock": CheckState.PASSED,
    "card_reader": CheckState.PASSED,
    "camera": CheckState.PASSED,
    "scanner": CheckState.PASSED,
}
KEYS = tuple(key for key, state in EXPECTED.items() if state is CheckState.PASSED)


def broken(check: SelfTestCheck, station: Station) -> SelfTestCheck:
    """The same check made to fail the way its subject would."""
    missing = Path("/nonexistent/kiosk-test.png")
    refusing = simulated_devices(station.kiosk.settings.data_dir, demo=False)
    gone = DeviceStatusService(demo=True, camera=FileCamera(missing), scanner=FileScanner(missing))
    if check.key == "card_reader":
        return device_checks(lambda: refusing)[0]
    if check.key == "camera":
        return device_checks(lambda: gone)[1]
    if check.key == "scanner":
        return device_checks(lambda: gone)[2]
    if check.key == "disk":
        return dataclasses.replace(check, work=free_disk(Path.cwd(), minimum=2**62))
    if check.key == "encryption":
        return dataclasses.replace(check, work=disk_encryption(Path.cwd(), lambda folder: False))
    if check.key == "clock":
        return dataclasses.replace(check, work=clock(lambda: timedelta(minutes=-10)))
    if check.key == "printer":
        return dataclasses.replace(check, work=printer(lambda: None))

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        raise DomainError(ErrorCode.DATABASE_UNAVAILABLE, "test")

    return dataclasses.replace(check, work=work)


def open_self_test(qtbot: QtBot, window: MainWindow, station: Station) -> SelfTestScreen:
    sign_in(window, OFFICER, station.passwords[OFFICER])
    qtbot.waitUntil(lambda: window.user is not None, timeout=20_000)
    window.show_screen(SELF_TEST)
    screen = window.current
    assert isinstance(screen, SelfTestScreen)
    return screen


def states(screen: SelfTestScreen) -> dict[str, CheckState]:
    return {key: row.state for key, row in screen.rows.items()}


def test_every_check_passes_or_says_not_configured(
    qtbot: QtBot, window: MainWindow, station: Station
) -> None:
    screen = open_self_test(qtbot, window, station)
    assert states(screen) == EXPECTED
    assert screen.rows["disk"].detail.text().endswith("GB.")
    assert "EF.CardAccess" in screen.rows["card_reader"].detail.text()
    assert screen.rows["clock"].detail.text() == "Lệch 2 giây so với máy chủ."


@pytest.mark.parametrize("key", KEYS)
def test_one_failing_check_turns_only_its_row_red(qtbot: QtBot, station: Station, key: str) -> None:
    checks = [broken(c, station) if c.key == key else c for c in real_checks(station)]
    window = make_window(qtbot, station, checks=checks)
    screen = open_self_test(qtbot, window, station)
    assert states(screen) == {**EXPECTED, key: CheckState.FAILED}
    assert screen.rows[key].state_label.property("state") == "failed"
    assert screen.rows[key].detail.text()


def test_progress_shows_and_esc_cancels_the_run(qtbot: QtBot, station: Station) -> None:
    started = threading.Event()

    def slow(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        progress(Progress("slow", 1, 4))
        started.set()
        assert cancel.wait(20), "Esc did not reach the job"
        raise Cancelled

    checks = real_checks(station)
    checks[0] = dataclasses.replace(checks[0], work=slow)
    runner = JobRunner()
    window = make_window(qtbot, station, runner=runner, checks=checks)
    try:
        screen = open_self_test(qtbot, window, station)
        qtbot.waitUntil(lambda: screen.progress.isVisible() and started.is_set())
        assert screen.rows["database"].state is CheckState.RUNNING
        qtbot.waitUntil(lambda: screen.progress.fraction() == 0.25)
        qtbot.keyClick(screen, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not screen.progress.isVisible())
        assert set(states(screen).values()) == {CheckState.CANCELLED}
    finally:
        runner.cancel_all()
        runner.wait_for_done()


def test_without_devices_their_rows_say_not_configured(qtbot: QtBot, station: Station) -> None:
    equipment = dataclasses.replace(station_equipment(station), devices=lambda: None)
    window = make_window(qtbot, station, checks=real_checks(station, equipment))
    screen = open_self_test(qtbot, window, station)
    for key in ("card_reader", "camera", "scanner"):
        assert screen.rows[key].state is CheckState.NOT_CONFIGURED


def test_without_server_time_or_a_disk_answer_the_rows_say_could_not_check(
    qtbot: QtBot, station: Station
) -> None:
    equipment = dataclasses.replace(
        station_equipment(station), clock_offset=lambda: None, disk_encrypted=lambda folder: None
    )
    window = make_window(qtbot, station, checks=real_checks(station, equipment))
    screen = open_self_test(qtbot, window, station)
    unknown = {"clock": CheckState.UNKNOWN, "encryption": CheckState.UNKNOWN}
    assert states(screen) == {**EXPECTED, **unknown}
    assert screen.rows["clock"].state_label.text() == "Không kiểm tra được"
