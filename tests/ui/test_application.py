"""The entry point: the window opens at the login screen; uncaught errors become a dialog."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.demo_accounts import OFFICER
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.messages import UserMessage
from kiosk.ui.application import configure, install_excepthook, start
from kiosk.ui.bridges import Bridge
from kiosk.ui.errors import ErrorDialog, message_for
from kiosk.ui.main_window import LOGIN
from kiosk.ui.screens.home import SELF_TEST
from tests.conftest import LogFail
from tests.ui.conftest import Station, sign_in, station_equipment


@pytest.mark.usefixtures("_keep_hooks")
def test_start_opens_the_login_screen_with_the_demo_mark(
    qtbot: QtBot, station: Station, qapp: QApplication
) -> None:
    shell = start(station.kiosk.settings, station.kiosk.services)
    qtbot.addWidget(shell.window)
    assert shell.window.isVisible()
    assert shell.window.current_name() == LOGIN
    assert shell.window.windowTitle().endswith("DEMO")
    assert shell.window.citizen.isVisible()
    assert qapp.font().family() == "DejaVu Sans"
    shell.close()


def test_a_cancel_shows_nothing_and_a_coded_error_its_message() -> None:
    assert message_for(Cancelled()) is None
    message = message_for(DomainError(ErrorCode.ACCOUNT_LOCKED, minutes=7))
    assert message is not None
    assert "7" in message.todo


@pytest.mark.usefixtures("_keep_hooks")
def test_an_uncaught_error_on_any_thread_becomes_a_dialog_with_an_incident_id(
    qtbot: QtBot, logfail: LogFail
) -> None:
    logfail.allow("kiosk.ui.errors", "unexpected error, incident SC-")
    bridge = Bridge()
    install_excepthook(bridge)
    with qtbot.waitSignal(bridge.delivered, timeout=5_000) as caught:
        worker = threading.Thread(target=_fail)
        worker.start()
        worker.join()
    message = caught.args[0]
    assert isinstance(message, UserMessage)
    assert message.code is ErrorCode.INTERNAL
    assert "SC-" in message.what
    dialog = ErrorDialog(message)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == message.title


def _fail() -> None:
    raise RuntimeError("boom")


@pytest.mark.usefixtures("_keep_hooks")
def test_a_finished_self_test_run_is_reported_to_the_composition_root(
    qtbot: QtBot, station: Station
) -> None:
    results: list[bool] = []
    equipment = dataclasses.replace(station_equipment(station), record_result=results.append)
    shell = start(station.kiosk.settings, station.kiosk.services, equipment)
    qtbot.addWidget(shell.window)
    try:
        sign_in(shell.window, OFFICER, station.passwords[OFFICER])
        qtbot.waitUntil(lambda: shell.window.user is not None, timeout=20_000)
        shell.window.show_screen(SELF_TEST)
        qtbot.waitUntil(lambda: results == [True], timeout=30_000)
    finally:
        shell.close()


def test_configuring_again_keeps_the_style_the_widgets_were_polished_with(
    qapp: QApplication,
) -> None:
    configure(qapp)
    style = qapp.style()
    configure(qapp)
    assert qapp.style() is style
    assert qapp.font().family() == "DejaVu Sans"
