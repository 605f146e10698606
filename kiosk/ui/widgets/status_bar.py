"""The status bar: who is signed in, the station, the running job and the equipment's state.

Equipment states come from the self-test's rows (each check names what it found), so the bar
shows what was last checked, not a guess.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from kiosk.domain.users import User
from kiosk.i18n import _
from kiosk.ui.self_test_checks import CheckState, SelfTestCheck
from kiosk.ui.texts import DATA_PROPERTY

STATE_MARKS = {
    CheckState.WAITING: "·",
    CheckState.RUNNING: "…",
    CheckState.PASSED: "✓",
    CheckState.FAILED: "✗",
    CheckState.NOT_CONFIGURED: "-",
    CheckState.UNKNOWN: "?",
    CheckState.CANCELLED: "·",
}


class KioskStatusBar(QStatusBar):
    """Shows the session and the equipment at a glance, in the language in force."""

    def __init__(
        self, unit_name: str, checks: list[SelfTestCheck], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.user: User | None = None
        self._user = QLabel(self)
        station = QLabel(unit_name, self)
        station.setProperty(DATA_PROPERTY, True)
        self._equipment = QLabel(self)
        self.addWidget(self._user)
        self.addWidget(self._equipment, 1)
        self.addPermanentWidget(station)
        self.set_checks(checks)

    def set_checks(self, checks: list[SelfTestCheck]) -> None:
        """Show the equipment of ``checks``, none of them checked yet.

        The desktop app's window opens before the kiosk is composed, with no checks; they come
        with the composition.
        """
        self._checks = {check.key: check for check in checks}
        self._states = {key: CheckState.WAITING for key in self._checks}
        self.retranslate()

    def set_user(self, user: User | None) -> None:
        """Show who is signed in (None: nobody)."""
        self.user = user
        self.retranslate()

    def set_check(self, key: str, state: str) -> None:
        """Record the last result of the self-test row ``key``."""
        self._states[key] = CheckState(state)
        self.retranslate()

    def retranslate(self) -> None:
        """Rewrite every text in the language in force."""
        if self.user is None:
            self._user.setText(_("Chưa đăng nhập"))
        else:
            self._user.setText(_("Cán bộ: {name}").format(name=self.user.full_name))
        parts = [
            f"{_(self._checks[key].short)} {STATE_MARKS[state]}"
            for key, state in self._states.items()
        ]
        self._equipment.setText("   ".join(parts))

    def changeEvent(self, event: QEvent) -> None:
        """Follow a runtime language switch."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
