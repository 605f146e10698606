"""The desktop app reaches its login screen without loading what only later steps need.

Its window comes up before the kiosk is composed (the composition loads the services' stack on a
worker thread); a sign-in typed meanwhile waits for it, and a failed composition is shown.

OpenCV, numpy, reportlab, Alembic, dlib and the reader stacks cost seconds of start on the
counter's machine (docs/benchmarks.md); they load on first use instead. A fresh interpreter
takes the app's path (the command line naming no group, the composition root on a database
already at head, the window at the login screen) and reports what it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.demo_accounts import OFFICER
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.messages import describe
from kiosk.ui.application import Composed, open_shell
from kiosk.ui.errors import ErrorDialog
from kiosk.ui.main_window import HOME
from kiosk.ui.screens.home import SELF_TEST
from tests.ui.conftest import Station, sign_in, station_equipment

DEFERRED = ("cv2", "numpy", "reportlab", "alembic", "dlib", "face_recognition", "smartcard", "nfc")

CHILD = """
import json, sys
from PySide6.QtWidgets import QApplication
from kiosk.cli import build_parser
from kiosk.app import build
from kiosk.config import PathSettings, Settings
from kiosk.ui.application import start

build_parser(["--demo"]).parse_args(["--demo"])
app = QApplication(sys.argv[:1])
settings = Settings(demo=True, paths=PathSettings(data_dir=sys.argv[1]))
kiosk = build(settings)
shell = start(settings, kiosk.services)
app.processEvents()
print(json.dumps({"screen": shell.window.current_name(), "modules": sorted(sys.modules)}))
shell.close()
"""


def _login_in_child(code: str, station: Station) -> list[str]:
    """Run ``code`` in a fresh interpreter on the station's data; the modules it had loaded."""
    data = station.kiosk.settings.data_dir
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(data)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["screen"] == "login"
    modules: list[str] = found["modules"]
    return modules


def test_the_login_screen_comes_up_without_the_heavy_libraries(station: Station) -> None:
    loaded = {name.split(".")[0] for name in _login_in_child(CHILD, station)}
    assert loaded.isdisjoint(DEFERRED), sorted(loaded & set(DEFERRED))


SERVICES_STACK = ("sqlalchemy", "requests", "cryptography.x509", "argon2", "kiosk.app")
"""What the services and the composition root load: the desktop app loads it after the login."""

OPENING_CHILD = """
import json, sys, threading
from PySide6.QtWidgets import QApplication
from kiosk.cli import build_parser
import kiosk.commands.gui  # the desktop command, on the way to the window too
from kiosk.config import PathSettings, Settings
from kiosk.domain.errors import Cancelled
from kiosk.ui.application import open_shell

build_parser(["--demo"]).parse_args(["--demo"])
app = QApplication(sys.argv[:1])
settings = Settings(demo=True, paths=PathSettings(data_dir=sys.argv[1]))
held = threading.Event()

def compose():
    held.wait()
    raise Cancelled

shell = open_shell(settings, compose, lambda: None)
app.processEvents()
print(json.dumps({"screen": shell.window.current_name(), "modules": sorted(sys.modules)}))
held.set()
shell.close()
"""


def test_the_desktop_app_shows_its_login_screen_before_loading_the_services(
    station: Station,
) -> None:
    # The composition is held back, so the modules loaded are those of the way to the window.
    assert set(_login_in_child(OPENING_CHILD, station)).isdisjoint(SERVICES_STACK)


@pytest.mark.usefixtures("_keep_hooks")
def test_a_sign_in_typed_during_the_composition_goes_through_when_it_is_done(
    qtbot: QtBot, station: Station
) -> None:
    held = threading.Event()
    composed: list[bool] = []

    def compose() -> Composed:
        held.wait(30)
        return Composed(station.kiosk.services, station_equipment(station))

    shell = open_shell(station.kiosk.settings, compose, lambda: composed.append(True))
    qtbot.addWidget(shell.window)
    try:
        sign_in(shell.window, OFFICER, station.passwords[OFFICER])
        assert shell.window.user is None
        assert SELF_TEST not in shell.window.screens
        held.set()
        qtbot.waitUntil(lambda: shell.window.user is not None, timeout=20_000)
        assert composed == [True]
        assert shell.window.current_name() == HOME
    finally:
        held.set()
        shell.close()


@pytest.mark.usefixtures("_keep_hooks")
def test_a_failed_composition_is_shown_and_every_sign_in_says_so(
    qtbot: QtBot, station: Station
) -> None:
    def compose() -> Composed:
        raise DomainError(ErrorCode.CONFIG_MISSING, "no settings file")

    shown: list[str] = []

    def close_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ErrorDialog):
            shown.append(dialog.windowTitle())
            dialog.reject()

    closer = QTimer()
    closer.timeout.connect(close_dialog)
    closer.start(10)
    shell = open_shell(station.kiosk.settings, compose, lambda: None)
    qtbot.addWidget(shell.window)
    try:
        qtbot.waitUntil(lambda: len(shown) == 1, timeout=20_000)
        assert shown == [describe(DomainError(ErrorCode.CONFIG_MISSING)).title]
        sign_in(shell.window, OFFICER, station.passwords[OFFICER])
        form = shell.window.current.form  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: not form.busy, timeout=20_000)
        assert form.banner.error.code is ErrorCode.CONFIG_MISSING
        assert shell.window.user is None
    finally:
        closer.stop()
        shell.close()
