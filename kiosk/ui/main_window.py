"""The shell every screen lives in: the screen stack, keys, status bar, idle lock, citizen panel.

The window decides which screen is in front and who is signed in; screens only ask (signals).
Locking never destroys a screen: the lock screen is raised over the work in progress, and the
officer who locked finds it again after unlocking. Another officer may sign in at the lock
screen; they start at their own home screen while the first officer's place is remembered.

The window is built in two steps, so the desktop app shows its login screen before the kiosk is
composed: the frame (login, lock and home screens, bars, citizen window) needs only the settings
and the job runner; ``complete`` adds the screens that call the composed services (self-test,
enrolment, review). Nobody gets past the login screen before that: signing in waits for the
services. ``MainWindow.composed`` does both steps at once, for a kiosk composed already.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from kiosk.domain.ids import UserId
from kiosk.domain.users import User
from kiosk.i18n import N_, _
from kiosk.ui.citizen.confirmation import ConfirmationPanel
from kiosk.ui.citizen.placement import Placement
from kiosk.ui.citizen.window import CitizenWindow
from kiosk.ui.context import ShellContext, ShellFrame, resolved
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.keys import KeyBinding, bind_key
from kiosk.ui.language import toggle_language
from kiosk.ui.screens.base import Screen
from kiosk.ui.screens.home import SELF_TEST, HomeScreen
from kiosk.ui.screens.lock import LockScreen
from kiosk.ui.screens.login import LoginScreen
from kiosk.ui.screens.self_test import SelfTestScreen
from kiosk.ui.self_test_checks import SelfTestCheck
from kiosk.ui.widgets.key_hints import KeyHints
from kiosk.ui.widgets.status_bar import KioskStatusBar
from kiosk.ui.widgets.watermark import DemoWatermark

LOGIN, LOCK, HOME = "login", "lock", "home"
TITLE = N_("Trạm tiếp nhận định danh điện tử mức 2")


class MainWindow(QMainWindow):
    """The officer's window; ``user`` is who is signed in, or None."""

    def __init__(self, frame: ShellFrame, placement: Placement) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self._frame = frame
        self.user: User | None = None
        self._resume: dict[UserId, str] = {}
        self.stack = QStackedWidget(self)
        self.screens: dict[str, Screen] = {}
        self._add_sign_in_screens(frame)
        self.key_hints = KeyHints(self)
        self.status = KioskStatusBar(frame.settings.station.unit_name, [], self)
        self.setStatusBar(self.status)
        self.citizen = CitizenWindow(frame.citizen, demo=frame.settings.demo)
        ConfirmationPanel(self.citizen, frame.citizen)
        self._lay_out(placement)
        minutes = frame.settings.security.idle_lock_minutes
        # 0 minutes would mean never locking an unattended counter: the floor is one minute.
        self.idle = IdleWatcher(max(minutes, 1) * 60_000, self)
        self.idle.idle.connect(self.lock)
        self._window_keys = [
            bind_key(self, "F2", N_("English / Tiếng Việt"), toggle_language),
            bind_key(self, "Ctrl+L", N_("Khóa máy"), self.lock),
        ]
        if frame.settings.demo:
            DemoWatermark(self)
        self.retranslate()
        self.show_screen(LOGIN)

    @classmethod
    def composed(
        cls, context: ShellContext, checks: list[SelfTestCheck], placement: Placement
    ) -> MainWindow:
        """The whole window at once, for a kiosk composed already (tests, tools, benchmarks)."""
        frame = ShellFrame(
            context.settings, context.runner, context.citizen, resolved(context.services)
        )
        window = cls(frame, placement)
        window.complete(context, checks)
        return window

    def _add_sign_in_screens(self, frame: ShellFrame) -> None:
        login = LoginScreen(frame.session, frame.runner, frame.settings.station.unit_name)
        lock = LockScreen(frame.session, frame.runner)
        home = HomeScreen()
        login.signed_in.connect(self.begin_session)
        lock.signed_in.connect(self.begin_session)
        home.open_screen.connect(self.show_screen)
        home.sign_out_requested.connect(self.sign_out)
        self._add_screens({LOGIN: login, LOCK: lock, HOME: home})

    def complete(self, context: ShellContext, checks: list[SelfTestCheck]) -> None:
        """Add the screens that call the composed services, and the equipment's checks.

        The enrolment and review screens are imported here, not at the top: they import the
        services (SQLAlchemy, cryptography, requests), which the desktop app loads on a worker
        thread with the composition (``kiosk.ui.application``), after the login screen is up.
        """
        from kiosk.ui.screens.enrol.registry import enrolment_screens, flow_context
        from kiosk.ui.screens.review.registry import review_screens

        self_test = SelfTestScreen(checks, context.runner)
        self_test.back_requested.connect(lambda: self.show_screen(HOME))
        self_test.check_finished.connect(lambda key, state: self.status.set_check(key, state))
        screens: dict[str, Screen] = {SELF_TEST: self_test}
        flow = flow_context(context, lambda: self.user)
        for name, page in {**enrolment_screens(flow), **review_screens(context, flow)}.items():
            page.open_screen.connect(self.show_screen)
            screens[name] = page
        self._add_screens(screens)
        self.status.set_checks(checks)

    def _add_screens(self, screens: dict[str, Screen]) -> None:
        for name, screen in screens.items():
            self.screens[name] = screen
            self.stack.addWidget(screen)

    def _lay_out(self, placement: Placement) -> None:
        officer = QWidget(self)
        column = QVBoxLayout(officer)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stack, 1)
        column.addWidget(self.key_hints)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(officer, 3)
        if placement.is_panel:
            self.citizen.setParent(central)
            row.addWidget(self.citizen, 1)
        else:
            self.citizen.place(placement)
        self.setCentralWidget(central)

    @property
    def current(self) -> Screen:
        """The screen in front."""
        screen = self.stack.currentWidget()
        assert isinstance(screen, Screen)  # noqa: S101 - the stack holds screens only
        return screen

    def current_name(self) -> str:
        """The name of the screen in front."""
        return next(name for name, screen in self.screens.items() if screen is self.current)

    def show_screen(self, name: str) -> None:
        """Bring screen ``name`` to the front, with its keys and its citizen page."""
        screen = self.screens[name]
        self.stack.setCurrentWidget(screen)
        signed_in = self.user is not None and name != LOCK
        keys: list[KeyBinding] = list(screen.bindings) + self._window_keys[: 2 if signed_in else 1]
        self.key_hints.set_bindings(keys)
        if screen.citizen_page is not None:
            self._frame.citizen.show(screen.citizen_page)
        else:
            self._frame.citizen.blank()
        screen.entered()

    def begin_session(self, user: User) -> None:
        """``user`` signed in (at login or at the lock): open their work or their home screen."""
        self.user = user
        self.status.set_user(user)
        home = self.screens[HOME]
        assert isinstance(home, HomeScreen)  # noqa: S101 - built above
        home.show_user(user)
        self._frame.citizen.set_locked(False)
        self.idle.arm()
        self.show_screen(self._resume.pop(user.id, HOME))

    def lock(self) -> None:
        """Raise the lock screen over the work in progress (idle time or Ctrl+L)."""
        if self.user is None or self.current is self.screens[LOCK]:
            return
        self._resume[self.user.id] = self.current_name()
        lock = self.screens[LOCK]
        assert isinstance(lock, LockScreen)  # noqa: S101 - built above
        lock.lock_for(self.user)
        self.idle.disarm()
        self._frame.citizen.set_locked(True)
        self.show_screen(LOCK)

    def sign_out(self) -> None:
        """End the session: back to the login screen, with the citizen window blank."""
        if self.user is not None:
            self._resume.pop(self.user.id, None)
        self.user = None
        self.status.set_user(None)
        self.idle.disarm()
        self._frame.citizen.blank()
        self.show_screen(LOGIN)

    def retranslate(self) -> None:
        """Translate the window's own texts (screens and bars follow their own events)."""
        title = _(TITLE)
        self.setWindowTitle(f"{title} — DEMO" if self._frame.settings.demo else title)
        self.key_hints.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        """Follow a runtime language switch."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
