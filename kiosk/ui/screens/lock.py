"""The lock screen: shown after idle time or on Ctrl+L, over the work in progress.

The screen behind it is kept as it was. The same officer unlocks with their password and finds
their work where they left it; another officer may sign in instead, which opens their own start
screen while the first officer's work waits for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.domain.users import User
from kiosk.i18n import N_, _
from kiosk.ui.jobs import JobRunner
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets.sign_in_form import SignInForm

if TYPE_CHECKING:
    from kiosk.services.session import SessionService


class LockScreen(Screen):
    """Emits ``signed_in`` with whoever unlocked: the locked officer or another one."""

    signed_in = Signal(object)

    def __init__(
        self,
        session: Callable[[], SessionService],
        runner: JobRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.locked_user: User | None = None
        self.form = SignInForm(session, runner, self)
        self.form.signed_in.connect(self.signed_in)
        self._who = QLabel(self)
        self._who.setWordWrap(True)
        self.centred_column(self.heading(N_("Máy đang khóa")), self._who, self.form)
        self.add_key("Return", N_("Mở khóa"), self.form.submit)

    def lock_for(self, user: User) -> None:
        """Show the lock for ``user``'s session, with their name ready and the password empty."""
        self.locked_user = user
        self.form.reset(user.username)
        self.retranslate()

    def entered(self) -> None:
        """Put the focus on the password: the usual case is the same officer coming back."""
        self.form.password.setFocus()

    def retranslate(self) -> None:
        """Translate the texts, including the one naming the locked officer."""
        super().retranslate()
        name = self.locked_user.full_name if self.locked_user else ""
        self._who.setText(
            _(
                "Công việc của {name} được giữ nguyên. Nhập mật khẩu để tiếp tục, "
                "hoặc cán bộ khác đăng nhập."
            ).format(name=name)
        )
