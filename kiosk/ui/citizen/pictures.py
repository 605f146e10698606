"""The citizen window's pictures of what to do now, drawn with QPainter (our own simple art).

A citizen who reads little, or reads no Vietnamese, still sees what is asked: a card going onto
the reader, a face looking at the camera, closed eyes for a blink, arrows for turning the head,
a finger on the confirm button, an hourglass while they wait. Each picture is drawn once per
size into a pixmap that a plain QLabel shows, so repainting the window runs no Python.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

WIDTH, HEIGHT = 300.0, 200.0
"""The drawing's own coordinates; it is scaled to the size asked for."""

INK = QColor("#263238")
CARD = QColor("#bbdefb")
CHIP = QColor("#f9a825")
READER = QColor("#546e7a")
SKIN = QColor("#ffe0b2")
ACCENT = QColor("#2e7d32")
LIGHT = QColor("#fafafa")


class Picture(StrEnum):
    """What the citizen is asked to do; a page names one, or none."""

    CARD = "card"
    CAMERA = "camera"
    BLINK = "blink"
    TURN = "turn"
    CONFIRM = "confirm"
    WAIT = "wait"


def render(picture: Picture, size: QSize, ratio: float = 1.0) -> QPixmap:
    """``picture`` drawn to fit ``size`` (logical pixels) at the screen's pixel ``ratio``."""
    pixmap = QPixmap(size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scale = min(size.width() / WIDTH, size.height() / HEIGHT)
    painter.translate((size.width() - WIDTH * scale) / 2, (size.height() - HEIGHT * scale) / 2)
    painter.scale(scale, scale)
    painter.setPen(_pen(INK, 4))
    _DRAWINGS[picture](painter)
    painter.end()
    return pixmap


def _pen(colour: QColor, width: float) -> QPen:
    cap, join = Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    return QPen(QBrush(colour), width, Qt.PenStyle.SolidLine, cap, join)


def _card_on_reader(painter: QPainter) -> None:
    painter.setBrush(READER)
    painter.drawRoundedRect(QRectF(70, 130, 160, 50), 10, 10)
    painter.setBrush(ACCENT)
    painter.drawEllipse(QPointF(210, 155), 6, 6)
    painter.save()
    painter.translate(150, 70)
    painter.rotate(-8)
    painter.setBrush(CARD)
    painter.drawRoundedRect(QRectF(-70, -40, 140, 80), 8, 8)
    painter.setBrush(CHIP)
    painter.drawRoundedRect(QRectF(-52, -14, 26, 22), 4, 4)
    painter.drawLine(QPointF(-10, -20), QPointF(50, -20))
    painter.drawLine(QPointF(-10, 0), QPointF(40, 0))
    painter.restore()
    _arrow(painter, QPointF(260, 50), QPointF(260, 125))


def _face(painter: QPainter, centre: QPointF, eyes_open: bool = True) -> None:
    painter.setBrush(SKIN)
    painter.drawEllipse(centre, 48, 58)
    painter.setBrush(INK)
    for dx in (-18, 18):
        eye = centre + QPointF(dx, -10)
        if eyes_open:
            painter.drawEllipse(eye, 5, 5)
        else:
            painter.drawLine(eye + QPointF(-8, 0), eye + QPointF(8, 0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    mouth = QPainterPath(centre + QPointF(-16, 24))
    mouth.quadTo(centre + QPointF(0, 36), centre + QPointF(16, 24))
    painter.drawPath(mouth)


def _look_at_camera(painter: QPainter) -> None:
    painter.setBrush(READER)
    painter.drawRoundedRect(QRectF(120, 4, 60, 34), 6, 6)
    painter.setBrush(LIGHT)
    painter.drawEllipse(QPointF(150, 21), 10, 10)
    _face(painter, QPointF(150, 125))


def _blink(painter: QPainter) -> None:
    _face(painter, QPointF(150, 110), eyes_open=False)
    for dx in (-1, 1):
        for dy in (-16, 0, 16):
            start = QPointF(150 + dx * 62, 100 + dy)
            painter.drawLine(start, start + QPointF(dx * 18, dy / 2))


def _turn(painter: QPainter) -> None:
    _face(painter, QPointF(150, 110))
    _arrow(painter, QPointF(82, 110), QPointF(20, 110))
    _arrow(painter, QPointF(218, 110), QPointF(280, 110))


def _confirm(painter: QPainter) -> None:
    painter.setBrush(ACCENT)
    painter.drawRoundedRect(QRectF(50, 40, 200, 80), 18, 18)
    painter.setPen(_pen(LIGHT, 10))
    painter.drawPolyline(QPolygonF([QPointF(115, 80), QPointF(140, 102), QPointF(185, 58)]))
    painter.setPen(_pen(INK, 4))
    painter.setBrush(SKIN)
    finger = QPainterPath(QPointF(205, 105))
    finger.lineTo(QPointF(205, 190))
    finger.lineTo(QPointF(245, 190))
    finger.lineTo(QPointF(245, 140))
    finger.quadTo(QPointF(235, 125), QPointF(222, 135))
    finger.lineTo(QPointF(222, 105))
    finger.quadTo(QPointF(213, 92), QPointF(205, 105))
    painter.drawPath(finger)


def _wait(painter: QPainter) -> None:
    painter.setBrush(CARD)
    corners = ((110, 20), (190, 20), (150, 100), (190, 180), (110, 180), (150, 100))
    glass = QPolygonF([QPointF(x, y) for x, y in corners])
    painter.drawPolygon(glass)
    painter.setBrush(CHIP)
    painter.drawPolygon(QPolygonF([QPointF(150, 125), QPointF(178, 175), QPointF(122, 175)]))
    painter.setBrush(READER)
    painter.drawRoundedRect(QRectF(95, 10, 110, 12), 4, 4)
    painter.drawRoundedRect(QRectF(95, 178, 110, 12), 4, 4)


def _arrow(painter: QPainter, start: QPointF, end: QPointF) -> None:
    painter.drawLine(start, end)
    direction = end - start
    length = max((direction.x() ** 2 + direction.y() ** 2) ** 0.5, 1.0)
    unit = direction / length
    normal = QPointF(-unit.y(), unit.x())
    painter.setBrush(QBrush(INK))
    head = QPolygonF([end, end - unit * 16 + normal * 10, end - unit * 16 - normal * 10])
    painter.drawPolygon(head)


_DRAWINGS: dict[Picture, Callable[[QPainter], None]] = {
    Picture.CARD: _card_on_reader,
    Picture.CAMERA: _look_at_camera,
    Picture.BLINK: _blink,
    Picture.TURN: _turn,
    Picture.CONFIRM: _confirm,
    Picture.WAIT: _wait,
}
