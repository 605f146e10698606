"""User name and password, checked by the session service in a background job.

Shared by the login and lock screens. The password check (Argon2, about a second) runs as a job
on the "store" resource, never on the GUI thread; the service's refusals (wrong password,
locked for N minutes, disabled) are shown as they come, and the password field is emptied.
The form is shown before the kiosk is composed: the job asks for the session service, which
waits for the composition, so a password typed early is checked as soon as it can be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.domain.progress import ProgressSink
from kiosk.domain.users import User
from kiosk.i18n import N_
from kiosk.ui.errors import ErrorBanner
from kiosk.ui.jobs import Job, JobHandle, JobRunner
from kiosk.ui.texts import TextBinder

if TYPE_CHECKING:
    from kiosk.services.session import SessionService

STORE = "store"
"""The job resource of everything that reads or writes the database."""


class SignInForm(QWidget):
    """Emits ``signed_in`` with the account once the service accepts the password.

    ``session`` gives the session service; it is called in the sign-in job (off the GUI
    thread) and may wait there for the kiosk to be composed.
    """

    signed_in = Signal(object)

    def __init__(
        self,
        session: Callable[[], SessionService],
        runner: JobRunner,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._session = session
        self._runner = runner
        self._texts = TextBinder()
        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.submit_button = QPushButton(self)
        self._texts.bind(self.submit_button.setText, N_("Đăng nhập (Enter)"))
        self.banner = ErrorBanner(self)
        self.busy = False
        self._lay_out()
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.submit)
        self.submit_button.clicked.connect(self.submit)

    def _lay_out(self) -> None:
        form = QFormLayout()
        for source, field in (
            (N_("Tên đăng nhập"), self.username),
            (N_("Mật khẩu"), self.password),
        ):
            label = QLabel(self)
            self._texts.bind(label.setText, source)
            label.setBuddy(field)
            form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.submit_button)

    def reset(self, username: str = "") -> None:
        """Empty the form (keeping ``username`` if given) and put the focus where typing starts."""
        self.banner.clear()
        self.username.setText(username)
        self.password.clear()
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        """Check the typed name and password in a job; ignored while a check is running."""
        username, password = self.username.text().strip(), self.password.text()
        if self.busy or not username or not password:
            (self.username if not username else self.password).setFocus()
            return
        self.banner.clear()

        def work(progress: ProgressSink, cancel: threading.Event) -> User:
            return self._session().login(username, password)

        handle = self._runner.prepare(Job("sign in", STORE, work))
        handle.succeeded.connect(self._on_success)
        handle.failed.connect(lambda _message: self._on_failure(handle))
        handle.finished.connect(lambda: self._set_busy(False))
        self._set_busy(True)
        self._runner.start(handle)

    def changeEvent(self, event: QEvent) -> None:
        """Follow a runtime language switch."""
        if event.type() == QEvent.Type.LanguageChange:
            self._texts.apply()
        super().changeEvent(event)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.submit_button.setEnabled(not busy)
        self.username.setReadOnly(busy)
        self.password.setReadOnly(busy)

    def _on_success(self, user: User) -> None:
        self.password.clear()
        self.signed_in.emit(user)

    def _on_failure(self, handle: JobHandle) -> None:
        self.password.clear()
        self.password.setFocus()
        if handle.error is not None:
            self.banner.show_error(handle.error)
