"""Step 1, a new application: the access key (typed ID or QR scan), duplicates, drafts to resume.

The officer types the 12-digit ID, or points the USB QR scanner (keyboard mode) at the card's
QR code: the scanner's burst is recognised by its timing and read by position, and only the ID,
birth and issue dates are kept. Before a new application is opened the citizen's open
applications are looked up (blind index) and a duplicate is warned of once. The officer's own
drafts (a crash, a returned application) are listed and resumed with F6.
"""

from __future__ import annotations

import time
from functools import partial

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.domain.application import Application
from kiosk.domain.clock import to_local
from kiosk.domain.errors import DomainError
from kiosk.i18n import N_, _
from kiosk.services.enrolment import PendingApplication
from kiosk.ui.citizen.pictures import Picture
from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.models.access import AccessFields, KeyTiming, access_from_scan, access_from_typing
from kiosk.ui.models.enrolment import Step
from kiosk.ui.screens.enrol.base import CHIP, SCREEN_OF_STEP, EnrolContext, FlowScreen
from kiosk.ui.texts import DATA_PROPERTY

PLACE_CARD = CitizenPage(
    N_("Mời đặt thẻ căn cước"),
    N_("Xin đặt thẻ căn cước gắn chip lên đầu đọc và giữ yên cho đến khi đọc xong."),
    picture=Picture.CARD,
)


class AccessField(QLineEdit):
    """The ID field, which also receives the QR scanner's keys and notes their timing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timing = KeyTiming()
        self.composed = False  # an input method composed text into the field (IME active)
        self.setMaxLength(3000)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Note when each character key came (a scanner types 20+ keys a few ms apart)."""
        if event.text() and event.text().isprintable():
            self.timing.key(time.monotonic() * 1000)
        super().keyPressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        """An input method (Vietnamese Telex/VNI) rewrites keys: the scan may be garbled."""
        if event.commitString() or event.preeditString():
            self.composed = True
        super().inputMethodEvent(event)

    def reset(self) -> None:
        """Empty the field for a new entry."""
        self.clear()
        self.timing.clear()
        self.composed = False


class AccessScreen(FlowScreen):
    """Takes the access key and opens the application, or resumes a draft."""

    citizen_page = PLACE_CARD

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.field = AccessField(self)
        self.field.setObjectName("accessField")
        self.field.returnPressed.connect(self.proceed)
        self._prompt = QLabel(self)
        self.texts.bind(
            self._prompt.setText,
            N_("Nhập số định danh 12 số, hoặc quét mã QR trên thẻ bằng máy quét."),
        )
        self.scanned = QLabel(self)
        self.scanned.setWordWrap(True)
        self.ime_warning = QLabel(self)
        self.ime_warning.setWordWrap(True)
        self.ime_warning.setObjectName("warning")
        self.duplicate = QLabel(self)
        self.duplicate.setWordWrap(True)
        self.duplicate.setObjectName("warning")
        self._drafts_title = QLabel(self)
        self.texts.bind(self._drafts_title.setText, N_("Hồ sơ đang làm dở (F6 để tiếp tục):"))
        self.drafts = QListWidget(self)
        self.drafts.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F6 and the arrows act on it
        self._fields: AccessFields | None = None
        self._warned: str | None = None
        self._pending: list[PendingApplication] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Hồ sơ mới")))
        widgets: tuple[QWidget, ...] = (self._prompt, self.field, self.scanned, self.ime_warning)
        widgets += (self.duplicate, self.banner, self._drafts_title, self.drafts)
        for widget in widgets:
            layout.addWidget(widget)
        layout.addStretch(1)
        self.enter_hint(N_("Đọc chip"))
        self.add_key("F6", N_("Tiếp tục hồ sơ dở"), self.resume_selected)
        self.add_key("Up", N_("Chọn hồ sơ dở"), partial(self._move_selection, -1))
        self.add_key("Down", N_("Chọn hồ sơ dở"), partial(self._move_selection, 1))
        self.add_key("Esc", N_("Màn hình chính"), self.set_aside)

    def entered(self) -> None:
        """A clean entry, the officer's drafts listed, the focus on the ID field."""
        officer = self.officer()
        if self.flow.officer != officer:
            self.flow.officer = officer
            self.flow.close()
        if self.flow.draft is None:
            self.field.reset()
            self.scanned.clear()
        self.duplicate.hide()
        self._warned = None
        self._warn_about_input_method()
        self.run("list drafts", "store", lambda _p, _c: self.flow.drafts(), self._show_drafts)
        self.flow.begin(Step.ACCESS)
        self.focus(self.field)

    def proceed(self) -> None:
        """Enter: read the key, warn of a duplicate once, then open the application."""
        scanner = self.field.timing.is_scanner()
        self.field.timing.clear()
        try:
            fields = self._read(scanner)
        except DomainError as err:
            self.banner.show_error(err)
            return
        self.banner.clear()
        self._fields = fields
        self.field.setText(fields.id_number)
        if fields.id_number == self._warned:
            self._open(fields)
            return
        self.run("duplicates", "store", lambda _p, _c: self.flow.duplicates(fields), self._checked)

    def resume_selected(self) -> None:
        """F6: go on with the selected draft (the first one when none is selected)."""
        if not self.drafts.count():
            return
        row = max(self.drafts.currentRow(), 0)
        application_id = self.drafts.item(row).data(Qt.ItemDataRole.UserRole)
        self.run("resume", "store", lambda _p, _c: self.flow.resume(application_id), self._resumed)

    def _read(self, scanner: bool) -> AccessFields:
        text = self.field.text().strip()
        if scanner or "|" in text:
            fields = access_from_scan(text)
            self.scanned.setText(_scanned_text(fields))
            return fields
        current = self._fields
        if current is not None and current.scanned and text == current.id_number:
            return current  # Enter again after a warning: the scanned dates still hold
        self.scanned.clear()
        return access_from_typing(text)

    def _checked(self, pending: list[PendingApplication]) -> None:
        fields = self._fields
        if fields is None:
            return
        if pending:
            self._pending = pending
            self._warned = fields.id_number
            self.duplicate.setText(_duplicate_text(pending))
            self.duplicate.show()
            return
        self._open(fields)

    def _open(self, fields: AccessFields) -> None:
        self.duplicate.hide()
        self.run("open application", "store", lambda _p, _c: self.flow.open(fields), self._opened)

    def _opened(self, _draft: object) -> None:
        self.flow.finish(Step.ACCESS)
        self.go(CHIP)

    def _resumed(self, step: Step) -> None:
        draft = self.flow.draft
        if step is Step.ACCESS and draft is not None and draft.application.citizen is not None:
            # The face step needs the chip portrait again: the card is read once more.
            self._fields = AccessFields(draft.application.citizen.id_number)
            self.field.setText(self._fields.id_number)
            self.scanned.setText(_("Hồ sơ dở: đặt lại thẻ để đọc chip, rồi nhấn Enter."))
            return
        self.go(SCREEN_OF_STEP[step])

    def _show_drafts(self, drafts: list[Application]) -> None:
        self.drafts.clear()
        for application in drafts:
            item = QListWidgetItem(_draft_text(application))
            item.setData(Qt.ItemDataRole.UserRole, application.id)
            self.drafts.addItem(item)
        if drafts:
            self.drafts.setCurrentRow(0)
        self.drafts.setProperty(DATA_PROPERTY, True)

    def _move_selection(self, step: int) -> None:
        if self.drafts.count():
            row = min(max(self.drafts.currentRow() + step, 0), self.drafts.count() - 1)
            self.drafts.setCurrentRow(row)

    def _warn_about_input_method(self) -> None:
        method = QGuiApplication.inputMethod()
        vietnamese = method.locale().language() == QLocale.Language.Vietnamese
        if vietnamese or self.field.composed:
            self.ime_warning.setText(
                _("Bộ gõ tiếng Việt đang bật: tắt bộ gõ (chế độ E) trước khi quét mã QR.")
            )
            self.ime_warning.show()
        else:
            self.ime_warning.hide()


def _scanned_text(fields: AccessFields) -> str:
    born = fields.date_of_birth.strftime("%d/%m/%Y") if fields.date_of_birth else "—"
    issued = fields.date_of_issue.strftime("%d/%m/%Y") if fields.date_of_issue else "—"
    return _("Từ mã QR: số định danh {id}, ngày sinh {born}, ngày cấp {issued}.").format(
        id=fields.id_number, born=born, issued=issued
    )


def _duplicate_text(pending: list[PendingApplication]) -> str:
    return _(
        "Công dân này đang có {count} hồ sơ chưa hoàn tất. Nhấn Enter lần nữa để vẫn tạo hồ sơ "
        "mới, hoặc Esc để quay lại."
    ).format(count=len(pending))


def _draft_text(application: Application) -> str:
    when = to_local(application.updated_at).strftime("%H:%M %d/%m")
    name = application.citizen.full_name if application.citizen else _("(chưa đọc chip)")
    return f"{when} — {name}"
