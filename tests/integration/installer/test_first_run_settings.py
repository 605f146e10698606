"""The first run's settings file: what the wizard's answers write, the loader reads back the same,
and ``kiosk`` opens the wizard only when no settings file exists outside demo mode."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from kiosk.commands.first_run import needs_first_run
from kiosk.config import DeviceSettings, StationSettings, load_settings
from kiosk.machine_setup import MachineSetupBackend, write_settings_file
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


@pytest.mark.skipif(os.geteuid() != 0, reason="handing the data over needs root (as CI runs)")
def test_completed_as_root_the_data_belongs_to_the_kiosk_account(tmp_path: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    recovery = tmp_path / "recovery.pem"
    recovery.write_bytes(
        x25519.X25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    setup = MachineSetup(
        admin=AccountAnswer("quantri", "Nguyễn Văn Quản", "123-456", "q" * 12),
        supervisor=AccountAnswer("lanhdao", "Lê Thị Duyệt", "654-321", "l" * 12),
        station=StationSettings("01", "00004", "Công an phường Ba Đình", 1),
        devices=DeviceSettings(),
        data_dir=tmp_path / "data",
        backup_dir=tmp_path / "second-disk" / "backups",
        recovery_public_key=recovery,
    )
    backend = MachineSetupBackend(tmp_path / "etc" / "kiosk.toml", account="nobody")
    outcome = backend.complete(setup)
    assert not outcome.registered
    assert outcome.registration_error is None  # not tried: no server given
    owned = [tmp_path / "data", tmp_path / "second-disk" / "backups", tmp_path / "data" / "logs"]
    owned += list((tmp_path / "data").rglob("*"))
    assert any(path.name.endswith(".key") for path in owned)
    assert {path.stat().st_uid for path in owned} == {nobody.pw_uid}
    assert (tmp_path / "etc" / "kiosk.toml").stat().st_uid == 0
