"""kiosk.system_env: a system program started by the frozen app gets the library path the app's
launcher found, not the bundle's (PyInstaller keeps it in LD_LIBRARY_PATH_ORIG)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.system_env import system_environment

BUNDLE = "/opt/kiosk/_internal:/opt/kiosk/_internal/cv2/../../lib"


def test_frozen_the_original_library_path_is_restored() -> None:
    environ = {"LD_LIBRARY_PATH": BUNDLE, "LD_LIBRARY_PATH_ORIG": "/usr/local/lib", "LANG": "vi_VN"}
    assert system_environment(environ, frozen=True) == {
        "LD_LIBRARY_PATH": "/usr/local/lib",
        "LANG": "vi_VN",
    }


def test_frozen_an_empty_original_stays_empty() -> None:
    environ = {"LD_LIBRARY_PATH": BUNDLE, "LD_LIBRARY_PATH_ORIG": ""}
    assert system_environment(environ, frozen=True) == {"LD_LIBRARY_PATH": ""}


def test_frozen_with_no_original_the_library_path_is_removed() -> None:
    assert system_environment({"LD_LIBRARY_PATH": BUNDLE, "HOME": "/root"}, frozen=True) == {
        "HOME": "/root"
    }


def test_outside_a_frozen_build_the_environment_is_an_unchanged_copy() -> None:
    environ = {"LD_LIBRARY_PATH": "/opt/own/lib", "LD_LIBRARY_PATH_ORIG": "/usr/local/lib"}
    copy = system_environment(environ, frozen=False)
    assert copy == environ
    assert copy is not environ


def test_a_child_of_the_frozen_process_sees_the_original_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The defaults: this process's environment and sys.frozen (set as PyInstaller sets it)."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", BUNDLE)
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    shown = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ['LD_LIBRARY_PATH'])"],
        env=system_environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown.strip() == "/usr/local/lib"
