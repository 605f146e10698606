"""Idle time: no key and no click for the configured minutes means the station locks itself.

A single-shot timer is restarted on every keyboard, mouse, wheel or touch event; the main window
locks when it fires. Work in progress is not touched by the lock.

The events are watched on the top-level windows (``QWindow``), not on the whole application:
the platform delivers every input event to its window first, while the application sees every
event of every object (paints, timers, queued signals). A Python filter on the application
would run, and take the GIL, for each of those; with workers holding the GIL that cost the GUI
thread up to 75 ms per stall. A window that appears later (a dialog) is watched once it gets
the focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``timeout_ms`` without user input, while armed."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.idle)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._watch)

    def arm(self) -> None:
        """Start counting (someone signed in); every window open now is watched."""
        for window in QGuiApplication.topLevelWindows():
            self._watch(window)
        self._timer.start()

    def disarm(self) -> None:
        """Stop counting (locked or signed out)."""
        self._timer.stop()

    def is_armed(self) -> bool:
        """Whether the countdown runs."""
        return self._timer.isActive()

    def remaining_ms(self) -> int:
        """Milliseconds left before ``idle``; -1 while disarmed."""
        return self._timer.remainingTime()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Restart the countdown on user input; never consumes the event."""
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False

    def _watch(self, window: QWindow | None) -> None:
        # Qt keeps one entry per filter and object, so watching a window twice is harmless.
        if window is not None:
            window.installEventFilter(self)
