"""A power cut mid-application: the app is SIGKILLed after the face step and one document scan,
and the restarted app offers the draft with the chip read, both portraits, the match result and
the scan intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app import build
from kiosk.config import PathSettings, Settings
from kiosk.demo_accounts import OFFICER, ensure_demo_accounts

CHILD = [sys.executable, "-m", "tests.ui.flow.crash_child"]
REPO = Path(__file__).resolve().parents[3]


def child(phase: str, data: Path, password: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [*CHILD, phase, str(data), password],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the face worker dies with it
    )


@pytest.mark.slow
def test_a_killed_app_offers_the_draft_intact_after_a_restart(tmp_path: Path) -> None:
    settings = Settings(demo=True, paths=PathSettings(data_dir=str(tmp_path)))
    password = ensure_demo_accounts(build(settings))[OFFICER]

    capture = child("capture", tmp_path, password)
    assert capture.stdout is not None
    line = capture.stdout.readline()
    assert line.split() == ["ready", "enrol_contact"], (
        capture.stderr.read() if capture.stderr else ""
    )
    os.killpg(capture.pid, signal.SIGKILL)  # a power cut: the app and its face worker
    capture.communicate(timeout=30)
    assert capture.returncode == -signal.SIGKILL

    resume = child("resume", tmp_path, password)
    out, err = resume.communicate(timeout=120)
    assert resume.returncode == 0, err
    found = json.loads(out.strip().splitlines()[-1])
    assert found["screen"] == "enrol_contact"
    assert found["state"] == "draft"
    assert found["chip_verdict"] == "genuine"
    assert found["face_gate"] == "passed"
    assert found["live_portrait"]
    assert found["chip_portrait"]
    assert {"DG1", "DG2", "DG13", "EF.SOD"} <= set(found["chip_evidence_files"])
    assert found["documents"] == ["gplx"]
    assert not found["consent"]  # the citizen confirms again
    assert found["id_number"] in found["summary"]
    assert "Khuôn mặt khớp" in found["summary"]
