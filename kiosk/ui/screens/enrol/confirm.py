"""Step 5, the citizen confirms on their own window; then the application is submitted.

The citizen window shows the citizen's data and the consent text (versioned by its hash) with a
confirm button that only the citizen's window has. Their confirmation submits the application
with the consent record (text hash, time, officer present) and issues the submission slip,
which the done step prints. Until then the officer can only go back or cancel.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.domain.application import Application
from kiosk.i18n import N_, _
from kiosk.services.consent import CONSENT_TEXT_VI
from kiosk.services.receipts import IssuedReceipt
from kiosk.ui.citizen.pictures import Picture
from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.models.enrolment import Step
from kiosk.ui.models.review import citizen_lines
from kiosk.ui.screens.enrol.base import CONTACT, DONE, HOME, EnrolContext, FlowScreen

CONFIRM_TITLE = N_("Mời ông/bà kiểm tra thông tin")
CONFIRM_TEXT = N_("Xin đọc kỹ thông tin dưới đây và nội dung đồng ý, rồi nhấn nút xác nhận.")
CONFIRM_BUTTON = N_("Tôi xác nhận thông tin đúng và đồng ý")


def confirmation_page(application: Application) -> CitizenPage:
    """The citizen's page: their data as captured, the consent text, the confirm button."""
    lines = citizen_lines(application.citizen) if application.citizen else []
    lines.append(f"{_('Điện thoại')}: {application.phone or '—'}")
    lines.append(f"{_('Thư điện tử')}: {application.email or '—'}")
    details = "\n".join([*lines, "", CONSENT_TEXT_VI])
    return CitizenPage(
        CONFIRM_TITLE,
        CONFIRM_TEXT,
        details=details,
        confirm=CONFIRM_BUTTON,
        picture=Picture.CONFIRM,
    )


class ConfirmScreen(FlowScreen):
    """Waits for the citizen's confirmation, then submits and issues the slip."""

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.waiting = QLabel(self)
        self.waiting.setWordWrap(True)
        self.texts.bind(
            self.waiting.setText,
            N_("Công dân đang đọc và xác nhận thông tin trên màn hình của công dân."),
        )
        self.back = self.primary(N_("Quay lại sửa liên lạc (Enter)"), lambda: self.go(CONTACT))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Công dân xác nhận")))
        layout.addWidget(self.waiting)
        layout.addWidget(self.banner)
        layout.addWidget(self.back)
        layout.addStretch(1)
        self.enter_hint(N_("Quay lại sửa"))
        self.add_key("Esc", N_("Màn hình chính (hồ sơ được giữ)"), self.set_aside)
        context.citizen.confirmed.connect(self._confirmed)

    def entered(self) -> None:
        """Put the confirmation page on the citizen window; the officer's focus on Back."""
        draft = self.flow.draft
        if draft is None:
            self.go(HOME)
            return
        self.flow.begin(Step.CONFIRM)
        self.context.citizen.show(confirmation_page(draft.application))
        self.focus(self.back)

    def _confirmed(self) -> None:
        if not self.isVisible() or self.flow.draft is None:
            return
        at = datetime.now(UTC)
        self.context.citizen.blank()
        self.run("submit", "store", lambda _p, _c: self._submit(at), self._done)

    def _submit(self, at: datetime) -> IssuedReceipt:
        self.flow.finish(Step.CONFIRM)
        return self.flow.submit(at)

    def _done(self, _slip: IssuedReceipt) -> None:
        self.go(DONE)
