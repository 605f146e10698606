"""The first-run wizard's pages: accounts, unit, devices, server, trust and keys, folders.

Each page checks its own answers before the administrator moves on (``validatePage``), with the
domain's own rules (an account's service number, the unit's codes), and shows what is wrong in
Vietnamese on the page. The devices page runs the self-test's own device checks; a device whose
check did not pass blocks the page until it passes or the administrator ticks "skip" for it,
which the completion step records in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from kiosk.config import DeviceSettings, StationSettings
from kiosk.domain.errors import CodedError, DomainError
from kiosk.domain.ids import new_user_id
from kiosk.domain.users import Role, Unit, User
from kiosk.i18n import N_, _
from kiosk.messages import describe
from kiosk.services.devices_status import DeviceStatusService
from kiosk.services.first_run import AccountAnswer
from kiosk.ui.jobs import Job, JobRunner
from kiosk.ui.self_test_checks import (
    CheckOutcome,
    CheckState,
    SelfTestCheck,
    device_checks,
    printer,
)

MIN_PASSWORD = 10
"""The account policy's shortest password (services.context.AccountPolicy)."""


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("errorTitle")
    label.setWordWrap(True)
    return label


def _show(label: QLabel, error: CodedError) -> None:
    message = describe(error)
    label.setText(f"{message.title}: {message.what} {message.todo}")


class _AccountFields:
    """The four fields of one account and a repeat of the password."""

    def __init__(self, title: str, parent: QWidget) -> None:
        self.box = QGroupBox(title, parent)
        self.username = QLineEdit(self.box)
        self.full_name = QLineEdit(self.box)
        self.service_number = QLineEdit(self.box)
        self.password = QLineEdit(self.box)
        self.repeat = QLineEdit(self.box)
        for field in (self.password, self.repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self.box)
        form.addRow(_("Tên đăng nhập"), self.username)
        form.addRow(_("Họ và tên"), self.full_name)
        form.addRow(_("Số hiệu"), self.service_number)
        form.addRow(_("Mật khẩu"), self.password)
        form.addRow(_("Nhập lại mật khẩu"), self.repeat)

    def fields(self) -> tuple[QLineEdit, ...]:
        return (self.username, self.full_name, self.service_number, self.password, self.repeat)

    def answer(self) -> AccountAnswer:
        return AccountAnswer(
            self.username.text().strip().lower(),
            self.full_name.text(),
            self.service_number.text().strip(),
            self.password.text(),
        )


class AccountsPage(QWizardPage):
    """The first administrator and the first supervisor (full names, service numbers)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Tài khoản đầu tiên"))
        self.setSubTitle(_("Quản trị viên cài đặt máy; lãnh đạo duyệt hồ sơ."))
        self.admin = _AccountFields(_("Quản trị viên"), self)
        self.supervisor = _AccountFields(_("Lãnh đạo duyệt hồ sơ"), self)
        self.error = _error_label(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.admin.box)
        layout.addWidget(self.supervisor.box)
        layout.addWidget(self.error)
        for field in (*self.admin.fields(), *self.supervisor.fields()):
            field.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        """Every field is filled in."""
        fields = (*self.admin.fields(), *self.supervisor.fields())
        return all(field.text().strip() for field in fields)

    def validatePage(self) -> bool:
        """The domain's account rules, matching repeats, long enough and distinct names."""
        self.error.clear()
        for account, role in ((self.admin, Role.ADMIN), (self.supervisor, Role.SUPERVISOR)):
            answer = account.answer()
            if account.password.text() != account.repeat.text():
                self.error.setText(_("Hai lần nhập mật khẩu không khớp."))
                return False
            if len(answer.password) < MIN_PASSWORD:
                self.error.setText(
                    _("Mật khẩu cần ít nhất {count} ký tự.").format(count=MIN_PASSWORD)
                )
                return False
            try:
                User(new_user_id(), answer.username, answer.full_name, answer.service_number, role)
            except DomainError as err:
                _show(self.error, err)
                return False
        if self.admin.answer().username == self.supervisor.answer().username:
            self.error.setText(_("Hai tài khoản phải có tên đăng nhập khác nhau."))
            return False
        return True


class UnitPage(QWizardPage):
    """The unit (province and commune codes, printed name) and the counter number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Đơn vị và quầy"))
        self.setSubTitle(_("Mã tỉnh và mã xã theo danh mục đơn vị hành chính."))
        self.province = QLineEdit(self)
        self.province.setMaxLength(2)
        self.commune = QLineEdit(self)
        self.commune.setMaxLength(5)
        self.unit_name = QLineEdit(self)
        self.counter = QSpinBox(self)
        self.counter.setRange(1, 99)
        self.error = _error_label(self)
        form = QFormLayout(self)
        form.addRow(_("Mã tỉnh (2 số)"), self.province)
        form.addRow(_("Mã xã (5 số)"), self.commune)
        form.addRow(_("Tên đơn vị in trên giấy biên nhận"), self.unit_name)
        form.addRow(_("Số quầy"), self.counter)
        form.addRow(self.error)
        for field in (self.province, self.commune, self.unit_name):
            field.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        """Every field is filled in."""
        return all(f.text().strip() for f in (self.province, self.commune, self.unit_name))

    def validatePage(self) -> bool:
        """The codes have the shapes the administrative unit list uses."""
        try:
            self.station()
        except DomainError as err:
            _show(self.error, err)
            return False
        return True

    def station(self) -> StationSettings:
        """The station settings; raises the domain's ValidationFailed for a bad code."""
        unit = Unit(
            self.province.text().strip(), self.commune.text().strip(), self.unit_name.text()
        )
        return StationSettings(
            unit.province_code, unit.commune_code, unit.name, self.counter.value()
        )


class _CheckRow:
    """One device: its check, state, detail and the skip box (enabled only once it failed)."""

    def __init__(self, check: SelfTestCheck, parent: QWidget) -> None:
        self.check = check
        self.name = QLabel(_(check.label), parent)
        self.state_label = QLabel(parent)
        self.detail = QLabel(parent)
        self.detail.setWordWrap(True)
        self.skip = QCheckBox(_("Bỏ qua (ghi vào nhật ký)"), parent)
        self.state = CheckState.WAITING
        self.set(CheckState.WAITING, "")

    def set(self, state: CheckState, detail: str) -> None:
        self.state = state
        texts = {
            CheckState.WAITING: N_("Chưa kiểm tra"),
            CheckState.RUNNING: N_("Đang kiểm tra…"),
            CheckState.PASSED: N_("Đạt"),
            CheckState.FAILED: N_("Lỗi"),
            CheckState.NOT_CONFIGURED: N_("Chưa cấu hình"),
            CheckState.CANCELLED: N_("Đã hủy"),
        }
        self.state_label.setText(_(texts[state]))
        self.state_label.setProperty("state", state.value)
        self.state_label.style().polish(self.state_label)
        self.detail.setText(detail)
        failed = state in (CheckState.FAILED, CheckState.NOT_CONFIGURED)
        self.skip.setEnabled(failed)
        if not failed:
            self.skip.setChecked(False)

    @property
    def settled(self) -> bool:
        """Passed, or failed and explicitly skipped."""
        return self.state is CheckState.PASSED or (self.skip.isEnabled() and self.skip.isChecked())


class DevicesPage(QWizardPage):
    """Pick the card reader, camera, document camera and printer, and test each.

    Args:
        devices: builds the self-test's device service for the picked devices.
        reader_names: the card readers present, to pick from.
        printers: the installed printers, to pick from.
    """

    def __init__(
        self,
        runner: JobRunner,
        devices: Callable[[DeviceSettings], DeviceStatusService],
        reader_names: Callable[[], list[str]],
        printers: Callable[[], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setTitle(_("Thiết bị"))
        self.setSubTitle(_("Chọn từng thiết bị rồi bấm Kiểm tra; thiết bị lỗi phải được xử lý."))
        self._runner = runner
        self._devices = devices
        self._pending: list[_CheckRow] = []
        self.backend = QComboBox(self)
        self.backend.addItem(_("PC/SC (đầu đọc thông dụng)"), "pcsc")
        self.backend.addItem(_("nfcpy (đầu đọc PN533)"), "nfcpy")
        self.reader = QComboBox(self)
        self.reader.setEditable(True)
        self.reader.addItems(reader_names())
        self.camera = QSpinBox(self)
        self.scanner = QSpinBox(self)
        self.scanner.setValue(1)
        self.printer = QComboBox(self)
        self.printer.addItems(printers())
        form = QFormLayout()
        form.addRow(_("Loại đầu đọc thẻ"), self.backend)
        form.addRow(_("Đầu đọc thẻ"), self.reader)
        form.addRow(_("Camera chụp mặt (số thứ tự)"), self.camera)
        form.addRow(_("Camera chụp giấy tờ (số thứ tự)"), self.scanner)
        form.addRow(_("Máy in"), self.printer)
        checks = [*device_checks(self._status), self._printer_check()]
        self.rows = {check.key: _CheckRow(check, self) for check in checks}
        grid = QGridLayout()
        for index, row in enumerate(self.rows.values()):
            for column, widget in enumerate((row.name, row.state_label, row.detail, row.skip)):
                grid.addWidget(widget, index, column)
            row.skip.toggled.connect(self.completeChanged)
        grid.setColumnStretch(2, 1)
        self.test_button = QPushButton(_("Kiểm tra thiết bị"), self)
        self.test_button.clicked.connect(self.run_checks)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.test_button)
        layout.addLayout(grid)
        for signal in (
            self.backend.currentIndexChanged,
            self.reader.currentTextChanged,
            self.camera.valueChanged,
            self.scanner.valueChanged,
            self.printer.currentTextChanged,
        ):
            signal.connect(self._reset)

    def device_settings(self) -> DeviceSettings:
        """The device settings of the current choices."""
        backend: Literal["pcsc", "nfcpy"] = (
            "nfcpy" if self.backend.currentData() == "nfcpy" else "pcsc"
        )
        return DeviceSettings(
            card_reader=backend,
            reader_name=self.reader.currentText().strip(),
            camera="opencv",
            camera_index=self.camera.value(),
            scanner="camera",
            scanner_index=self.scanner.value(),
        )

    def skipped(self) -> tuple[str, ...]:
        """The devices whose check failed and that the administrator chose to skip."""
        return tuple(
            key for key, row in self.rows.items() if row.skip.isEnabled() and row.skip.isChecked()
        )

    def isComplete(self) -> bool:
        """Every device passed its check or was explicitly skipped, and no check is running."""
        return not self._pending and all(row.settled for row in self.rows.values())

    def run_checks(self) -> None:
        """Check every device in turn, as the self-test does."""
        if self._pending:
            return
        self._pending = list(self.rows.values())
        for row in self._pending:
            row.set(CheckState.WAITING, "")
        self._start_next()

    def _start_next(self) -> None:
        if not self._pending:
            self.completeChanged.emit()
            return
        row = self._pending[0]
        row.set(CheckState.RUNNING, "")
        handle = self._runner.prepare(
            Job(f"first-run {row.check.key}", row.check.resource, row.check.work)
        )
        handle.succeeded.connect(lambda outcome: self._passed(row, outcome))
        handle.failed.connect(lambda _message: self._failed(row, handle.error))
        handle.cancelled.connect(lambda: row.set(CheckState.CANCELLED, ""))
        handle.finished.connect(self._advance)
        self._runner.start(handle)

    def _advance(self) -> None:
        if self._pending:
            self._pending.pop(0)
        self._start_next()

    def _passed(self, row: _CheckRow, outcome: CheckOutcome) -> None:
        row.set(outcome.state, _(outcome.detail).format(**outcome.params))

    def _failed(self, row: _CheckRow, error: CodedError | None) -> None:
        message = describe(error) if error is not None else None
        row.set(CheckState.FAILED, f"{message.what} {message.todo}" if message else "")

    def _reset(self) -> None:
        if self._pending:
            return
        for row in self.rows.values():
            row.set(CheckState.WAITING, "")
        self.completeChanged.emit()

    def _status(self) -> DeviceStatusService:
        return self._devices(self.device_settings())

    def _printer_check(self) -> SelfTestCheck:
        def chosen() -> str | None:
            return self.printer.currentText() or None

        return SelfTestCheck("printer", N_("Máy in"), N_("Máy in"), "printer", printer(chosen))


class ServerPage(QWizardPage):
    """The central server and the one-time invitation code (registration may come later)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Đăng ký với máy chủ trung tâm"))
        self.setSubTitle(
            _(
                "Nhập địa chỉ máy chủ và mã mời do tỉnh cấp; để trống nếu đăng ký sau bằng lệnh "
                "«kiosk register»."
            )
        )
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://")
        self.code = QLineEdit(self)
        form = QFormLayout(self)
        form.addRow(_("Địa chỉ máy chủ"), self.url)
        form.addRow(_("Mã mời"), self.code)


def _path_row(parent: QWidget, field: QLineEdit, folder: bool) -> QWidget:
    """A path field with a "Chọn…" button opening the file or folder dialog."""
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    button = QPushButton(_("Chọn…"), row)
    layout.addWidget(field, 1)
    layout.addWidget(button)

    def choose() -> None:
        chosen = (
            QFileDialog.getExistingDirectory(row, _("Chọn thư mục"), field.text())
            if folder
            else QFileDialog.getOpenFileName(row, _("Chọn tệp"), field.text())[0]
        )
        if chosen:
            field.setText(chosen)

    button.clicked.connect(choose)
    return row


class TrustPage(QWizardPage):
    """The province's keys (recovery, updates) and the CSCA trust store to import."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Khóa của tỉnh và chứng thư CSCA"))
        self.setSubTitle(
            _(
                "Khóa khôi phục là bắt buộc. Chưa có chứng thư CSCA thì chip được đánh dấu "
                "«chưa xác minh được» cho đến khi nhập bằng «kiosk trust import»."
            )
        )
        self.recovery = QLineEdit(self)
        self.update_key = QLineEdit(self)
        self.csca = QLineEdit(self)
        self.error = _error_label(self)
        form = QFormLayout(self)
        form.addRow(_("Khóa công khai khôi phục (PEM)"), _path_row(self, self.recovery, False))
        form.addRow(_("Khóa công khai cập nhật (PEM)"), _path_row(self, self.update_key, False))
        form.addRow(_("Chứng thư CSCA hoặc master list"), _path_row(self, self.csca, False))
        form.addRow(self.error)
        self.recovery.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        """The recovery key is named."""
        return bool(self.recovery.text().strip())

    def validatePage(self) -> bool:
        """Every named file exists."""
        for field in (self.recovery, self.update_key, self.csca):
            text = field.text().strip()
            if text and not Path(text).is_file():
                self.error.setText(_("Không tìm thấy tệp {path}.").format(path=text))
                return False
        return True

    def optional(self, field: QLineEdit) -> Path | None:
        """The path in ``field``, or None when it is empty."""
        text = field.text().strip()
        return Path(text) if text else None


class FoldersPage(QWizardPage):
    """The data folder and the backup folder (a second disk in production)."""

    def __init__(self, data: Path, backup: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Thư mục dữ liệu và sao lưu"))
        self.setSubTitle(_("Thư mục sao lưu nên nằm trên ổ đĩa thứ hai."))
        self.data = QLineEdit(str(data), self)
        self.backup = QLineEdit(str(backup), self)
        self.error = _error_label(self)
        form = QFormLayout(self)
        form.addRow(_("Thư mục dữ liệu"), _path_row(self, self.data, True))
        form.addRow(_("Thư mục sao lưu"), _path_row(self, self.backup, True))
        form.addRow(self.error)
        for field in (self.data, self.backup):
            field.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        """Both folders are named."""
        return bool(self.data.text().strip() and self.backup.text().strip())

    def validatePage(self) -> bool:
        """Absolute paths, and not the same folder (a backup beside the data protects little)."""
        data, backup = Path(self.data.text().strip()), Path(self.backup.text().strip())
        if not (data.is_absolute() and backup.is_absolute()):
            self.error.setText(_("Hãy nhập đường dẫn đầy đủ."))
            return False
        if data == backup:
            self.error.setText(_("Thư mục sao lưu phải khác thư mục dữ liệu."))
            return False
        return True
