"""The start-of-shift self-test: each check is a background job, each row turns green or red.

Checks run one after another so the progress line names the one running and Esc stops the
rest; a failure shows the error's own message in its row and never touches the other rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.domain.errors import CodedError, DomainError, ErrorCode
from kiosk.i18n import N_, _
from kiosk.messages import describe
from kiosk.ui.citizen.view_model import PREPARING
from kiosk.ui.jobs import Job, JobRunner
from kiosk.ui.screens.base import Screen
from kiosk.ui.self_test_checks import CheckOutcome, CheckState, SelfTestCheck
from kiosk.ui.widgets.step_progress import StepProgress

STATE_TEXTS = {
    CheckState.WAITING: N_("Chưa kiểm tra"),
    CheckState.RUNNING: N_("Đang kiểm tra…"),
    CheckState.PASSED: N_("Đạt"),
    CheckState.FAILED: N_("Lỗi"),
    CheckState.NOT_CONFIGURED: N_("Chưa cấu hình"),
    CheckState.UNKNOWN: N_("Không kiểm tra được"),
    CheckState.CANCELLED: N_("Đã hủy"),
}


class _Row:
    """The widgets and the last result of one check."""

    def __init__(self, check: SelfTestCheck, parent: QWidget) -> None:
        self.check = check
        self.name, self.state_label, self.detail = QLabel(parent), QLabel(parent), QLabel(parent)
        self.detail.setWordWrap(True)
        self.state = CheckState.WAITING
        self.outcome: CheckOutcome | None = None
        self.error: CodedError | None = None

    def set(self, state: CheckState, outcome: CheckOutcome | None = None) -> None:
        self.state, self.outcome = state, outcome
        self.error = None
        self.retranslate()

    def fail(self, error: CodedError) -> None:
        self.set(CheckState.FAILED)
        self.error = error
        self.retranslate()

    def retranslate(self) -> None:
        self.name.setText(_(self.check.label))
        self.state_label.setText(_(STATE_TEXTS[self.state]))
        self.state_label.setProperty("state", self.state.value)
        self.state_label.style().polish(self.state_label)
        if self.error is not None:
            message = describe(self.error)
            self.detail.setText(f"{message.what} {message.todo}")
        elif self.outcome is not None:
            self.detail.setText(_(self.outcome.detail).format(**self.outcome.params))
        else:
            self.detail.setText("")


class SelfTestScreen(Screen):
    """Runs the checks on F5; emits ``check_finished(key, state)`` for the status bar.

    ``run_finished(passed)`` follows a run that went to its end (not one cancelled): passed
    when no row is red.
    """

    citizen_page = PREPARING
    check_finished = Signal(str, str)
    run_finished = Signal(bool)
    back_requested = Signal()

    def __init__(
        self, checks: Sequence[SelfTestCheck], runner: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._pending: list[_Row] = []
        self.progress = StepProgress(self)
        self._grid = grid = QGridLayout()
        self.rows = {check.key: _Row(check, self) for check in checks}
        for index, row in enumerate(self.rows.values()):
            grid.addWidget(row.name, index, 0)
            grid.addWidget(row.state_label, index, 1)
            grid.addWidget(row.detail, index, 2)
            row.retranslate()
        grid.setColumnStretch(2, 1)
        self.run_button = QPushButton(self)
        self.texts.bind(self.run_button.setText, N_("Kiểm tra lại (F5)"))
        self.run_button.clicked.connect(self.run_checks)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Tự kiểm tra đầu ca")))
        layout.addLayout(grid)
        layout.addWidget(self.progress)
        layout.addWidget(self.run_button)
        layout.addStretch(1)
        self.add_key("F5", N_("Kiểm tra lại"), self.run_checks)
        self.add_key("Esc", N_("Hủy"), self.progress.cancel)
        self.add_key("Backspace", N_("Màn hình chính"), self._go_back)

    def run_checks(self) -> None:
        """Run every check again, one after another; ignored while a run is going on."""
        if self._pending or self.progress.is_busy():
            return
        for row in self.rows.values():
            row.set(CheckState.WAITING)
        self._pending = list(self.rows.values())
        self._start_next()

    def entered(self) -> None:
        """Start a run when the screen opens with nothing checked yet."""
        if all(row.state is CheckState.WAITING for row in self.rows.values()):
            self.run_checks()
        self.run_button.setFocus()

    def retranslate(self) -> None:
        """Translate the fixed texts and every row."""
        super().retranslate()
        for row in self.rows.values():
            row.retranslate()
        self._fit_state_column()

    def _fit_state_column(self) -> None:
        # The state column is as wide as its widest text in bold (passed and failed rows are
        # bold), so it neither jumps while a run goes on nor clips a row restyled late.
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        widest = max(metrics.horizontalAdvance(_(text)) for text in STATE_TEXTS.values())
        self._grid.setColumnMinimumWidth(1, widest + 4)

    def _start_next(self) -> None:
        if not self._pending:
            self._report_run()
            return
        row = self._pending.pop(0)
        row.set(CheckState.RUNNING)
        handle = self._runner.prepare(
            Job(f"self-test {row.check.key}", row.check.resource, row.check.work)
        )
        handle.succeeded.connect(lambda outcome: self._finish(row, outcome.state, outcome))
        handle.failed.connect(lambda _message: self._fail(row, handle.error))
        handle.cancelled.connect(self._cancel_rest)
        handle.cancelled.connect(lambda: self._finish(row, CheckState.CANCELLED))
        handle.finished.connect(self._start_next)
        self.progress.follow(handle, row.check.label)
        self._runner.start(handle)

    def _finish(self, row: _Row, state: CheckState, outcome: CheckOutcome | None = None) -> None:
        row.set(state, outcome)
        self.check_finished.emit(row.check.key, state.value)

    def _fail(self, row: _Row, error: CodedError | None) -> None:
        row.fail(error or DomainError(ErrorCode.INTERNAL))
        self.check_finished.emit(row.check.key, CheckState.FAILED.value)

    def _report_run(self) -> None:
        states = {row.state for row in self.rows.values()}
        if states & {CheckState.WAITING, CheckState.RUNNING, CheckState.CANCELLED}:
            return
        self.run_finished.emit(CheckState.FAILED not in states)

    def _cancel_rest(self) -> None:
        for row in self._pending:
            row.set(CheckState.CANCELLED)
        self._pending = []

    def _go_back(self) -> None:
        if not self.progress.is_busy():
            self.back_requested.emit()
