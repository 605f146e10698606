"""The part of the citizen window where the citizen reads their data and confirms it.

It appears only for a page that asks for confirmation (``CitizenPage.confirm``): the details
(the citizen's data and the consent text, as written) and one large button. Pressing it tells
the view model, which tells the officer's screen; nothing on the officer's side can press it.
On a separate citizen window the button takes that window's focus, so the citizen's keypad
(Enter) or a touch confirms.
"""

from __future__ import annotations

import gettext

from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.citizen.view_model import CitizenPage, CitizenViewModel

_VIETNAMESE = gettext.NullTranslations()
"""Like the rest of the citizen window, always in Vietnamese."""


class ConfirmationPanel(QWidget):
    """The details and the confirm button, shown while the page asks for confirmation."""

    def __init__(self, window: QWidget, model: CitizenViewModel) -> None:
        super().__init__(window)
        self.setObjectName("citizenConfirmation")
        self._window = window
        self.details = QLabel(self)
        self.details.setObjectName("citizenDetails")
        self.details.setWordWrap(True)
        self.button = QPushButton(self)
        self.button.setObjectName("citizenConfirm")
        self.button.setAutoDefault(True)
        self.button.clicked.connect(model.confirm)
        column = QVBoxLayout(self)
        column.addWidget(self.details)
        column.addWidget(self.button)
        layout = window.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.count() - 1, self)
        model.page_changed.connect(self.show_page)
        self.show_page(model.page)

    def show_page(self, page: CitizenPage | None) -> None:
        """Show the details and the button for a page that asks for confirmation, else hide."""
        if page is None or page.confirm is None:
            self.hide()
            return
        self.details.setText(page.details)
        self.button.setText(_VIETNAMESE.gettext(page.confirm))
        self.show()
        if self._window.isWindow():
            self.button.setFocus()
