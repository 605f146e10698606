"""Optional step, a document: the GPLX or BHYT card scanned, checked and kept with the draft.

Opened from the contact step (F5 GPLX, F6 BHYT). The card is scanned as soon as the screen
opens: the flat, upright image is shown with the quality problems found, the fields read from
its QR code and each disagreement with the chip. Enter keeps the scan (a rescan of the same kind
replaces it), F9 scans again, Esc goes back without keeping it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.domain.documents import DocumentKind
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.evidence import Evidence
from kiosk.i18n import N_, _
from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.jobs import Job
from kiosk.ui.models.review import document_lines
from kiosk.ui.screens.enrol.base import CONTACT, EnrolContext, FlowScreen
from kiosk.ui.widgets.step_progress import StepProgress

if TYPE_CHECKING:
    from kiosk.services.documents import DocumentScan  # OpenCV loads in the scan job

IMAGE_WIDTH = 480

PLACE_DOCUMENT = CitizenPage(
    N_("Mời đặt giấy tờ"),
    N_("Xin đặt thẻ (giấy phép lái xe hoặc thẻ bảo hiểm y tế) dưới camera tài liệu."),
)

KIND_TITLES = {
    DocumentKind.GPLX: N_("Giấy phép lái xe"),
    DocumentKind.BHYT: N_("Thẻ bảo hiểm y tế"),
}


class DocumentScreen(FlowScreen):
    """Scans one card of the chosen kind and keeps it on Enter."""

    citizen_page = PLACE_DOCUMENT

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.kind = DocumentKind.GPLX
        self.scan: DocumentScan | None = None
        self.title = QLabel(self)
        self.title.setObjectName("subheading")
        self.progress = StepProgress(self)
        self.image = QLabel(self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.keep = self.primary(N_("Giữ bản quét này (Enter)"), self._keep)
        self.again = self.primary(N_("Quét lại (Enter)"), self.start_scan)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Giấy tờ kèm theo")))
        for widget in (self.title, self.progress, self.banner, self.image, self.details):
            layout.addWidget(widget)
        layout.addWidget(self.keep)
        layout.addWidget(self.again)
        layout.addStretch(1)
        self.enter_hint(N_("Giữ bản quét / quét lại"))
        self.add_key("F9", N_("Quét lại"), self.start_scan)
        self.add_key("Esc", N_("Quay lại, không giữ"), self._back)

    def choose(self, kind: DocumentKind) -> None:
        """The kind of card the next scan is for (set by the contact step's key)."""
        self.kind = kind

    def entered(self) -> None:
        """Scan as soon as the screen opens."""
        self.title.setText(_(KIND_TITLES[self.kind]))
        self.start_scan()

    def start_scan(self) -> None:
        """Scan the card under the document camera."""
        counter, draft, kind = self.context.counter, self.flow.draft, self.kind
        if draft is None or self.progress.is_busy():
            return
        self.scan = None
        self.image.clear()
        self.details.clear()
        self.keep.hide()
        self.again.hide()
        self.banner.clear()
        if counter is None:
            self._scan_failed(DomainError(ErrorCode.CAMERA_UNAVAILABLE, "no counter"))
            return
        chip = draft.chip
        handle = self.context.runner.prepare(
            Job(
                "document scan",
                "scanner",
                lambda progress, cancel: counter().scan_document(kind, chip, progress, cancel),
            )
        )
        handle.succeeded.connect(self._scanned)
        handle.failed.connect(lambda _m: self._scan_failed(handle.error))
        handle.cancelled.connect(lambda: self._scan_failed(None))
        self.progress.follow(handle, N_("Đang quét giấy tờ…"))
        self.focus(self.progress.cancel_button)
        self.context.runner.start(handle)

    def _scanned(self, scan: DocumentScan) -> None:
        self.scan = scan
        if not scan.found or scan.flat_png is None:
            self._scan_failed(DomainError(ErrorCode.CARD_NOT_FOUND, "no card in the scan"))
            return
        pixmap = QPixmap()
        if pixmap.loadFromData(scan.flat_png):
            self.image.setPixmap(pixmap.scaledToWidth(IMAGE_WIDTH))
        lines = document_lines({scan.kind.value: scan.evidence()})
        if scan.reasons:
            reasons = ", ".join(reason.value for reason in scan.reasons)
            lines.append(_("Chất lượng ảnh cần xem lại: {reasons}").format(reasons=reasons))
        self.details.setText("\n".join(lines))
        self.keep.show()
        self.again.show()
        self.focus(self.keep)

    def _scan_failed(self, error: DomainError | None) -> None:
        if error is not None:
            self.banner.show_error(error)
        self.again.show()
        self.focus(self.again)

    def _keep(self) -> None:
        scan = self.scan
        if scan is None or not self.keep.isVisible():
            return
        evidence = scan.evidence()
        self.keep.hide()
        self.run(
            "record document",
            "store",
            lambda _p, _c: self.flow.record_document(evidence),
            self._kept,
        )

    def _kept(self, _evidence: Evidence) -> None:
        self.go(CONTACT)

    def _back(self) -> None:
        if self.progress.is_busy():
            self.progress.cancel()
            return
        self.go(CONTACT)
