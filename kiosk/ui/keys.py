"""The keyboard map: every action a screen offers has a key, and every key is shown on screen.

Officers work from the keyboard while a queue waits, so a screen declares its actions as
``KeyBinding``s; ``bind_key`` makes the window-wide shortcut (active only while the screen is
visible) and the key-hint bar lists the same bindings, so what is shown is what works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """A key and what it does, as the hint bar shows it.

    Attributes:
        key: a portable key sequence ("F5", "Ctrl+L", "Esc").
        label: the Vietnamese source text of the action (translated when shown).
    """

    key: str
    label: str

    def key_text(self) -> str:
        """The key as the platform writes it, for the hint bar."""
        if self.key == "Return":
            return "Enter"  # the key's printed name on officers' keyboards
        return QKeySequence(self.key).toString(QKeySequence.SequenceFormat.NativeText)


def bind_key(owner: QWidget, key: str, label: str, slot: Callable[[], object]) -> KeyBinding:
    """Give ``owner`` a shortcut that works while it is visible; return it for the hint bar."""
    action = QAction(owner)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(slot)
    owner.addAction(action)
    return KeyBinding(key, label)
