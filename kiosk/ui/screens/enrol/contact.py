"""Step 4, contact: the phone number (validated; the activation SMS goes to it) and an e-mail.

The citizen types them on their own window (they know the number that will get the activation
SMS); the officer sees each digit appear here and may type or correct it for a citizen who asks
for help. Both sides edit one entry, held by the citizen view model. The citizen's "go on" and
the officer's Enter take the same path: the service validates and normalises, and a refusal is
shown on both screens while the focus stays where it was. A summary of what is already captured
stays on screen, which is also what a resumed draft shows the officer first.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.domain.application import Application
from kiosk.domain.documents import DocumentKind
from kiosk.domain.errors import DomainError
from kiosk.domain.ids import ApplicationId
from kiosk.domain.validators import ValidationFailed
from kiosk.i18n import N_
from kiosk.ui.citizen.view_model import CitizenPage, ContactEntry
from kiosk.ui.models.enrolment import Step
from kiosk.ui.models.review import evidence_lines
from kiosk.ui.screens.enrol.base import CONFIRM, DOCUMENTS, HOME, EnrolContext, FlowScreen
from kiosk.ui.screens.enrol.documents import DocumentScreen

ENTER_TITLE = N_("Số điện thoại của ông/bà")
ENTER_CONTACT = CitizenPage(
    ENTER_TITLE,
    N_("Xin nhập số di động để nhận tin nhắn kích hoạt, rồi nhấn Tiếp tục."),
    entry=True,
)
"""No picture: the keypad under the text shows what to do, and needs the room."""

REFUSED = {
    "phone": N_(
        "Số điện thoại chưa đúng. Xin nhập số di động 10 chữ số, bắt đầu bằng số 0, "
        "rồi nhấn Tiếp tục."
    ),
    "email": N_("Thư điện tử chưa đúng. Xin sửa lại, hoặc xóa hết nếu không có."),
}
"""What the citizen reads when the service refuses what they typed, by the refused field."""
NOT_SAVED = N_("Chưa lưu được. Xin chờ cán bộ hướng dẫn.")


def refused_page(error: DomainError) -> CitizenPage:
    """The entry page again, saying plainly what to change (the officer's banner says more)."""
    field = error.field if isinstance(error, ValidationFailed) else ""
    return CitizenPage(ENTER_TITLE, REFUSED.get(field, NOT_SAVED), entry=True)


class ContactScreen(FlowScreen):
    """Phone and e-mail, typed by the citizen on their window or by the officer here."""

    citizen_page = ENTER_CONTACT

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
        self.who_types = QLabel(self)
        self.who_types.setWordWrap(True)
        self.texts.bind(
            self.who_types.setText,
            N_(
                "Công dân tự nhập số điện thoại trên màn hình của công dân; số hiện ra tại đây. "
                "Đồng chí có thể nhập hoặc sửa giúp khi công dân nhờ."
            ),
        )
        form = QFormLayout()
        for source, field in ((N_("Số điện thoại"), self.phone), (N_("Thư điện tử"), self.email)):
            label = QLabel(self)
            self.texts.bind(label.setText, source)
            form.addRow(label, field)
            field.returnPressed.connect(self.save)
            field.textEdited.connect(lambda _text: self._edited())
        self._entry_for: ApplicationId | None = None
        citizen = context.citizen
        citizen.contact_changed.connect(self._show_entry)
        citizen.contact_submitted.connect(self._citizen_submitted)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Thông tin liên lạc")))
        layout.addWidget(self.who_types)
        layout.addLayout(form)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.enter_hint(N_("Lưu và tiếp tục"))
        self.add_key("F5", N_("Quét giấy phép lái xe"), lambda: self._scan(DocumentKind.GPLX))
        self.add_key("F6", N_("Quét thẻ bảo hiểm y tế"), lambda: self._scan(DocumentKind.BHYT))
        self.add_key("Esc", N_("Màn hình chính (hồ sơ được giữ)"), self.set_aside)

    def entered(self) -> None:
        """Show what is captured; the focus on the phone field (the e-mail is optional).

        A new application starts from what is stored for it (nothing, or a resumed draft's
        contact); the same one, back from the lock or a scan, keeps what was typed.
        """
        draft = self.flow.draft
        if draft is None:
            self.go(HOME)
            return
        application = draft.application
        if self._entry_for != draft.id:
            self._entry_for = draft.id
            stored = ContactEntry(application.phone or "", application.email or "")
            self.context.citizen.set_contact(stored)
        self._show_entry(self.context.citizen.contact)
        self.summary.setText("\n".join(evidence_lines(application, draft.evidence)))
        self.flow.begin(Step.CONTACT)
        self.focus(self.phone)

    def _edited(self) -> None:
        self.context.citizen.set_contact(ContactEntry(self.phone.text(), self.email.text()))

    def _show_entry(self, entry: ContactEntry) -> None:
        for field, text in ((self.phone, entry.phone), (self.email, entry.email)):
            if field.text() != text:
                field.setText(text)

    def _citizen_submitted(self) -> None:
        if self.isVisible() and self.flow.draft is not None:
            self.save()

    def _scan(self, kind: DocumentKind) -> None:
        self.documents.choose(kind)
        self.go(DOCUMENTS)

    def save(self) -> None:
        """Record the phone number and e-mail (whoever typed them), then the citizen confirms."""
        entry = self.context.citizen.contact
        phone, email = entry.phone, entry.email.strip() or None
        self.run(
            "record contact",
            "store",
            lambda _p, _c: self.flow.record_contact(phone, email),
            self._saved,
            self._refused,
        )

    def _refused(self, error: DomainError) -> None:
        self.banner.show_error(error)
        self.context.citizen.show(refused_page(error))

    def _saved(self, _application: Application) -> None:
        self.flow.finish(Step.CONTACT)
        self.context.citizen.set_contact(ContactEntry())
        self._entry_for = None
        self.go(CONFIRM)
