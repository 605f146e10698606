"""The first-run wizard: shown by ``kiosk`` when the machine has no settings and no demo is asked.

The administrator walks through the pages (``kiosk.ui.first_run.pages``); the last one runs the
completion as a background job through the backend the composition root hands in (the UI
never builds the store itself), then says what was done and what is left (registration with
``kiosk register`` when it was not done here).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from kiosk.config import DeviceSettings
from kiosk.domain.errors import CodedError
from kiosk.i18n import _
from kiosk.messages import describe
from kiosk.services.devices_status import DeviceStatusService
from kiosk.services.first_run import MachineSetup
from kiosk.ui.application import configure
from kiosk.ui.collector import gui_thread_collection
from kiosk.ui.first_run.pages import (
    AccountsPage,
    DevicesPage,
    FoldersPage,
    ServerPage,
    TrustPage,
    UnitPage,
)
from kiosk.ui.jobs import Job, JobRunner


class SetupOutcomeView(Protocol):
    """What the wizard shows of a completed first run."""

    @property
    def settings_file(self) -> Path:
        """Where the settings were written."""

    @property
    def registered(self) -> bool:
        """Whether registration with the central server succeeded."""

    @property
    def registration_error(self) -> CodedError | None:
        """Why registration failed, if it was tried."""


class FirstRunBackend(Protocol):
    """The machine side of the first run, provided by the composition root."""

    @property
    def target(self) -> Path:
        """Where the settings file will be written."""

    def device_status(self, devices: DeviceSettings) -> DeviceStatusService:
        """The self-test's device service for the picked devices."""

    def card_reader_names(self) -> list[str]:
        """The card readers present."""

    def can_write_settings(self) -> bool:
        """Whether this process may write the settings file."""

    def complete(self, setup: MachineSetup) -> SetupOutcomeView:
        """Write the settings and set up the store; raises a coded error on failure."""


def installed_printers() -> list[str]:
    """The system's printers, the default first."""
    names = list(QPrinterInfo.availablePrinterNames())
    default = QPrinterInfo.defaultPrinterName()
    return sorted(names, key=lambda name: name != default)


class FinishPage(QWizardPage):
    """Writes everything (a background job) and says what was done and what is left."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle(_("Hoàn tất cài đặt"))
        self.setSubTitle(_("Bấm «Ghi cấu hình» để tạo tài khoản, kho dữ liệu và tệp cấu hình."))
        self.button = QPushButton(_("Ghi cấu hình"), self)
        self.button.clicked.connect(wizard.write)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.button)
        layout.addWidget(self.result)
        self.done = False

    def isComplete(self) -> bool:
        """Finish only once the settings are written."""
        return self.done


class FirstRunWizard(QWizard):
    """The pages in order, and the completion job."""

    def __init__(
        self,
        backend: FirstRunBackend,
        runner: JobRunner,
        data_dir: Path,
        backup_dir: Path,
        printers: Callable[[], list[str]] = installed_printers,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Cài đặt trạm tiếp nhận"))
        # Qt ships no Vietnamese translation of its own buttons.
        buttons = QWizard.WizardButton
        for button, text in (
            (buttons.BackButton, _("< Quay lại")),
            (buttons.NextButton, _("Tiếp >")),
            (buttons.CancelButton, _("Hủy")),
            (buttons.FinishButton, _("Hoàn tất")),
        ):
            self.setButtonText(button, text)
        self._backend = backend
        self._runner = runner
        self.accounts = AccountsPage(self)
        self.unit = UnitPage(self)
        self.devices = DevicesPage(
            runner, backend.device_status, backend.card_reader_names, printers, self
        )
        self.server = ServerPage(self)
        self.trust = TrustPage(self)
        self.folders = FoldersPage(data_dir, backup_dir, self)
        self.finish = FinishPage(self)
        for page in (
            self.accounts,
            self.unit,
            self.devices,
            self.server,
            self.trust,
            self.folders,
            self.finish,
        ):
            self.addPage(page)
        if not backend.can_write_settings():
            self.accounts.error.setText(
                _(
                    "Không ghi được {path}: hãy chạy lần đầu với quyền quản trị (sudo kiosk)."
                ).format(path=backend.target)
            )

    def setup(self) -> MachineSetup:
        """The answers of every page."""
        trust = self.trust
        return MachineSetup(
            admin=self.accounts.admin.answer(),
            supervisor=self.accounts.supervisor.answer(),
            station=self.unit.station(),
            devices=self.devices.device_settings(),
            data_dir=Path(self.folders.data.text().strip()),
            backup_dir=Path(self.folders.backup.text().strip()),
            recovery_public_key=Path(trust.recovery.text().strip()),
            update_public_key=trust.optional(trust.update_key),
            server_url=self.server.url.text().strip(),
            invite_code=self.server.code.text().strip(),
            trust_file=trust.optional(trust.csca),
            skipped=self.devices.skipped(),
        )

    def write(self) -> None:
        """Run the completion as a job; the result (or the error) shows on the last page."""
        setup = self.setup()
        self.finish.button.setEnabled(False)
        handle = self._runner.prepare(
            Job(
                "first-run complete",
                "store",
                lambda progress, cancel: self._backend.complete(setup),
            )
        )
        handle.succeeded.connect(self._written)
        handle.failed.connect(lambda _message: self._failed(handle.error))
        self._runner.start(handle)

    def _written(self, outcome: SetupOutcomeView) -> None:
        lines = [_("Đã ghi cấu hình vào {path}.").format(path=outcome.settings_file)]
        if outcome.registered:
            lines.append(_("Đã đăng ký với máy chủ trung tâm."))
        elif outcome.registration_error is not None:
            message = describe(outcome.registration_error)
            lines.append(_("Chưa đăng ký được: {what}").format(what=message.what))
            lines.append(_("Đăng ký sau bằng lệnh «kiosk register --server URL --code MÃ»."))
        else:
            lines.append(_("Đăng ký sau bằng lệnh «kiosk register --server URL --code MÃ»."))
        lines.append(_("Khởi động lại phần mềm để bắt đầu làm việc."))
        self.finish.result.setText("\n".join(lines))
        self.finish.done = True
        self.finish.completeChanged.emit()

    def _failed(self, error: CodedError | None) -> None:
        if error is not None:
            message = describe(error)
            self.finish.result.setText(f"{message.title}: {message.what} {message.todo}")
        self.finish.button.setEnabled(True)


def run_first_run(backend: FirstRunBackend, data_dir: Path, backup_dir: Path) -> int:
    """Show the wizard; 0 once the machine is set up, 1 when the administrator cancelled."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # noqa: S101 - a GUI process
    configure(app)
    with gui_thread_collection(app):
        runner = JobRunner()
        wizard = FirstRunWizard(backend, runner, data_dir, backup_dir)
        wizard.resize(900, 700)
        accepted = wizard.exec() == QWizard.DialogCode.Accepted
        runner.cancel_all()
        runner.wait_for_done(5_000)
    return 0 if accepted else 1
