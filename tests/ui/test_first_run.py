"""The first-run wizard walked with simulated devices, one failing on purpose (issue 15).

The scanner points at a folder that does not exist, so its check fails: the devices page stays
blocked until the administrator ticks "skip", and the skip is in the audit log afterwards. The
settings file the wizard wrote is read back with the kiosk's own loader, and the kiosk composed
from it has the two accounts.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from kiosk.app import build
from kiosk.config import DeviceSettings, load_settings
from kiosk.devices.camera.files import FileCamera
from kiosk.devices.scanner.files import FileScanner
from kiosk.devices.sim.reader import simulated_reader
from kiosk.machine_setup import MachineSetupBackend
from kiosk.services.devices_status import DeviceStatusService
from kiosk.ui.first_run.wizard import FirstRunWizard
from kiosk.ui.jobs import JobRunner
from kiosk.ui.self_test_checks import CheckState
from tests.conftest import LogFail
from tests.ui.conftest import FACES, TEST_PRINTER

ADMIN_PASSWORD = "quan-tri-2026!"
SUPERVISOR_PASSWORD = "lanh-dao-2026!"


def _recovery_key(folder: Path) -> Path:
    path = folder / "recovery.pem"
    public = x25519.X25519PrivateKey.generate().public_key()
    path.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def _fill_accounts(wizard: FirstRunWizard) -> None:
    page = wizard.accounts
    for fields, values in (
        (page.admin, ("QuanTri", "Nguyễn Văn Quản", "123-456", ADMIN_PASSWORD)),
        (page.supervisor, ("lanhdao", "Lê Thị Duyệt", "654-321", SUPERVISOR_PASSWORD)),
    ):
        username, name, number, password = values
        fields.username.setText(username)
        fields.full_name.setText(name)
        fields.service_number.setText(number)
        fields.password.setText(password)
        fields.repeat.setText(password)


def test_the_wizard_sets_up_the_machine(qtbot: QtBot, tmp_path: Path, logfail: LogFail) -> None:
    logfail.allow("kiosk.machine_setup", "no .* account to own the data")
    target = tmp_path / "etc" / "kiosk.toml"
    picked: list[DeviceSettings] = []

    def devices(choice: DeviceSettings) -> DeviceStatusService:
        picked.append(choice)
        return DeviceStatusService(
            demo=True,
            card_reader=simulated_reader(None, tmp_path / "pki"),
            camera=FileCamera(FACES / "grace_hopper.jpg"),
            scanner=FileScanner(tmp_path / "no-document-camera"),
        )

    backend = MachineSetupBackend(target, account="kiosk-test-absent", devices=devices)
    wizard = FirstRunWizard(
        backend,
        JobRunner(inline=True),
        tmp_path / "data",
        tmp_path / "backups",
        printers=lambda: [TEST_PRINTER],
    )
    qtbot.addWidget(wizard)
    wizard.show()
    next_button = wizard.button(QWizard.WizardButton.NextButton)

    assert not next_button.isEnabled()
    _fill_accounts(wizard)
    wizard.accounts.supervisor.repeat.setText("khac-mat-khau!")
    wizard.next()
    assert wizard.currentPage() is wizard.accounts  # the repeat does not match
    wizard.accounts.supervisor.repeat.setText(SUPERVISOR_PASSWORD)
    wizard.next()
    assert wizard.currentPage() is wizard.unit

    wizard.unit.province.setText("01")
    wizard.unit.commune.setText("12A")
    wizard.unit.unit_name.setText("Công an phường Ba Đình")
    wizard.unit.counter.setValue(2)
    wizard.next()
    assert wizard.currentPage() is wizard.unit  # the commune code has five digits
    assert wizard.unit.error.text()
    wizard.unit.commune.setText("00004")
    wizard.next()
    assert wizard.currentPage() is wizard.devices

    page = wizard.devices
    page.reader.setEditText("ACS ACR1252 00 00")
    page.camera.setValue(0)
    page.scanner.setValue(2)
    assert not next_button.isEnabled()  # nothing tested yet
    page.run_checks()
    states = {key: row.state for key, row in page.rows.items()}
    assert states == {
        "card_reader": CheckState.PASSED,
        "camera": CheckState.PASSED,
        "scanner": CheckState.FAILED,
        "printer": CheckState.PASSED,
    }
    assert picked[-1].scanner_index == 2
    assert picked[-1].reader_name == "ACS ACR1252 00 00"
    assert not next_button.isEnabled()  # the failed scanner blocks the step
    assert not page.rows["camera"].skip.isEnabled()  # only a failed device can be skipped
    page.rows["scanner"].skip.setChecked(True)
    assert next_button.isEnabled()
    wizard.next()
    assert wizard.currentPage() is wizard.server
    wizard.next()  # registration left for `kiosk register`

    recovery = _recovery_key(tmp_path)
    wizard.trust.recovery.setText(str(recovery))
    wizard.trust.csca.setText(str(tmp_path / "missing-csca.pem"))
    wizard.next()
    assert wizard.currentPage() is wizard.trust  # a named file must exist
    wizard.trust.csca.clear()
    wizard.next()
    assert wizard.currentPage() is wizard.folders
    wizard.next()
    assert wizard.currentPage() is wizard.finish
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()

    wizard.finish.button.click()
    assert wizard.finish.done, wizard.finish.result.text()
    assert "kiosk register" in wizard.finish.result.text()
    assert oct(target.stat().st_mode & 0o777) == "0o640"

    settings = load_settings(target)
    assert not settings.demo
    assert settings.station.province_code == "01"
    assert settings.station.commune_code == "00004"
    assert settings.station.unit_name == "Công an phường Ba Đình"
    assert settings.station.counter == 2
    assert settings.devices.reader_name == "ACS ACR1252 00 00"
    assert settings.devices.scanner_index == 2
    assert settings.data_dir == tmp_path / "data"
    assert settings.backup_dir == tmp_path / "backups"
    assert settings.security.recovery_public_key == str(recovery)

    kiosk = build(settings)
    try:
        admin = kiosk.services.session.login("quantri", ADMIN_PASSWORD)
        accounts = {user.username: user for user in kiosk.services.users.list(admin)}
        assert accounts["quantri"].full_name == "Nguyễn Văn Quản"
        assert accounts["lanhdao"].service_number == "654-321"
        assert accounts["lanhdao"].role.value == "supervisor"
        with kiosk.context.read() as uow:
            skips = [
                e.fields for e in uow.audit.entries() if e.fields.action == "device_check_skip"
            ]
        assert [(fields.subject, fields.actor) for fields in skips] == [("scanner", str(admin.id))]
    finally:
        kiosk.operations.engine.dispose()
