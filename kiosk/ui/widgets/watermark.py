"""The DEMO watermark laid over every window in demo mode.

Demo material never reaches production (design.md): whatever is on a demo screen, a screenshot
of it says DEMO. The overlay ignores the mouse and follows its window's size.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

WATERMARK = "DEMO"


class DemoWatermark(QWidget):
    """A transparent, click-through layer that paints DEMO across its parent window."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep covering the window when it is resized and stay on top of new children."""
        if (
            event.type() in (QEvent.Type.Resize, QEvent.Type.ChildAdded)
            and watched is self.parent()
        ):
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
            self.raise_()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the word large and faint, tilted across the window."""
        painter = QPainter(self)
        font = QFont(self.font())
        font.setPixelSize(max(24, min(self.width(), self.height()) // 5))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(200, 30, 30, 60))
        painter.translate(self.width() / 2, self.height() / 2)
        painter.rotate(-30)
        box = painter.fontMetrics().boundingRect(WATERMARK)
        painter.drawText(-box.width() // 2, box.height() // 4, WATERMARK)
        painter.end()
