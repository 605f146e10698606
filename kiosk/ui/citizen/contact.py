"""The part of the citizen window where the citizen types their own phone number and e-mail.

The citizen knows the number that will receive the activation SMS, so they type it themselves:
on a physical keyboard (the field has the window's focus, Enter goes on) or, on a touch monitor,
on the large keypad beside it. The keypad's keys take no focus, so a touch types into the field
being filled and never moves the focus away from it; they work the same when the citizen view is
a side panel of the officer's window. The e-mail, optional, needs letters: the physical keyboard
types it, or the officer does on their screen.

Nothing here judges what was typed. Every change goes to the view model, which shows it on the
officer's screen too (and the officer's corrections here); "Tiếp tục" or Enter asks the view
model to go on, and the officer's contact step hands the entry to the service, which decides.
It appears only for a page that asks for it (``CitizenPage.entry``).
"""

from __future__ import annotations

import gettext

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import N_
from kiosk.ui.citizen.view_model import CitizenPage, CitizenViewModel, ContactEntry

_VIETNAMESE = gettext.NullTranslations()
"""Like the rest of the citizen window, always in Vietnamese."""

PHONE_LABEL = N_("Số điện thoại di động")
EMAIL_LABEL = N_("Thư điện tử (nếu có)")
GO_ON = N_("Tiếp tục")
ERASE = N_("Xóa")
KEYPAD_ROWS = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"))

STYLE = """
QLineEdit { font-size: 28pt; padding: 6px; }
QLabel { font-size: 18pt; }
QPushButton { font-size: 26pt; min-height: 60px; min-width: 72px; }
QPushButton#citizenContactGo { background: #2e7d32; color: white; font-weight: bold; }
"""
"""Big type and big keys: read from a step away, touched with a finger."""


class ContactPanel(QWidget):
    """The phone and e-mail fields with an on-screen keypad, shown while a page asks for them."""

    def __init__(self, window: QWidget, model: CitizenViewModel) -> None:
        super().__init__(window)
        self.setObjectName("citizenContact")
        self.setStyleSheet(STYLE)
        self._window = window
        self._model = model
        self.phone = self._field("citizenPhone", Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.email = self._field("citizenEmail", Qt.InputMethodHint.ImhEmailCharactersOnly)
        self._target = self.phone
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # narrow as a side panel
        for source, field in ((PHONE_LABEL, self.phone), (EMAIL_LABEL, self.email)):
            form.addRow(QLabel(_VIETNAMESE.gettext(source), self), field)
        self.keys: dict[str, QPushButton] = {}
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addLayout(self._keypad())
        layout = window.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.count() - 1, self)
        model.page_changed.connect(self.show_page)
        model.contact_changed.connect(self.show_entry)
        self.show_page(model.page)

    def _field(self, name: str, hint: Qt.InputMethodHint) -> QLineEdit:
        field = QLineEdit(self)
        field.setObjectName(name)
        field.setInputMethodHints(hint)
        field.textEdited.connect(lambda _text: self._edited())
        field.returnPressed.connect(self._model.submit_contact)
        field.installEventFilter(self)
        return field

    def _keypad(self) -> QGridLayout:
        """Digits as on a phone, then Xóa and 0, then Tiếp tục across the whole width."""
        grid = QGridLayout()
        for row, labels in enumerate(KEYPAD_ROWS):
            for column, label in enumerate(labels):
                grid.addWidget(self._key(label), row, column)
        last = len(KEYPAD_ROWS)
        grid.addWidget(self._key(ERASE), last, 0)
        grid.addWidget(self._key("0"), last, 1, 1, 2)
        grid.addWidget(self._key(GO_ON), last + 1, 0, 1, 3)
        self.keys[GO_ON].setObjectName("citizenContactGo")
        return grid

    def _key(self, label: str) -> QPushButton:
        key = QPushButton(_VIETNAMESE.gettext(label), self)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a touch never takes the focus
        key.clicked.connect(lambda _checked=False: self._touched(label))
        self.keys[label] = key
        return key

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Remember which field the citizen is filling, so the keypad types into it."""
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self._target = watched
        return False

    def _touched(self, label: str) -> None:
        if label == GO_ON:
            self._model.submit_contact()
        elif label == ERASE:
            self._target.backspace()
        else:
            self._target.insert(label)

    def _edited(self) -> None:
        self._model.set_contact(ContactEntry(self.phone.text(), self.email.text()))

    def show_entry(self, entry: ContactEntry) -> None:
        """Show what was typed, here or on the officer's screen."""
        for field, text in ((self.phone, entry.phone), (self.email, entry.email)):
            if field.text() != text:
                field.setText(text)

    def show_page(self, page: CitizenPage | None) -> None:
        """Show the fields and keypad for a page that asks for them, else hide them."""
        if page is None or not page.entry:
            self.hide()
            return
        self.show_entry(self._model.contact)
        self.show()
        own_window = self._window.isWindow()
        # As a side panel of the officer's window, Tab must not wander into the citizen's
        # fields: they take the focus only from a touch there.
        policy = Qt.FocusPolicy.StrongFocus if own_window else Qt.FocusPolicy.ClickFocus
        for field in (self.phone, self.email):
            field.setFocusPolicy(policy)
        if own_window and self._window.focusWidget() not in (self.phone, self.email):
            self.phone.setFocus()
