"""Turning Qt-free callbacks into Qt signals, so code on any thread can reach the GUI safely.

Services and service loops stay Qt-free and report through plain callbacks, possibly from a
worker thread. A ``Bridge`` hands out such a callback; calling it emits ``delivered``, which Qt
queues to the GUI thread for receivers living there. Nothing else crosses threads.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class Bridge(QObject):
    """One callback-to-signal channel: ``callback()`` for the Qt-free side, ``delivered`` for Qt."""

    delivered = Signal(object)

    def callback(self) -> Callable[[object], None]:
        """A plain function that forwards its argument to ``delivered`` from any thread."""
        return self.delivered.emit
