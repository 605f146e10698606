"""Step 6, submitted: the submission slip goes to the printer, and the next citizen can start.

Printing is a job on the printer: the slip's PDF is rendered onto the station's printer and the
printing is audited once the printer took it. A printer that is missing or refuses shows its
message; F7 prints again. Enter starts the next application.
"""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.domain.progress import ProgressSink
from kiosk.i18n import N_, _
from kiosk.services.receipts import IssuedReceipt
from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.printing import print_pdf
from kiosk.ui.screens.enrol.base import ACCESS, HOME, EnrolContext, FlowScreen

THANKS = CitizenPage(
    N_("Hồ sơ đã được gửi"),
    N_("Xin cảm ơn. Xin nhận giấy biên nhận nộp hồ sơ; kết quả sẽ được báo qua tin nhắn."),
)


class DoneScreen(FlowScreen):
    """Prints the submission slip and offers the next application."""

    citizen_page = THANKS

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.next_button = self.primary(N_("Hồ sơ mới (Enter)"), self._next)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Đã gửi hồ sơ")))
        layout.addWidget(self.status)
        layout.addWidget(self.banner)
        layout.addWidget(self.next_button)
        layout.addStretch(1)
        self.enter_hint(N_("Hồ sơ mới"))
        self.add_key("F7", N_("In lại giấy biên nhận"), self.print_slip)
        self.add_key("Esc", N_("Màn hình chính"), self._home)
        self.printed_on: str | None = None

    def entered(self) -> None:
        """The officer's window takes the focus back from the citizen's; print the slip."""
        self.window().activateWindow()
        self.focus(self.next_button)
        self.printed_on = None
        self.print_slip()

    def print_slip(self) -> None:
        """Print the slip of the application just submitted (F7 again after a failure)."""
        slip = self.flow.slip
        if slip is None:
            return
        self.status.setText(_("Đang in giấy biên nhận nộp hồ sơ…"))
        choose = self.context.printer

        def work(_progress: ProgressSink, cancel: threading.Event) -> str:
            printer = choose()
            print_pdf(slip.pdf, printer, cancel)
            name = printer.printerName() or printer.outputFileName()
            self.flow.record_printed(slip, name)
            return name

        self.run("print slip", "printer", work, lambda name: self._printed(slip, name))

    def _printed(self, _slip: IssuedReceipt, printer: str) -> None:
        self.printed_on = printer
        self.status.setText(
            _("Đã in giấy biên nhận nộp hồ sơ ({printer}).").format(printer=printer)
        )

    def _next(self) -> None:
        self.flow.close()
        self.go(ACCESS)

    def _home(self) -> None:
        self.flow.close()
        self.go(HOME)
