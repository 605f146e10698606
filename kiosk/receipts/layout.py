"""Drawing on A4 pages in millimetres from the top-left: text, wrapped text, rules, QR, DEMO.

A typed wrapper over reportlab's canvas (which is untyped), used by the receipt and the daily
report alike. Every text goes through ``fonts.clean`` and is drawn in the registered DejaVu
family, so no caller can reach Helvetica or draw NFD text by accident. reportlab is imported
when the first sheet is drawn, so importing the receipts (the desktop app does at start) does not
load it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

from kiosk.receipts.fonts import BOLD, REGULAR, clean, register_fonts

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
"""A4 (ISO 216), the page every sheet is drawn on."""
mm = 72 / 25.4
"""Points per millimetre (reportlab's ``units.mm``)."""
MARGIN_MM = 18.0
_QUIET_ZONE = 4  # modules of white around a QR symbol (ISO/IEC 18004)


class Align(StrEnum):
    """Where a line of text hangs from its x coordinate."""

    LEFT = "left"
    CENTRE = "centre"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Metadata:
    """The PDF's document information (File > Properties in a viewer).

    Attributes:
        subject: machine-readable content for receipts (their signed token), else a summary.
    """

    title: str
    subject: str
    author: str


class Sheet:
    """A PDF being drawn page by page; ``finish`` returns its bytes."""

    def __init__(self, metadata: Metadata) -> None:
        from reportlab.pdfgen.canvas import Canvas

        register_fonts()
        self._buffer = io.BytesIO()
        page = (PAGE_WIDTH_MM * mm, PAGE_HEIGHT_MM * mm)
        self._canvas = Canvas(self._buffer, pagesize=page, initialFontName=REGULAR)
        self._canvas.setTitle(clean(metadata.title))
        self._canvas.setSubject(metadata.subject)
        self._canvas.setAuthor(clean(metadata.author))
        self._canvas.setCreator("kiosk")

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10.0,
        bold: bool = False,
        align: Align = Align.LEFT,
    ) -> None:
        """One line of ``text`` with its baseline at ``y`` mm from the top."""
        self._canvas.setFont(BOLD if bold else REGULAR, size)
        draw = {
            Align.LEFT: self._canvas.drawString,
            Align.CENTRE: self._canvas.drawCentredString,
            Align.RIGHT: self._canvas.drawRightString,
        }[align]
        draw(x * mm, _from_top(y), clean(text))

    def wrapped(
        self, x: float, y: float, width: float, text: str, *, size: float = 10.0, bold: bool = False
    ) -> float:
        """``text`` broken into lines of at most ``width`` mm; returns the next free baseline."""
        from reportlab.lib.utils import simpleSplit

        font = BOLD if bold else REGULAR
        leading = size * 1.35 / mm
        for line in simpleSplit(clean(text), font, size, width * mm):
            self.text(x, y, line, size=size, bold=bold)
            y += leading
        return y

    def qr(self, x: float, y: float, side: float, payload: str) -> None:
        """A QR code ``side`` mm wide, top-left at (``x``, ``y``): level M, quiet zone included.

        Drawn module by module on a white square (a watermark behind it would lower the
        contrast); reportlab's graphics renderer would also name Helvetica in the PDF.
        """
        modules = _qr_modules(payload)
        box = side / (len(modules) + 2 * _QUIET_ZONE)
        self._canvas.saveState()
        self._canvas.setFillGray(1.0)
        self._canvas.rect(x * mm, _from_top(y + side), side * mm, side * mm, stroke=0, fill=1)
        self._canvas.setFillGray(0.0)
        for row, dark in enumerate(modules):
            for column, is_dark in enumerate(dark):
                if is_dark:
                    left = x + (column + _QUIET_ZONE) * box
                    top = y + (row + _QUIET_ZONE + 1) * box
                    self._canvas.rect(left * mm, _from_top(top), box * mm, box * mm, 0, 1)
        self._canvas.restoreState()

    def watermark(self, text: str) -> None:
        """``text`` large, light and diagonal across the page (drawn first, under the rest)."""
        self._canvas.saveState()
        self._canvas.setFillGray(0.85)
        self._canvas.setFont(BOLD, 110)
        self._canvas.translate(PAGE_WIDTH_MM / 2 * mm, PAGE_HEIGHT_MM / 2 * mm)
        self._canvas.rotate(45)
        self._canvas.drawCentredString(0, -35, clean(text))
        self._canvas.restoreState()

    def new_page(self) -> None:
        """End the current page; drawing continues on a fresh one."""
        self._canvas.showPage()

    def finish(self) -> bytes:
        """End the document and return the PDF."""
        self._canvas.showPage()
        self._canvas.save()
        return self._buffer.getvalue()


def _qr_modules(payload: str) -> list[list[bool]]:
    """The QR symbol's modules, row by row (True is dark), at error correction level M."""
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    return [[bool(module) for module in row] for row in code.modules]


def _from_top(y: float) -> float:
    return float((PAGE_HEIGHT_MM - y) * mm)
