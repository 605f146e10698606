"""The first run's settings file: what the wizard's answers write, the loader reads back the same,
and ``kiosk`` opens the wizard only when no settings file exists outside demo mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.commands.first_run import needs_first_run
from kiosk.config import DeviceSettings, StationSettings, load_settings
from kiosk.machine_setup import write_settings_file
from kiosk.services.first_run import AccountAnswer, MachineSetup, render_settings, settings_from


def test_written_settings_read_back_the_same(tmp_path: Path) -> None:
    account = AccountAnswer("a", "A", "1", "p" * 10)
    setup = MachineSetup(
        admin=account,
        supervisor=account,
        station=StationSettings("79", "26734", 'Công an phường "Bến Thành" \\ Q1', 7),
        devices=DeviceSettings(card_reader="nfcpy", reader_name="usb:054c:06c3", camera_index=1),
        data_dir=tmp_path / "dữ liệu",
        backup_dir=tmp_path / "backups",
        recovery_public_key=tmp_path / "recovery.pem",
        server_url="https://central.example/api",
    )
    expected = settings_from(setup)
    target = tmp_path / "etc" / "kiosk.toml"
    write_settings_file(render_settings(expected), target)
    loaded = load_settings(target)
    assert loaded.station == expected.station
    assert loaded.devices == expected.devices
    assert loaded.paths == expected.paths
    assert loaded.security == expected.security
    assert loaded.server == expected.server
    assert loaded.log_dir == tmp_path / "dữ liệu" / "logs"
    assert oct(target.stat().st_mode & 0o777) == "0o640"
    assert [p.name for p in target.parent.iterdir()] == ["kiosk.toml"]  # no temporary left


def test_the_wizard_opens_only_without_settings_outside_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIOSK_DEMO", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    missing = tmp_path / "kiosk.toml"
    assert needs_first_run(missing, demo=False)
    assert not needs_first_run(missing, demo=True)
    missing.write_text("", encoding="utf-8")
    assert not needs_first_run(missing, demo=False)
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "other.toml"))
    assert needs_first_run(None, demo=False)
