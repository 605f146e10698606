"""One application under review: everything captured, and the supervisor's decision.

The live portrait stands beside the chip portrait with the score; the chip's checks and reasons,
liveness and attestation, scans and their mismatches, overrides and stage timings are listed.
F9 approves (four eyes: the service refuses the supervisor's own work), F10 rejects and F11
returns for correction, each with a reason code (a return needs a note saying what to correct);
after approval F12 prints the citizen's receipt.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.application import Application, ApplicationState, ReasonCode
from kiosk.domain.evidence import Evidence
from kiosk.domain.progress import ProgressSink
from kiosk.i18n import N_, _
from kiosk.services.receipts import ReceiptKind
from kiosk.services.records import Portraits
from kiosk.ui.models.review import evidence_lines
from kiosk.ui.printing import print_pdf
from kiosk.ui.screens.enrol.base import EnrolContext, FlowScreen
from kiosk.ui.screens.review.base import QUEUE, ReviewContext

PORTRAIT_SIZE = 220
_KEEP = Qt.AspectRatioMode.KeepAspectRatio

DECISION_REASONS = (
    (ReasonCode.DATA_MISMATCH, N_("Thông tin không khớp")),
    (ReasonCode.FACE_MISMATCH, N_("Khuôn mặt không khớp")),
    (ReasonCode.PHOTO_QUALITY, N_("Ảnh chụp kém chất lượng")),
    (ReasonCode.CONTACT_INCORRECT, N_("Thông tin liên lạc sai")),
    (ReasonCode.DOCUMENT_INVALID, N_("Giấy tờ không hợp lệ")),
    (ReasonCode.CHIP_NOT_GENUINE, N_("Chip không xác thực")),
    (ReasonCode.DUPLICATE, N_("Hồ sơ trùng")),
    (ReasonCode.OTHER, N_("Lý do khác (ghi rõ)")),
)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What the page shows of one application."""

    application: Application
    evidence: Evidence
    portraits: Portraits


class ReviewDetailScreen(FlowScreen):
    """Shows one application and takes the decision."""

    def __init__(
        self, context: EnrolContext, review: ReviewContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.review = review
        self.loaded: Loaded | None = None
        self.live, self.chip = QLabel(self), QLabel(self)
        for picture in (self.live, self.chip):
            picture.setFixedSize(PORTRAIT_SIZE, PORTRAIT_SIZE)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.reason = QComboBox(self)
        self.note = QLineEdit(self)
        self.note.returnPressed.connect(self._decide)
        self.decision_form = QWidget(self)
        form = QFormLayout(self.decision_form)
        for source, field in ((N_("Lý do"), self.reason), (N_("Ghi chú"), self.note)):
            label = QLabel(self.decision_form)
            self.texts.bind(label.setText, source)
            form.addRow(label, field)
        self.decision_form.hide()
        self._deciding: str | None = None
        pictures = QHBoxLayout()
        pictures.addWidget(self.live)
        pictures.addWidget(self.chip)
        pictures.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Duyệt hồ sơ")))
        layout.addLayout(pictures)
        layout.addWidget(self.details, 1)
        for widget in (self.banner, self.status, self.decision_form):
            layout.addWidget(widget)
        self.add_key("F9", N_("Duyệt"), self.approve)
        self.add_key("F10", N_("Từ chối"), lambda: self._ask("reject"))
        self.add_key("F11", N_("Trả lại bổ sung"), lambda: self._ask("return"))
        self.add_key("F12", N_("In giấy biên nhận"), self.print_receipt)
        self.add_key("Esc", N_("Danh sách chờ duyệt"), lambda: self.go(QUEUE))
        self.retranslate()

    def retranslate(self) -> None:
        """Translate the fixed texts and the reasons."""
        super().retranslate()
        current = self.reason.currentIndex()
        self.reason.clear()
        for code, source in DECISION_REASONS:
            self.reason.addItem(_(source), code)
        self.reason.setCurrentIndex(max(current, 0))

    def entered(self) -> None:
        """Load the chosen application; the focus on its details."""
        self.decision_form.hide()
        self.status.clear()
        self.focus(self.details)
        application_id = self.review.selection.application_id
        supervisor = self.officer()
        if application_id is None or supervisor is None:
            return
        records = self.review.records

        def load(_p: ProgressSink, _c: threading.Event) -> Loaded:
            return Loaded(
                records.show(supervisor, application_id),
                records.evidence(supervisor, application_id),
                records.portraits(supervisor, application_id),
            )

        self.run("review load", "store", load, self._show)

    def approve(self) -> None:
        """F9: approve (refused by the service for the supervisor's own work)."""
        loaded, supervisor = self.loaded, self.officer()
        if loaded is None or supervisor is None or self.decision_form.isVisible():
            return
        application_id = loaded.application.id
        self.run(
            "approve",
            "store",
            lambda _p, _c: self.review.review.approve(supervisor, application_id),
            self._decided,
        )

    def print_receipt(self) -> None:
        """F12: print the citizen's receipt of an approved application."""
        loaded, supervisor = self.loaded, self.officer()
        if loaded is None or supervisor is None:
            return
        receipts, choose, application_id = (
            self.context.receipts,
            self.context.printer,
            loaded.application.id,
        )

        def work(_p: ProgressSink, cancel: threading.Event) -> str:
            issued = receipts.issue(supervisor, application_id, ReceiptKind.RECEIPT)
            printer = choose()
            print_pdf(issued.pdf, printer, cancel)
            name = printer.printerName() or printer.outputFileName()
            receipts.record_printed(supervisor, issued, name)
            return name

        self.run("print receipt", "printer", work, self._printed)

    def _ask(self, decision: str) -> None:
        if self.loaded is None or self.loaded.application.state is not ApplicationState.SUBMITTED:
            return
        self._deciding = decision
        self.note.clear()
        self.decision_form.show()
        self.status.setText(
            _("Từ chối hồ sơ: chọn lý do, ghi chú (nếu cần), nhấn Enter.")
            if decision == "reject"
            else _("Trả lại để bổ sung: chọn lý do, ghi rõ cần sửa gì, nhấn Enter.")
        )
        self.focus(self.note)

    def _decide(self) -> None:
        loaded, supervisor, decision = self.loaded, self.officer(), self._deciding
        if loaded is None or supervisor is None or decision is None:
            return
        reason, note = ReasonCode(self.reason.currentData()), self.note.text()
        review, application_id = self.review.review, loaded.application.id

        def work(_p: ProgressSink, _c: threading.Event) -> Application:
            if decision == "reject":
                return review.reject(supervisor, application_id, reason, note or None)
            return review.return_for_correction(supervisor, application_id, reason, note)

        self.run(decision, "store", work, self._decided)

    def _decided(self, application: Application) -> None:
        self._deciding = None
        self.decision_form.hide()
        if self.loaded is not None:
            self.loaded = Loaded(application, self.loaded.evidence, self.loaded.portraits)
        self.status.setText(_("Đã ghi quyết định: {state}.").format(state=application.state.value))
        self.focus(self.details)

    def _printed(self, printer: str) -> None:
        self.status.setText(_("Đã in giấy biên nhận ({printer}).").format(printer=printer))

    def _show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.details.setPlainText("\n".join(evidence_lines(loaded.application, loaded.evidence)))
        for label, image in (
            (self.live, loaded.portraits.live),
            (self.chip, loaded.portraits.chip),
        ):
            pixmap = QPixmap()
            if image is not None and pixmap.loadFromData(image):
                label.setPixmap(pixmap.scaled(PORTRAIT_SIZE, PORTRAIT_SIZE, _KEEP))
            else:
                label.setText(_("(không có ảnh)"))
