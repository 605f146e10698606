"""What every screen of the main window shares: bound texts, declared keys, a heading.

A screen is a page of the window's stack. It declares its keys (shown in the hint bar), binds
its texts for the runtime language switch, and is told when it comes to the front.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.keys import KeyBinding, bind_key
from kiosk.ui.texts import TextBinder


class Screen(QWidget):
    """A page of the main window; subclasses build their widgets and declare their keys.

    Attributes:
        citizen_page: what the citizen window shows while this screen is in front (None: blank).
    """

    citizen_page: CitizenPage | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = TextBinder()
        self.bindings: list[KeyBinding] = []

    def add_key(self, key: str, label: str, slot: Callable[[], object]) -> None:
        """Declare a key of this screen: it works while the screen is in front and is shown."""
        self.bindings.append(bind_key(self, key, label, slot))

    def heading(self, source: str) -> QLabel:
        """A large title; its style keeps room above it for stacked marks such as Ễ."""
        label = QLabel(self)
        label.setObjectName("heading")
        self.texts.bind(label.setText, source)
        return label

    def centred_column(self, *widgets: QWidget, width: int = 560) -> None:
        """Lay ``widgets`` out in a column of fixed width, centred in the screen."""
        column = QWidget(self)
        column.setFixedWidth(width)
        inner = QVBoxLayout(column)
        for widget in widgets:
            inner.addWidget(widget)
        # A grid with stretching neighbours, not an alignment flag: Qt ignores a wrapped label's
        # height-for-width inside an aligned item, and a long message would be cut.
        outer = QGridLayout(self)
        outer.addWidget(column, 1, 1)
        outer.setRowStretch(0, 1)
        outer.setRowStretch(2, 2)
        outer.setColumnStretch(0, 1)
        outer.setColumnStretch(2, 1)

    def entered(self) -> None:
        """Called when the screen comes to the front; screens put the focus where work starts."""
        self.focusNextChild()

    def retranslate(self) -> None:
        """Translate the screen's texts again; screens with formatted texts extend this."""
        self.texts.apply()

    def changeEvent(self, event: QEvent) -> None:
        """Follow a runtime language switch."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
