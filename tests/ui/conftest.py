"""The shell over real services: a demo kiosk on a temporary SQLite file, one per test module.

Accounts are made once per module (Argon2 takes about a second per password). Jobs run inline
unless a test builds a threaded runner, so screen tests are deterministic.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk, build
from kiosk.config import PathSettings, SecuritySettings, Settings
from kiosk.demo_accounts import ensure_demo_accounts
from kiosk.devices.camera.files import FileCamera
from kiosk.devices.scanner.files import FileScanner
from kiosk.devices.sim.reader import simulated_reader
from kiosk.i18n import set_language
from kiosk.services.devices_status import DeviceStatusService
from kiosk.ui.application import configure
from kiosk.ui.citizen.placement import Placement
from kiosk.ui.citizen.view_model import CitizenViewModel
from kiosk.ui.context import ShellContext
from kiosk.ui.jobs import JobRunner
from kiosk.ui.main_window import LOGIN, MainWindow
from kiosk.ui.self_test_checks import Equipment, SelfTestCheck, standard_checks

TEST_PRINTER = "Máy in thử"
CLOCK_OFFSET = timedelta(seconds=2)
FACES = Path(__file__).resolve().parents[2] / "resources" / "demo" / "faces"
OFFSCREEN_NOTICE = "This plugin does not support propagateSizeHints"
"""What the offscreen platform says when a window is shown; harmless (environment.md §5)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOTICE))
            item.add_marker(pytest.mark.usefixtures("gui_thread_collection"))


@pytest.fixture
def _keep_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put back the exception hooks the shell installs (``install_excepthook``)."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)


@dataclass
class Station:
    """A built kiosk and the passwords of its demo accounts."""

    kiosk: Kiosk
    passwords: dict[str, str]
    devices: DeviceStatusService


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Station:
    data = tmp_path_factory.mktemp("kiosk")
    settings = Settings(
        demo=True,
        paths=PathSettings(data_dir=str(data)),
        security=SecuritySettings(lockout_attempts=2),
    )
    kiosk = build(settings)
    return Station(kiosk, ensure_demo_accounts(kiosk), simulated_devices(data))


def simulated_devices(data: Path, *, demo: bool = True) -> DeviceStatusService:
    """The demo's simulated reader, a file camera and a file scanner behind the service."""
    return DeviceStatusService(
        demo=demo,
        card_reader=simulated_reader(None, data / "pki"),
        camera=FileCamera(FACES / "grace_hopper.jpg"),
        scanner=FileScanner(FACES / "astronaut.png"),
    )


@pytest.fixture(autouse=True)
def _vietnamese(qapp: QApplication) -> Iterator[None]:
    configure(qapp)
    set_language("vi")
    yield
    set_language("vi")


@pytest.fixture(autouse=True)
def _closed_windows_deleted(qapp: QApplication) -> Iterator[None]:
    """Delete the windows pytest-qt closed after the test, as the app's event loop would.

    pytest-qt only asks for their deletion; ``processEvents`` never performs it, so without
    this a closed window would live on, half torn down, into the next tests.
    """
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def station_equipment(station: Station) -> Equipment:
    """The station's devices; a printer, the server's time and an encrypted disk as the test says.

    The test machine may have no printer, no server, and any disk: the disk probe itself is
    tested on fake /proc and /sys trees (test_disk_encryption.py).
    """
    return Equipment(
        devices=lambda: station.devices,
        clock_offset=lambda: CLOCK_OFFSET,
        printer=lambda: TEST_PRINTER,
        disk_encrypted=lambda folder: True,
    )


def real_checks(station: Station, equipment: Equipment | None = None) -> list[SelfTestCheck]:
    """The real checks over ``equipment`` (by default ``station_equipment``)."""
    kiosk = station.kiosk
    return standard_checks(
        kiosk.services.audit, kiosk.settings.data_dir, equipment or station_equipment(station)
    )


def make_window(
    qtbot: QtBot,
    station: Station,
    *,
    runner: JobRunner | None = None,
    checks: list[SelfTestCheck] | None = None,
    citizen: CitizenViewModel | None = None,
) -> MainWindow:
    """A shown main window at the login screen, with the citizen view as a side panel."""
    kiosk = station.kiosk
    context = ShellContext(
        kiosk.settings,
        kiosk.services,
        runner or JobRunner(inline=True),
        citizen or CitizenViewModel(),
    )
    window = MainWindow.composed(context, checks or real_checks(station), Placement(None))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    assert window.current_name() == LOGIN
    return window


def sign_in(window: MainWindow, username: str, password: str) -> None:
    """Type the name and password on the screen in front and press Enter."""
    form = window.current.form  # type: ignore[attr-defined]
    form.username.setText(username)
    form.password.setText(password)
    form.submit()


@pytest.fixture
def window(qtbot: QtBot, station: Station) -> MainWindow:
    return make_window(qtbot, station)
