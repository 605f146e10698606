"""The first run's settings file: what the wizard's answers write, the loader reads back the same,
and ``kiosk`` opens the wizard only when no settings file exists outside demo mode; completing
the first run imports the CSCA and registers with a real reference server, or says why not."""

from __future__ import annotations

import dataclasses
import os
import pwd
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from kiosk.app import Kiosk, build
from kiosk.commands.first_run import needs_first_run
from kiosk.config import DeviceSettings, StationSettings, load_settings
from kiosk.domain.errors import ErrorCode
from kiosk.emrtd.auth.master_list import fingerprint
from kiosk.machine_setup import MachineSetupBackend, write_settings_file
from kiosk.services.first_run import AccountAnswer, MachineSetup, render_settings, settings_from
from kiosk.sync.child import CentralChild, ReadyServer
from kiosk.sync.envelope import kiosk_key_id
from tests.conftest import LogFail
from tests.integration.services.test_trust import pem
from tests.unit.emrtd.auth.conftest import CertMaker

ADMIN = AccountAnswer("quantri", "Nguyễn Văn Quản", "123-456", "q" * 12)
SUPERVISOR = AccountAnswer("lanhdao", "Lê Thị Duyệt", "654-321", "l" * 12)
ABSENT_ACCOUNT = "kiosk-test-absent"
"""Completed as root, the data would go to this account; it does not exist, so it stays root's."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadyServer]:
    """The reference central server on loopback, run as the sync tests' world runs it."""
    with CentralChild(tmp_path_factory.mktemp("central")) as child:
        assert child.ready is not None
        yield child.ready


def _machine_setup(tmp_path: Path, **answers: Any) -> MachineSetup:
    """The wizard's answers with every folder under ``tmp_path`` and a fresh recovery key."""
    recovery = tmp_path / "recovery.pem"
    recovery.write_bytes(
        x25519.X25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    setup = MachineSetup(
        admin=ADMIN,
        supervisor=SUPERVISOR,
        station=StationSettings("01", "00004", "Công an phường Ba Đình", 1),
        devices=DeviceSettings(),
        data_dir=tmp_path / "data",
        backup_dir=tmp_path / "second-disk" / "backups",
        recovery_public_key=recovery,
    )
    return dataclasses.replace(setup, **answers)


@contextmanager
def _reopened(target: Path) -> Iterator[Kiosk]:
    """The kiosk composed again from the settings file the first run wrote."""
    kiosk = build(load_settings(target))
    try:
        yield kiosk
    finally:
        kiosk.operations.engine.dispose()


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
    backend = MachineSetupBackend(tmp_path / "etc" / "kiosk.toml", account="nobody")
    outcome = backend.complete(_machine_setup(tmp_path))
    assert not outcome.registered
    assert outcome.registration_error is None  # not tried: no server given
    owned = [tmp_path / "data", tmp_path / "second-disk" / "backups", tmp_path / "data" / "logs"]
    owned += list((tmp_path / "data").rglob("*"))
    assert any(path.name.endswith(".key") for path in owned)
    assert {path.stat().st_uid for path in owned} == {nobody.pw_uid}
    assert (tmp_path / "etc" / "kiosk.toml").stat().st_uid == 0


def test_completed_with_a_csca_and_an_invitation_the_kiosk_trusts_it_and_is_registered(
    tmp_path: Path, server: ReadyServer, logfail: LogFail
) -> None:
    logfail.allow("kiosk.machine_setup", "no .* account to own the data")
    csca = CertMaker().csca()
    invite = server.invite
    assert invite is not None
    setup = _machine_setup(
        tmp_path,
        server_url=server.url,
        invite_code=invite,
        trust_file=pem(tmp_path / "csca.pem", csca.certificate),
    )
    target = tmp_path / "etc" / "kiosk.toml"
    outcome = MachineSetupBackend(target, account=ABSENT_ACCOUNT).complete(setup)
    assert outcome.registered
    assert outcome.registration_error is None

    assert load_settings(target).server.url == server.url
    with _reopened(target) as kiosk:
        anchors = kiosk.services.trust.report(date.today()).anchors
        assert [anchor.fingerprint for anchor in anchors] == [fingerprint(csca.certificate).hex()]
        with kiosk.context.read() as uow:
            state = uow.sync_state.get()
            events = {e.fields.action: e.fields for e in uow.audit.entries()}
        assert state.is_registered
        assert state.server_url == server.url.rstrip("/")
        assert state.kiosk_id == kiosk_key_id(kiosk.context.signing_public_key)
        admin = kiosk.services.session.login(ADMIN.username, ADMIN.password)
        assert events["trust_import"].actor == str(admin.id)
        assert events["trust_import"].subject == "csca.pem"
        assert events["kiosk_register"].actor == str(admin.id)


def test_a_refused_invitation_is_reported_and_everything_else_is_done(
    tmp_path: Path, server: ReadyServer, logfail: LogFail
) -> None:
    logfail.allow("kiosk.machine_setup", "no .* account to own the data")
    logfail.allow("kiosk.machine_setup", "registration failed")
    wrong = f"KI1.{'B' * 32}.{server.pin}"  # the server's pin, a token it never issued
    setup = _machine_setup(
        tmp_path,
        server_url=server.url,
        invite_code=wrong,
        trust_file=pem(tmp_path / "csca.pem", CertMaker().csca().certificate),
    )
    target = tmp_path / "etc" / "kiosk.toml"
    outcome = MachineSetupBackend(target, account=ABSENT_ACCOUNT).complete(setup)
    assert not outcome.registered
    assert outcome.registration_error is not None
    assert outcome.registration_error.code is ErrorCode.INVITE_INVALID
    assert outcome.settings_file == target

    # `kiosk register` can finish the job: the address is kept, nothing half-registered.
    assert load_settings(target).server.url == server.url
    with _reopened(target) as kiosk:
        assert len(kiosk.services.trust.report(date.today()).anchors) == 1
        with kiosk.context.read() as uow:
            state = uow.sync_state.get()
            actions = [e.fields.action for e in uow.audit.entries()]
        assert not state.is_registered
        assert state.kiosk_id is None
        assert "trust_import" in actions
        assert "kiosk_register" not in actions
        admin = kiosk.services.session.login(ADMIN.username, ADMIN.password)
        assert {user.username for user in kiosk.services.users.list(admin)} == {
            ADMIN.username,
            SUPERVISOR.username,
        }
