"""Sync on screen: an application enrolled and approved by keys goes to the reference server;
the supervisor's outbox screen shows it delivered and the server's verdict."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk import app
from kiosk.demo_accounts import ADMIN
from kiosk.domain.application import DeliveryState
from kiosk.face.worker import FaceWorker
from kiosk.ui.screens.review.outbox import OutboxScreen
from tests.ui.flow.conftest import (
    PHONE,
    SUPERVISOR,
    Station,
    at_contact,
    citizen_confirms,
    first_citizen,
    sign_in,
)

ROUNDS = 60
"""Reloads of the outbox screen (half a second apart) before giving up on the delivery."""


@pytest.fixture
def central(station: Station) -> Iterator[None]:
    """The reference server as a child process, this kiosk registered with it, its relay on."""
    kiosk = station.kiosk
    admin = kiosk.services.session.assume_demo_user(ADMIN)
    child = app.start_demo_central(kiosk, station.folder / "central", admin)
    kiosk.relay.start()
    yield
    kiosk.relay.stop()
    child.stop()


@pytest.mark.slow
@pytest.mark.usefixtures("central")
def test_an_approved_application_is_delivered_and_shown_in_the_outbox(
    qtbot: QtBot, station: Station, face_engine: FaceWorker, tmp_path: Path
) -> None:
    record = first_citizen()
    window, keys = at_contact(qtbot, station, face_engine, tmp_path, record)
    keys.type(PHONE)  # the officer types it for the citizen
    keys.press(Qt.Key.Key_Return)
    citizen_confirms(qtbot, window, keys)
    assert window.current_name() == "enrol_done"
    keys.press(Qt.Key.Key_Escape)
    qtbot.keyClick(keys.focused(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    sign_in(keys, station, SUPERVISOR)
    keys.press(Qt.Key.Key_F4)
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_F9)  # approve: the packet goes into the outbox
    keys.press(Qt.Key.Key_Escape)
    keys.press(Qt.Key.Key_Escape)
    keys.press(Qt.Key.Key_F7)
    outbox = window.current
    assert isinstance(outbox, OutboxScreen)
    assert outbox.lines
    keys.press(Qt.Key.Key_F5)  # retry now: the relay is woken
    for _ in range(ROUNDS):
        if outbox.lines[0].state is DeliveryState.DELIVERED and outbox.lines[0].server_verdict:
            break
        qtbot.wait(500)
        keys.press(Qt.Key.Key_F9)  # reload
    line = outbox.lines[0]
    assert line.state is DeliveryState.DELIVERED
    assert line.server_verdict is not None
    assert "Đã gửi" in outbox.items.item(0).text()
