"""The bar at the bottom of the main window that lists the keys of the screen in front."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.i18n import _
from kiosk.ui.keys import KeyBinding
from kiosk.ui.texts import DATA_PROPERTY


class KeyHints(QWidget):
    """Shows "key  action" pairs, so every shortcut is visible without a manual."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyHints")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self._bindings: list[KeyBinding] = []

    def set_bindings(self, bindings: Sequence[KeyBinding]) -> None:
        """Show ``bindings`` (the screen's, then the window's) in place of the previous ones."""
        self._bindings = list(bindings)
        self.retranslate()

    def retranslate(self) -> None:
        """Rebuild the pairs in the language in force."""
        while (item := self._layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.hide()
                widget.deleteLater()
        for binding in self._bindings:
            key = QLabel(binding.key_text(), self)
            key.setObjectName("keyCap")
            key.setProperty(DATA_PROPERTY, True)
            self._layout.addWidget(key)
            self._layout.addWidget(QLabel(_(binding.label), self))
            self._layout.addSpacing(8)
        self._layout.addStretch(1)
