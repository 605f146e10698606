"""Printing a PDF the services made (receipt, slip, report) on a Qt printer.

Each page is rendered by QtPdf (PDFium) at the printer's resolution, capped at ``MAX_DPI``,
and painted into the printer's printable area keeping its proportions. Rendering rather than
handing the PDF to the printer driver means one code path on Windows and Linux, with or without
a PDF-capable driver. The caller records the printing through the receipt service once
``print_pdf`` returns, so the audit log says only what the printer accepted.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QImage, QPageLayout, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QWidget

from kiosk.domain.errors import Cancelled, DomainError, ErrorCode

MAX_DPI = 300
"""Receipts hold text and a QR code, sharp at 300 dpi (a QR module is then 7 dots); beyond it a
page image only costs memory (an A4 page at 600 dpi is 140 MB of pixels)."""

_POINTS_PER_INCH = 72.0


def default_printer() -> QPrinter:
    """The system's default printer, for printing without a dialog.

    Raises:
        DomainError: PRINTER_UNAVAILABLE when no printer is installed.
    """
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        raise DomainError(ErrorCode.PRINTER_UNAVAILABLE, "no default printer")
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def choose_printer(parent: QWidget | None) -> QPrinter | None:
    """The printer the user picks in Qt's print dialog, or None when the dialog is cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer


def print_pdf(pdf: bytes, printer: QPrinter, cancel: threading.Event | None = None) -> int:
    """Print every page of ``pdf`` on ``printer``; returns the number of pages printed.

    Raises:
        DomainError: RECEIPT_INVALID when QtPdf cannot open the document, PRINTER_UNAVAILABLE
            when the printer refuses to start.
        Cancelled: ``cancel`` was set between pages (the job is aborted, nothing more prints).
    """
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() is not QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise DomainError(ErrorCode.RECEIPT_INVALID, "QtPdf cannot open the document")
    _fit_layout(printer, document)
    painter = QPainter()
    if not painter.begin(printer):
        raise DomainError(ErrorCode.PRINTER_UNAVAILABLE, "the printer refused to start")
    try:
        for page in range(document.pageCount()):
            if cancel is not None and cancel.is_set():
                printer.abort()
                raise Cancelled
            if page:
                printer.newPage()
            _paint_page(painter, printer, document, page)
    finally:
        painter.end()
    return document.pageCount()


def _fit_layout(printer: QPrinter, document: QPdfDocument) -> None:
    size = document.pagePointSize(0)
    portrait = size.height() >= size.width()
    orientation = (
        QPageLayout.Orientation.Portrait if portrait else QPageLayout.Orientation.Landscape
    )
    printer.setPageOrientation(orientation)


def _paint_page(painter: QPainter, printer: QPrinter, document: QPdfDocument, page: int) -> None:
    dpi = min(printer.resolution(), MAX_DPI)
    points = document.pagePointSize(page)
    pixels = QSize(
        round(points.width() / _POINTS_PER_INCH * dpi),
        round(points.height() / _POINTS_PER_INCH * dpi),
    )
    image = _on_white(document.render(page, pixels))
    area = printer.pageLayout().paintRectPixels(printer.resolution())
    target = QSize(pixels).scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    painter.drawImage(QRect(0, 0, target.width(), target.height()), image)


def _on_white(page: QImage) -> QImage:
    # PDFium leaves the background transparent; an image with an alpha mask is slow or wrong on
    # many printer drivers, so the page goes to the printer opaque.
    opaque = QImage(page.size(), QImage.Format.Format_RGB32)
    opaque.fill(Qt.GlobalColor.white)
    painter = QPainter(opaque)
    painter.drawImage(0, 0, page)
    painter.end()
    return opaque
