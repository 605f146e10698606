"""Idle time: no key and no click for the configured minutes means the station locks itself.

An application-wide event filter restarts a single-shot timer on every keyboard or mouse event;
the main window locks when it fires. Work in progress is not touched by the lock.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

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
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def arm(self) -> None:
        """Start counting (someone signed in)."""
        self._timer.start()

    def disarm(self) -> None:
        """Stop counting (locked or signed out)."""
        self._timer.stop()

    def is_armed(self) -> bool:
        """Whether the countdown runs."""
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Restart the countdown on user input; never consumes the event."""
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False
