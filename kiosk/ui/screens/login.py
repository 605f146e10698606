"""The login screen: who is at the keyboard, before anything else is shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.i18n import N_
from kiosk.ui.jobs import JobRunner
from kiosk.ui.screens.base import Screen
from kiosk.ui.texts import DATA_PROPERTY
from kiosk.ui.widgets.sign_in_form import SignInForm

if TYPE_CHECKING:
    from kiosk.services.session import SessionService


class LoginScreen(Screen):
    """Name and password; emits ``signed_in`` with the account the service accepted."""

    signed_in = Signal(object)

    def __init__(
        self,
        session: Callable[[], SessionService],
        runner: JobRunner,
        unit_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.form = SignInForm(session, runner, self)
        self.form.signed_in.connect(self.signed_in)
        unit = QLabel(unit_name, self)
        unit.setObjectName("subheading")
        unit.setProperty(DATA_PROPERTY, True)
        hint = QLabel(self)
        hint.setWordWrap(True)
        self.texts.bind(
            hint.setText, N_("Mỗi cán bộ đăng nhập bằng tài khoản của mình; không dùng chung.")
        )
        self.centred_column(self.heading(N_("Đăng nhập")), unit, self.form, hint)
        self.add_key("Return", N_("Đăng nhập"), self.form.submit)

    def entered(self) -> None:
        """Start with an empty form: nothing of the previous user stays on screen."""
        self.form.reset()
