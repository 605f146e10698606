"""The bar at the bottom of the main window that lists the keys of the screen in front.

The pairs wrap onto a second row when they do not fit (a narrow window, long English labels),
each "key  action" pair kept whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from kiosk.i18n import _
from kiosk.ui.keys import KeyBinding
from kiosk.ui.texts import DATA_PROPERTY
from kiosk.ui.widgets.flow_layout import FlowLayout


class KeyHints(QWidget):
    """Shows "key  action" pairs, so every shortcut is visible without a manual."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyHints")
        self._layout = FlowLayout(self, spacing=16)
        self._layout.setContentsMargins(8, 4, 8, 4)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._bindings: list[KeyBinding] = []
        self.pairs: list[QWidget] = []

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
        self.pairs = [self._pair(binding) for binding in self._bindings]
        for pair in self.pairs:
            self._layout.addWidget(pair)
        self.updateGeometry()

    def _pair(self, binding: KeyBinding) -> QWidget:
        pair = QWidget(self)
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        key = QLabel(binding.key_text(), pair)
        key.setObjectName("keyCap")
        key.setProperty(DATA_PROPERTY, True)
        row.addWidget(key)
        row.addWidget(QLabel(_(binding.label), pair))
        pair.show()
        return pair
