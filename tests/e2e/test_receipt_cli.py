"""``kiosk receipt print|verify`` and ``kiosk report daily`` after a headless demo run."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kiosk import cli
from tests.support.demo_run import DemoRun

EXIT_INVALID = 5


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str
) -> tuple[int, dict[str, object]]:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = cli.main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def demo_report(demo_run: DemoRun, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The report of this test's copy of the session's headless demo, the copy's kiosk set."""
    monkeypatch.setenv("KIOSK_DEMO", "1")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(demo_run.run / "kiosk"))
    return demo_run.report


def test_the_demo_prints_a_receipt_that_verifies(
    demo_report: dict[str, object],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stages: list[dict[str, Any]] = demo_report["stages"]  # type: ignore[assignment]
    assert {"name": "receipt", "outcome": "ok"}.items() <= next(
        stage for stage in stages if stage["name"] == "receipt"
    ).items()
    demo_pdf = Path(str(demo_report["receipt_pdf"]))
    code, data = run(capsys, monkeypatch, "receipt", "verify", str(demo_pdf))
    assert code == 0
    assert data["valid"] is True
    assert data["application_id"] == demo_report["application_id"]
    assert data["demo"] is True

    target = tmp_path / "again.pdf"
    code, data = run(
        capsys,
        monkeypatch,
        "receipt",
        "print",
        str(demo_report["application_id"]),
        "--out",
        str(target),
    )
    assert code == 0, data
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(target), str(tmp_path / "photo")],
        check=True,
    )
    code, data = run(capsys, monkeypatch, "receipt", "verify", str(tmp_path / "photo.png"))
    assert code == 0
    assert data["kind"] == "receipt"


def test_a_flipped_byte_fails_with_exit_5(
    demo_report: dict[str, object],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pdf = Path(str(demo_report["receipt_pdf"])).read_bytes()
    start = pdf.index(b"/Subject (") + len(b"/Subject (")
    token = pdf[start : pdf.index(b")", start)].decode()
    code, data = run(capsys, monkeypatch, "receipt", "verify", "--text", token)
    assert (code, data["valid"]) == (0, True)
    header, payload, signature = token.split(".")
    position = len(payload) // 2
    flipped = (
        payload[:position] + ("x" if payload[position] != "x" else "y") + payload[position + 1 :]
    )
    code, data = run(
        capsys, monkeypatch, "receipt", "verify", "--text", f"{header}.{flipped}.{signature}"
    )
    assert code == EXIT_INVALID
    assert data == {"valid": False, "reason": "signature"}


def test_the_daily_report_command(
    demo_report: dict[str, object],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "report.pdf"
    code, data = run(capsys, monkeypatch, "report", "daily", "--out", str(target))
    assert code == 0, data
    assert target.read_bytes().startswith(b"%PDF")
    rows: list[dict[str, Any]] = data["by_officer"]  # type: ignore[assignment]
    (row,) = rows
    assert row["states"] == {"approved": 1}
    assert data["waiting_review"] == 0
