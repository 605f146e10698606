"""The day's report: applications per officer and state, stage medians, overrides, backlog.

F5 recomputes it (from the audit log, through the receipt service); F7 prints it.
"""

from __future__ import annotations

import tempfile
import threading
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from kiosk.domain.clock import SystemClock, to_local
from kiosk.domain.progress import ProgressSink
from kiosk.i18n import N_, _
from kiosk.ui.printing import print_pdf
from kiosk.ui.screens.enrol.base import HOME, EnrolContext, FlowScreen


class DailyReportScreen(FlowScreen):
    """Shows today's figures; prints them."""

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.figures = QPlainTextEdit(self)
        self.figures.setReadOnly(True)
        self.status = QLabel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Báo cáo trong ngày")))
        layout.addWidget(self.banner)
        layout.addWidget(self.figures, 1)
        layout.addWidget(self.status)
        self.add_key("F5", N_("Tính lại"), self.reload)
        self.add_key("F7", N_("In báo cáo"), self.print_report)
        self.add_key("Esc", N_("Màn hình chính"), lambda: self.go(HOME))

    def entered(self) -> None:
        """Compute today's report; the focus on the figures."""
        self.focus(self.figures)
        self.reload()

    def reload(self) -> None:
        """Compute the report of today (Vietnam's day)."""
        actor = self.officer()
        if actor is None:
            return
        receipts, today = self.context.receipts, _today()
        self.run(
            "daily report",
            "store",
            lambda _p, _c: receipts.daily_report(actor, today).to_json(),
            self._show,
        )

    def print_report(self) -> None:
        """F7: print today's report."""
        actor = self.officer()
        if actor is None:
            return
        receipts, choose, today = self.context.receipts, self.context.printer, _today()

        def work(_p: ProgressSink, cancel: threading.Event) -> str:
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / "report.pdf"
                receipts.save_daily_report(actor, today, target)
                printer = choose()
                print_pdf(target.read_bytes(), printer, cancel)
            return printer.printerName() or printer.outputFileName()

        self.run("print report", "printer", work, self._printed)

    def _show(self, figures: dict[str, object]) -> None:
        lines = [f"{key}: {value}" for key, value in figures.items()]
        self.figures.setPlainText("\n".join(lines))

    def _printed(self, printer: str) -> None:
        self.status.setText(_("Đã in báo cáo ({printer}).").format(printer=printer))


def _today() -> date:
    return to_local(SystemClock().now()).date()
