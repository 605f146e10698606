"""Step 4, contact: the phone number (validated; the activation SMS goes to it) and an e-mail.

Enter in either field records them and moves on; the domain validates and normalises (a bad
number shows its message and keeps the focus in the field). A summary of what is already
captured stays on screen, which is also what a resumed draft shows the officer first.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.domain.application import Application
from kiosk.domain.documents import DocumentKind
from kiosk.i18n import N_
from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.models.enrolment import Step
from kiosk.ui.models.review import evidence_lines
from kiosk.ui.screens.enrol.base import CONFIRM, DOCUMENTS, HOME, EnrolContext, FlowScreen
from kiosk.ui.screens.enrol.documents import DocumentScreen

TELL_CONTACT = CitizenPage(
    N_("Số điện thoại của công dân"),
    N_("Xin đọc cho cán bộ số điện thoại (bắt buộc) và thư điện tử (nếu có) của ông/bà."),
)


class ContactScreen(FlowScreen):
    """Phone and e-mail, with the draft's summary."""

    citizen_page = TELL_CONTACT

    def __init__(
        self, context: EnrolContext, documents: DocumentScreen, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.documents = documents
        self.phone = QLineEdit(self)
        self.phone.setObjectName("phone")
        self.email = QLineEdit(self)
        self.email.setObjectName("email")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        form = QFormLayout()
        for source, field in ((N_("Số điện thoại"), self.phone), (N_("Thư điện tử"), self.email)):
            label = QLabel(self)
            self.texts.bind(label.setText, source)
            form.addRow(label, field)
            field.returnPressed.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Thông tin liên lạc")))
        layout.addLayout(form)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.enter_hint(N_("Lưu và tiếp tục"))
        self.add_key("F5", N_("Quét giấy phép lái xe"), lambda: self._scan(DocumentKind.GPLX))
        self.add_key("F6", N_("Quét thẻ bảo hiểm y tế"), lambda: self._scan(DocumentKind.BHYT))
        self.add_key("Esc", N_("Màn hình chính (hồ sơ được giữ)"), self.set_aside)

    def entered(self) -> None:
        """Show what is captured; the focus on the phone field (the e-mail is optional)."""
        draft = self.flow.draft
        if draft is None:
            self.go(HOME)
            return
        application = draft.application
        self.phone.setText(application.phone or self.phone.text())
        self.email.setText(application.email or self.email.text())
        self.summary.setText("\n".join(evidence_lines(application, draft.evidence)))
        self.flow.begin(Step.CONTACT)
        self.focus(self.phone)

    def _scan(self, kind: DocumentKind) -> None:
        self.documents.choose(kind)
        self.go(DOCUMENTS)

    def save(self) -> None:
        """Record the phone number and e-mail, then ask the citizen to confirm."""
        phone, email = self.phone.text(), self.email.text().strip() or None
        self.run(
            "record contact",
            "store",
            lambda _p, _c: self.flow.record_contact(phone, email),
            self._saved,
        )

    def _saved(self, _application: Application) -> None:
        self.flow.finish(Step.CONTACT)
        self.phone.clear()
        self.email.clear()
        self.go(CONFIRM)
