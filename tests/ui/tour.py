"""A walk through every screen of the shell, in the states where their texts differ.

The text-fit and pseudo-locale tests visit the same states, so a new screen is added here once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.demo_accounts import OFFICER, SUPERVISOR
from kiosk.ui.main_window import MainWindow
from kiosk.ui.screens.home import SELF_TEST
from kiosk.ui.self_test_checks import printer
from tests.ui.conftest import Station, make_window, real_checks, sign_in


def tour(qtbot: QtBot, station: Station) -> Iterator[tuple[str, MainWindow]]:
    """Yield (state name, window) with the window showing that state."""
    checks = [
        dataclasses.replace(c, work=printer(lambda: None)) if c.key == "printer" else c
        for c in real_checks(station)
    ]
    window = make_window(qtbot, station, checks=checks)
    yield "login", window
    sign_in(window, OFFICER, "wrong-password")
    yield "login-refused", window
    sign_in(window, OFFICER, station.passwords[OFFICER])
    yield "home-officer", window
    window.show_screen(SELF_TEST)
    yield "self-test", window
    window.lock()
    yield "lock", window
    sign_in(window, SUPERVISOR, station.passwords[SUPERVISOR])
    yield "home-supervisor", window


def visible_texts(root: QWidget) -> Iterator[QLabel | QAbstractButton]:
    """Every visible label and button under ``root`` that shows text."""
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton) and widget.isVisible() and widget.text():
            yield widget
