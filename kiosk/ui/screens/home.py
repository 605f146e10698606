"""The start screen of a signed-in officer, supervisor or administrator.

It offers the actions the account's role allows, among the screens that exist; each capability
adds its entry to ``HOME_ACTIONS`` when its screen lands. The services still check every
permission: hiding a button grants nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.domain.users import Permission, Role, User
from kiosk.i18n import N_, _
from kiosk.ui.screens.base import Screen


@dataclass(frozen=True, slots=True)
class HomeAction:
    """An entry of the start screen.

    Attributes:
        screen: the name of the screen it opens.
        key: its shortcut.
        label: the Vietnamese source text of the button.
        permission: what the account needs for the entry to be offered (None: every account).
    """

    screen: str
    key: str
    label: str
    permission: Permission | None = None


SELF_TEST = "self_test"

HOME_ACTIONS = (
    HomeAction("enrol_access", "F3", N_("Hồ sơ mới"), Permission.CAPTURE),
    HomeAction("review_queue", "F4", N_("Duyệt hồ sơ"), Permission.REVIEW),
    HomeAction("daily_report", "F6", N_("Báo cáo trong ngày"), Permission.VIEW_REPORTS),
    HomeAction("outbox", "F7", N_("Hàng đợi gửi hồ sơ"), Permission.SYNC_CONTROL),
    HomeAction(SELF_TEST, "F5", N_("Tự kiểm tra đầu ca")),
)

ROLE_NAMES = {
    Role.OFFICER: N_("Cán bộ tiếp nhận"),
    Role.SUPERVISOR: N_("Lãnh đạo duyệt hồ sơ"),
    Role.ADMIN: N_("Quản trị viên"),
}


class HomeScreen(Screen):
    """Greets the account and lists its actions; emits what the officer chose."""

    open_screen = Signal(str)
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user: User | None = None
        self._greeting = QLabel(self)
        self._greeting.setObjectName("heading")
        self._role = QLabel(self)
        self._role.setObjectName("subheading")
        self._actions = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self._greeting)
        layout.addWidget(self._role)
        layout.addLayout(self._actions)
        layout.addStretch(1)
        for action in HOME_ACTIONS:
            self.add_key(action.key, action.label, partial(self._choose, action))
        self.add_key("Ctrl+Q", N_("Đăng xuất"), self.sign_out_requested.emit)

    def show_user(self, user: User) -> None:
        """Greet ``user`` and offer the entries their role allows."""
        self.user = user
        for button in self.buttons.values():
            button.hide()
            button.deleteLater()
        self.buttons = {}
        allowed = [a for a in HOME_ACTIONS if a.permission is None or user.can(a.permission)]
        for index, action in enumerate(allowed):
            button = QPushButton(self)
            button.setObjectName("homeAction")
            button.clicked.connect(partial(self._choose, action))
            self._actions.addWidget(button, index // 2, index % 2)
            self.buttons[action.screen] = button
        self.retranslate()

    def retranslate(self) -> None:
        """Translate the greeting, the role and the entries."""
        super().retranslate()
        if self.user is None:
            return
        self._greeting.setText(_("Xin chào, {name}").format(name=self.user.full_name))
        self._role.setText(_(ROLE_NAMES[self.user.role]))
        for action in HOME_ACTIONS:
            if action.screen in self.buttons:
                self.buttons[action.screen].setText(f"{_(action.label)} ({action.key})")

    def entered(self) -> None:
        """Focus the first entry, so Enter starts the most common action."""
        if self.buttons:
            next(iter(self.buttons.values())).setFocus()

    def _choose(self, action: HomeAction, _checked: bool = False) -> None:
        if action.screen in self.buttons:
            self.open_screen.emit(action.screen)
