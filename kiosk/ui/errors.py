"""Showing what went wrong: a banner inside a screen, or a dialog; nothing for a cancel.

Electrum's three outcomes at the UI edge: a known code shows its message, ``Cancelled`` shows
nothing (the user asked for it), anything else shows a generic message with an incident id whose
traceback is in the log. Texts come from ``kiosk.messages``; this module only lays them out.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.domain.errors import Cancelled, CodedError, DomainError, ErrorCode
from kiosk.i18n import N_
from kiosk.log import new_incident_id
from kiosk.messages import UserMessage, describe
from kiosk.ui.texts import TextBinder

log = logging.getLogger(__name__)


def message_for(error: BaseException) -> UserMessage | None:
    """The message to show for ``error``, or None for a cancel (which shows nothing).

    An unexpected error is logged here with a new incident id, the id the message shows.
    """
    if isinstance(error, Cancelled):
        return None
    if isinstance(error, DomainError):
        return describe(error)
    incident = new_incident_id()
    log.error("unexpected error, incident %s", incident, exc_info=error)
    return describe(DomainError(ErrorCode.INTERNAL, incident=incident))


def _message_labels(parent: QWidget, layout: QVBoxLayout) -> tuple[QLabel, QLabel, QLabel]:
    title, what, todo = QLabel(parent), QLabel(parent), QLabel(parent)
    title.setObjectName("errorTitle")
    for label in (title, what, todo):
        label.setWordWrap(True)
        layout.addWidget(label)
    return title, what, todo


class ErrorBanner(QFrame):
    """A message shown inside a screen, above its form, until the next attempt clears it.

    It keeps the coded error, not the words, so a language switch words it again.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        layout = QVBoxLayout(self)
        self._title, self._what, self._todo = _message_labels(self, layout)
        self.error: CodedError | None = None
        self.message: UserMessage | None = None
        self.hide()

    def show_error(self, error: CodedError) -> None:
        """Show the message of ``error`` in the language in force."""
        self.error = error
        self.retranslate()
        self.show()

    def clear(self) -> None:
        """Hide the banner (a new attempt starts)."""
        self.error = None
        self.message = None
        self.hide()

    def retranslate(self) -> None:
        """Word the error again in the language in force."""
        if self.error is None:
            return
        self.message = describe(self.error)
        self._title.setText(self.message.title)
        self._what.setText(self.message.what)
        self._todo.setText(self.message.todo)

    def changeEvent(self, event: QEvent) -> None:
        """Follow a runtime language switch."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ErrorDialog(QDialog):
    """A modal message for errors that belong to no screen (the exception hook)."""

    def __init__(self, message: UserMessage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(message.title)
        self._texts = TextBinder()
        layout = QVBoxLayout(self)
        title, what, todo = _message_labels(self, layout)
        title.setText(message.title)
        what.setText(message.what)
        todo.setText(message.todo)
        close = QPushButton(self)
        self._texts.bind(close.setText, N_("Đóng"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        layout.addWidget(close)
