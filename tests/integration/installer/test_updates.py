"""Signed update packages: only a file signed by the province's update key, unchanged, for this
name and no older than the running version, reaches the installer (kiosk.services.updates)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from kiosk.cli import main
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.messages import UPDATE_REASONS
from kiosk.services import updates
from tests.conftest import LogFail

NEWER = "99.0.0"


@pytest.fixture
def key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def _package(folder: Path, key: ed25519.Ed25519PrivateKey, version: str = NEWER) -> Path:
    package = folder / f"dinhdanh-kiosk_{version}_amd64.deb"
    package.write_bytes(b"!<arch>\n" + b"package body " * 100)
    updates.signature_path(package).write_text(updates.sign_update(package, version, key))
    return package


def _reason(package: Path, key: ed25519.Ed25519PublicKey) -> str:
    with pytest.raises(DomainError) as failed:
        updates.verify_update(package, updates.signature_path(package), key)
    assert failed.value.code is ErrorCode.UPDATE_INVALID
    assert failed.value.params["reason"] in UPDATE_REASONS  # worded in both languages
    return failed.value.detail


def test_a_signed_package_verifies(tmp_path: Path, key: ed25519.Ed25519PrivateKey) -> None:
    package = _package(tmp_path, key)
    verified = updates.verify_update(package, updates.signature_path(package), key.public_key())
    assert verified.version == NEWER
    assert len(verified.sha256) == 64


def test_changed_content_is_refused(tmp_path: Path, key: ed25519.Ed25519PrivateKey) -> None:
    package = _package(tmp_path, key)
    with package.open("ab") as handle:
        handle.write(b"x")
    assert "SHA-256" in _reason(package, key.public_key())


def test_another_key_is_refused(tmp_path: Path, key: ed25519.Ed25519PrivateKey) -> None:
    package = _package(tmp_path, key)
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    assert "does not verify" in _reason(package, other)


def test_a_changed_version_breaks_the_signature(
    tmp_path: Path, key: ed25519.Ed25519PrivateKey
) -> None:
    package = _package(tmp_path, key)
    signature = updates.signature_path(package)
    body = json.loads(signature.read_text())
    body["version"] = "100.0.0"
    signature.write_text(json.dumps(body))
    assert "does not verify" in _reason(package, key.public_key())


def test_a_signature_for_another_file_is_refused(
    tmp_path: Path, key: ed25519.Ed25519PrivateKey
) -> None:
    package = _package(tmp_path, key)
    renamed = package.with_name("dinhdanh-kiosk-nfc_99.0.0_all.deb")
    package.rename(renamed)
    updates.signature_path(package).rename(updates.signature_path(renamed))
    assert "signature names" in _reason(renamed, key.public_key())


def test_an_older_version_is_refused(tmp_path: Path, key: ed25519.Ed25519PrivateKey) -> None:
    package = _package(tmp_path, key, version="0.0.1")
    assert "older than the running" in _reason(package, key.public_key())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        '{"format": "other/1"}',
        '{"format": "kiosk-update/1", "file": "a"}',
        "x" * 5000,
    ],
)
def test_malformed_signature_files_are_refused(
    tmp_path: Path, key: ed25519.Ed25519PrivateKey, text: str
) -> None:
    package = _package(tmp_path, key)
    updates.signature_path(package).write_text(text)
    assert "malformed" in _reason(package, key.public_key())


def test_install_runs_dpkg_on_a_verified_private_copy(
    tmp_path: Path, key: ed25519.Ed25519PrivateKey
) -> None:
    package = _package(tmp_path, key)
    seen: list[tuple[list[str], bytes]] = []

    def installer(command: Sequence[str]) -> int:
        seen.append((list(command), Path(command[-1]).read_bytes()))
        return 0

    installed = updates.install_update(
        package, updates.signature_path(package), key.public_key(), installer
    )
    assert installed.version == NEWER
    [(command, content)] = seen
    assert command[:2] == ["dpkg", "-i"]
    assert Path(command[2]).name == package.name
    assert Path(command[2]).parent != package.parent
    assert content == package.read_bytes()


def test_install_never_runs_the_installer_on_a_bad_package(
    tmp_path: Path, key: ed25519.Ed25519PrivateKey
) -> None:
    package = _package(tmp_path, key)
    package.write_bytes(b"tampered")
    ran: list[Sequence[str]] = []

    def installer(command: Sequence[str]) -> int:
        ran.append(command)
        return 0

    with pytest.raises(DomainError):
        updates.install_update(
            package, updates.signature_path(package), key.public_key(), installer
        )
    assert ran == []


def test_a_failing_installer_is_reported(
    tmp_path: Path, key: ed25519.Ed25519PrivateKey, logfail: LogFail
) -> None:
    logfail.allow("kiosk.services.updates", "installer exited")
    package = _package(tmp_path, key)
    with pytest.raises(DomainError) as failed:
        updates.install_update(
            package, updates.signature_path(package), key.public_key(), lambda _command: 1
        )
    assert failed.value.code is ErrorCode.UPDATE_FAILED


def test_installer_commands_per_platform(tmp_path: Path) -> None:
    assert updates.installer_command(tmp_path / "a.deb", "linux") == [
        "dpkg",
        "-i",
        str(tmp_path / "a.deb"),
    ]
    assert updates.installer_command(tmp_path / "a.exe", "win32") == [str(tmp_path / "a.exe"), "/S"]
    with pytest.raises(DomainError):
        updates.installer_command(tmp_path / "a.exe", "linux")


def test_the_command_verifies_against_the_settings_key(
    tmp_path: Path, key: ed25519.Ed25519PrivateKey, capsys: pytest.CaptureFixture[str]
) -> None:
    public = tmp_path / "update-key.pem"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[security]\nupdate_public_key = "{public}"\n', encoding="utf-8")
    package = _package(tmp_path, key)
    assert main(["--config", str(config), "update", "verify", str(package), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == NEWER
    package.write_bytes(b"tampered")
    assert main(["--config", str(config), "update", "verify", str(package), "--json"]) == 5
    assert json.loads(capsys.readouterr().out)["valid"] is False


def test_the_command_needs_the_update_key(
    tmp_path: Path, key: ed25519.Ed25519PrivateKey, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("", encoding="utf-8")
    package = _package(tmp_path, key)
    assert main(["--config", str(config), "update", "install", str(package), "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "config_invalid"
