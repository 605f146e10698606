"""Signing in: the password check runs as a job; the service's refusals are shown as they come."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.demo_accounts import OFFICER, SUPERVISOR
from kiosk.domain.errors import ErrorCode
from kiosk.ui.jobs import JobRunner
from kiosk.ui.main_window import HOME, LOGIN, MainWindow
from kiosk.ui.screens.login import LoginScreen
from tests.ui.conftest import Station, make_window, sign_in


def login_screen(window: MainWindow) -> LoginScreen:
    screen = window.screens[LOGIN]
    assert isinstance(screen, LoginScreen)
    return screen


def test_the_right_password_opens_the_home_screen(window: MainWindow, station: Station) -> None:
    sign_in(window, OFFICER, station.passwords[OFFICER])
    assert window.user is not None
    assert window.user.username == OFFICER
    assert window.current_name() == HOME
    assert not login_screen(window).form.password.text()


def test_a_wrong_password_shows_the_services_message_and_keeps_the_login(
    window: MainWindow, station: Station
) -> None:
    sign_in(window, OFFICER, "not-the-password")
    form = login_screen(window).form
    assert window.user is None
    assert window.current_name() == LOGIN
    assert form.banner.message is not None
    assert form.banner.message.code is ErrorCode.LOGIN_FAILED
    assert form.banner.isVisible()
    assert not form.password.text()


def test_repeated_failures_lock_the_account_and_say_for_how_long(
    window: MainWindow, station: Station
) -> None:
    form = login_screen(window).form
    for _attempt in range(2):
        sign_in(window, SUPERVISOR, "wrong-password")
    assert form.banner.message is not None
    assert form.banner.message.code is ErrorCode.ACCOUNT_LOCKED
    assert "15" in form.banner.message.todo
    sign_in(window, SUPERVISOR, station.passwords[SUPERVISOR])
    assert window.user is None
    assert form.banner.message.code is ErrorCode.ACCOUNT_LOCKED


def test_the_check_runs_off_the_gui_thread_on_the_store_resource(
    qtbot: QtBot, station: Station
) -> None:
    runner = JobRunner()
    window = make_window(qtbot, station, runner=runner)
    form = login_screen(window).form

    with qtbot.waitSignal(login_screen(window).signed_in, timeout=20_000):
        sign_in(window, OFFICER, station.passwords[OFFICER])
        running = runner.running("store")
        assert running is not None
        assert form.busy
        assert not form.submit_button.isEnabled()
        assert window.user is None
    assert window.current_name() == HOME
    qtbot.waitUntil(lambda: not form.busy)
    assert form.submit_button.isEnabled()
    runner.wait_for_done()


def test_enter_in_the_password_field_signs_in_once(
    qtbot: QtBot, window: MainWindow, station: Station
) -> None:
    form = login_screen(window).form
    audit = station.kiosk.services.audit
    before = audit.verify().entries
    qtbot.keyClicks(form.username, OFFICER)
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    assert form.password.hasFocus()
    qtbot.keyClicks(form.password, station.passwords[OFFICER])
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    assert window.current_name() == HOME
    assert audit.verify().entries == before + 1
