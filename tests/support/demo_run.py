"""One ``kiosk demo --headless`` run for the whole session, and a private copy of it per test.

A headless demo is a whole enrolment with a face match (about 20 s on a loaded two-core
machine); the tests that start from one (the receipt, records, support-bundle and
no-plaintext tests) only need its result. ``demo_run_template`` runs it once, as the installed
``kiosk`` script in a process of its own with a private ``HOME`` and ``TMPDIR`` (what the
no-plaintext test searches); ``demo_run`` gives each test a copy of those folders and of the
report, so what one test writes (a reprinted receipt, an audited read, a backup, a log line)
is never seen by another. Nothing in the run folder names its own path, so a copy works as the
original does.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class DemoRun:
    """A finished headless demo: its folders and the report it printed with ``--json``."""

    root: Path
    report: dict[str, Any]

    @property
    def run(self) -> Path:
        """The ``--data-dir`` of the run: ``kiosk/`` (store, keys, logs), ``sim/``, ``central/``."""
        return self.root / "run"

    @property
    def home(self) -> Path:
        """The run's ``HOME`` (``platformdirs`` puts the command line's own log there)."""
        return self.root / "home"

    @property
    def temp(self) -> Path:
        """The run's ``TMPDIR``."""
        return self.root / "tmp"

    @property
    def environment(self) -> dict[str, str]:
        """The private environment the run had, for further commands on this copy."""
        return private_environment(self.home, self.temp)


def private_environment(home: Path, temp: Path) -> dict[str, str]:
    """This process's environment for a product child: demo mode, its own HOME and TMPDIR.

    No inherited KIOSK_* (configuration, data folder) and no XDG_* (platformdirs would put logs
    outside ``home``).
    """
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("KIOSK_", "XDG_")) and name not in {"TMP", "TEMP"}
    }
    return {**kept, "HOME": str(home), "TMPDIR": str(temp), "KIOSK_DEMO": "1"}


def run_kiosk(args: list[str], env: Mapping[str, str]) -> dict[str, Any]:
    """Run the installed ``kiosk`` script with ``--json``; it must succeed. Its JSON output."""
    script = Path(sys.executable).with_name("kiosk")
    assert script.exists(), f"the kiosk script is not installed beside {sys.executable}"
    done = subprocess.run(
        [str(script), *args, "--json"],
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="session")
def demo_run_template(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The session's one headless demo; never written to (tests use ``demo_run``)."""
    root = tmp_path_factory.mktemp("demo-run")
    template = DemoRun(root, {})
    template.home.mkdir()
    template.temp.mkdir()
    report = run_kiosk(
        ["demo", "--headless", "--data-dir", str(template.run)], template.environment
    )
    return DemoRun(root, report)


@pytest.fixture
def demo_run(demo_run_template: DemoRun, tmp_path: Path) -> DemoRun:
    """This test's own copy of the session's headless demo (folders and report)."""
    root = tmp_path / "demo-run"
    shutil.copytree(demo_run_template.root, root, symlinks=True)
    old, new = str(demo_run_template.root), str(root)
    report = copy.deepcopy(demo_run_template.report)
    for key in ("data_dir", "receipt_pdf"):
        if isinstance(report[key], str):
            report[key] = report[key].replace(old, new, 1)
    return DemoRun(root, report)
