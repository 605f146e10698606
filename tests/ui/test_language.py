"""The language switch at runtime: every visible text follows, hidden screens too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.demo_accounts import OFFICER
from kiosk.i18n import current_language
from kiosk.ui.language import switch_language
from kiosk.ui.main_window import LOGIN, MainWindow
from kiosk.ui.screens.home import SELF_TEST, HomeScreen
from kiosk.ui.screens.login import LoginScreen
from tests.ui.conftest import Station, sign_in


def test_switching_retranslates_the_visible_texts(window: MainWindow, station: Station) -> None:
    login = window.screens[LOGIN]
    assert isinstance(login, LoginScreen)
    assert login.form.submit_button.text() == "Đăng nhập (Enter)"
    sign_in(window, OFFICER, station.passwords[OFFICER])
    home = window.current
    assert isinstance(home, HomeScreen)
    switch_language("en")
    assert home.buttons[SELF_TEST].text() == "Start-of-shift self-test (F5)"
    assert home._greeting.text().startswith("Hello, ")
    assert window.windowTitle().startswith("Level 2 electronic identity enrolment station")
    assert "Officer: " in window.status._user.text()
    assert login.form.submit_button.text() == "Sign in (Enter)"
    switch_language("vi")
    assert home.buttons[SELF_TEST].text() == "Tự kiểm tra đầu ca (F5)"
    assert login.form.submit_button.text() == "Đăng nhập (Enter)"


def test_f2_toggles_the_language(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert current_language() == "en"
    login = window.screens[LOGIN]
    assert isinstance(login, LoginScreen)
    assert login.form.submit_button.text() == "Sign in (Enter)"
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert current_language() == "vi"


def test_the_citizen_window_stays_vietnamese(window: MainWindow) -> None:
    switch_language("en")
    assert window.citizen.title.text() == "Xin kính chào"
