"""The live camera preview with the guidance overlay: the face's box and what to do now.

It paints the latest analysed frame it was given (``PreviewFrame`` from the counter service),
scaled to fit, with the face box green when the frame is ready and amber otherwise, and the
instruction in large type along the bottom. Frames arrive at the analysis rate; only the
latest is kept, so a slow paint never queues frames up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:
    from kiosk.services.counter import PreviewFrame


READY_COLOUR = QColor("#2e7d32")
ADJUST_COLOUR = QColor("#f9a825")


class CameraView(QWidget):
    """Shows the latest preview frame and the guidance text the screen words for it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraView")
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._image: QImage | None = None
        self._box: tuple[float, float, float, float] | None = None
        self._ready = False
        self.guidance = ""

    def show_frame(self, frame: PreviewFrame, guidance: str) -> None:
        """Show ``frame`` with ``guidance`` (already translated) over it."""
        height, width = frame.image.shape[:2]
        rgb = frame.image[:, :, ::-1].copy()  # BGR to RGB, contiguous for QImage
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        self._image = image.copy()  # detach from the numpy buffer
        self._box = frame.face_box
        self._ready = frame.instruction == "ready"
        self.guidance = guidance
        self.update()

    def clear(self) -> None:
        """Show nothing (between attempts)."""
        self._image = None
        self._box = None
        self.guidance = ""
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the frame, the face box and the guidance."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202020"))
        if self._image is not None:
            target = self._fit(self._image.width(), self._image.height())
            painter.drawImage(target, self._image)
            if self._box is not None:
                left, top, width, height = self._box
                colour = READY_COLOUR if self._ready else ADJUST_COLOUR
                painter.setPen(QPen(colour, 4))
                painter.drawRect(
                    QRectF(
                        target.x() + left * target.width(),
                        target.y() + top * target.height(),
                        width * target.width(),
                        height * target.height(),
                    )
                )
        if self.guidance:
            font = QFont(self.font())
            font.setPointSize(18)
            painter.setFont(font)
            painter.setPen(QColor("white"))
            band = QRectF(0, self.height() - 56, self.width(), 56)
            painter.fillRect(band, QColor(0, 0, 0, 160))
            painter.drawText(band, Qt.AlignmentFlag.AlignCenter, self.guidance)
        painter.end()

    def _fit(self, width: int, height: int) -> QRectF:
        scale = min(self.width() / width, self.height() / height)
        shown_w, shown_h = width * scale, height * scale
        return QRectF((self.width() - shown_w) / 2, (self.height() - shown_h) / 2, shown_w, shown_h)
