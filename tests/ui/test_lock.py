"""The idle lock: it never loses the work in progress; the citizen window is blank while locked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from kiosk.demo_accounts import OFFICER, SUPERVISOR
from kiosk.domain.errors import ErrorCode
from kiosk.ui.citizen.view_model import PREPARING
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.main_window import HOME, LOCK, LOGIN, MainWindow
from kiosk.ui.screens.home import SELF_TEST
from kiosk.ui.screens.lock import LockScreen
from kiosk.ui.screens.self_test import SelfTestScreen
from kiosk.ui.self_test_checks import CheckState
from tests.ui.conftest import Station, sign_in


def self_test(window: MainWindow) -> SelfTestScreen:
    screen = window.screens[SELF_TEST]
    assert isinstance(screen, SelfTestScreen)
    return screen


def work_in_progress(window: MainWindow, station: Station) -> dict[str, CheckState]:
    """Sign the officer in and leave the self-test's results on screen."""
    sign_in(window, OFFICER, station.passwords[OFFICER])
    window.show_screen(SELF_TEST)
    states = {key: row.state for key, row in self_test(window).rows.items()}
    assert CheckState.PASSED in states.values()
    return states


def test_unlocking_returns_to_the_work_as_it_was(window: MainWindow, station: Station) -> None:
    states = work_in_progress(window, station)
    window.lock()
    assert window.current_name() == LOCK
    lock = window.screens[LOCK]
    assert isinstance(lock, LockScreen)
    assert lock.form.username.text() == OFFICER
    sign_in(window, OFFICER, station.passwords[OFFICER])
    assert window.current_name() == SELF_TEST
    assert {key: row.state for key, row in self_test(window).rows.items()} == states


def test_a_wrong_password_at_the_lock_keeps_it_locked(window: MainWindow, station: Station) -> None:
    work_in_progress(window, station)
    window.lock()
    sign_in(window, OFFICER, "wrong-password")
    lock = window.screens[LOCK]
    assert isinstance(lock, LockScreen)
    assert window.current_name() == LOCK
    assert lock.form.banner.message is not None
    assert lock.form.banner.message.code is ErrorCode.LOGIN_FAILED


def test_another_officer_starts_at_home_and_the_first_finds_their_work_later(
    window: MainWindow, station: Station
) -> None:
    states = work_in_progress(window, station)
    window.lock()
    sign_in(window, SUPERVISOR, station.passwords[SUPERVISOR])
    assert window.user is not None
    assert window.user.username == SUPERVISOR
    assert window.current_name() == HOME
    window.lock()
    sign_in(window, OFFICER, station.passwords[OFFICER])
    assert window.current_name() == SELF_TEST
    assert {key: row.state for key, row in self_test(window).rows.items()} == states


def test_the_citizen_window_is_blank_while_locked(window: MainWindow, station: Station) -> None:
    work_in_progress(window, station)
    assert window.citizen.title.text() == PREPARING.title
    window.lock()
    assert window.citizen.is_blank()
    window._frame.citizen.show(PREPARING)
    assert window.citizen.is_blank()
    sign_in(window, OFFICER, station.passwords[OFFICER])
    assert window.citizen.title.text() == PREPARING.title


def test_idle_time_locks_and_ctrl_l_locks_at_once(
    qtbot: QtBot, window: MainWindow, station: Station
) -> None:
    work_in_progress(window, station)
    assert window.idle.is_armed()
    window.idle.idle.emit()
    assert window.current_name() == LOCK
    assert not window.idle.is_armed()
    sign_in(window, OFFICER, station.passwords[OFFICER])
    qtbot.keyClick(window, "L", modifier=Qt.KeyboardModifier.ControlModifier)
    assert window.current_name() == LOCK


def test_signing_out_forgets_the_place_and_blanks_the_citizen_window(
    window: MainWindow, station: Station
) -> None:
    work_in_progress(window, station)
    window.sign_out()
    assert window.current_name() == LOGIN
    assert window.user is None
    assert window.citizen.is_blank()
    sign_in(window, OFFICER, station.passwords[OFFICER])
    assert window.current_name() == HOME


def test_the_idle_watcher_fires_after_quiet_time_and_input_restarts_it(qtbot: QtBot) -> None:
    watcher = IdleWatcher(200)
    watcher.arm()
    with qtbot.waitSignal(watcher.idle, timeout=5_000):
        pass
    assert not watcher.is_armed()
    watcher.arm()
    watcher.disarm()
    with qtbot.assertNotEmitted(watcher.idle, wait=400):
        pass


def test_input_through_the_window_restarts_the_countdown(
    qtbot: QtBot, window: MainWindow, station: Station
) -> None:
    work_in_progress(window, station)
    watcher = IdleWatcher(600_000)
    watcher.arm()
    qtbot.waitUntil(lambda: watcher.remaining_ms() < 598_000, timeout=10_000)
    handle = window.windowHandle()
    assert handle is not None
    QTest.keyClick(handle, Qt.Key.Key_Shift)
    assert watcher.remaining_ms() > 598_000
    qtbot.waitUntil(lambda: watcher.remaining_ms() < 598_000, timeout=10_000)
    QTest.mouseClick(handle, Qt.MouseButton.LeftButton)
    assert watcher.remaining_ms() > 598_000
