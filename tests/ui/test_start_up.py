"""The desktop app reaches its login screen without loading what only later steps need.

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
from pathlib import Path

from tests.ui.conftest import Station

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


def test_the_login_screen_comes_up_without_the_heavy_libraries(station: Station) -> None:
    data = station.kiosk.settings.data_dir
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["screen"] == "login"
    loaded = {name.split(".")[0] for name in found["modules"]}
    assert loaded.isdisjoint(DEFERRED), sorted(loaded & set(DEFERRED))
