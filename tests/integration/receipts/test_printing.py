"""Printing a receipt through QtPdf onto a QPrinter in PDF format, compared with pdftoppm."""

from __future__ import annotations

import os
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMarginsF, QTimer
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication

from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.receipts.payload import ReceiptKind
from kiosk.receipts.receipt import Person, ReceiptContent, render_receipt
from kiosk.ui.printing import choose_printer, default_printer, print_pdf

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytestmark = pytest.mark.usefixtures("gui_thread_collection")

CONTENT = ReceiptContent(
    kind=ReceiptKind.RECEIPT,
    number="00004-02-6F1C2A4E",
    application_id="6f1c2a4e-5b7d-4c3e-9a1b-2c3d4e5f6a7b",
    full_name="Nguyễn Thị Thuỷ Hoà",
    id_number="001190001234",
    received_at=datetime(2026, 11, 27, 2, tzinfo=UTC),
    unit_name="Công an phường Phúc Xá",
    counter=2,
    station="00004-02",
    received_by=Person("Lê Văn Cán", "CB-7"),
    approved_by=Person("Trần Thị Lãnh Đạo", "LD-1"),
    issued_at=datetime(2026, 11, 27, 3, tzinfo=UTC),
    demo=True,
    token="eyJhbGciOiJFZERTQSJ9." + "QUJD" * 70 + ".c2lnbmF0dXJl",
)


def pdf_printer(target: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    printer.setResolution(200)
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    return printer


def grey_page(pdf: Path) -> np.ndarray:
    subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-singlefile", str(pdf), str(pdf.with_suffix(""))],
        check=True,
    )
    image = cv2.imread(str(pdf.with_suffix(".pgm")), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image.astype(np.int16)


def blurred(image: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(image.astype(np.float32), (9, 9), 3)


@pytest.mark.usefixtures("qapp")
def test_the_printed_page_matches_the_receipt(tmp_path: Path) -> None:
    original = tmp_path / "receipt.pdf"
    original.write_bytes(render_receipt(CONTENT))
    printed = tmp_path / "printed.pdf"
    assert print_pdf(original.read_bytes(), pdf_printer(printed)) == 1
    expected, actual = grey_page(original), grey_page(printed)
    assert expected.shape == actual.shape
    # Qt stores the page image as JPEG and anti-aliases differently: compare blurred pages. Same
    # layout: about 1.6; the same page moved by one pixel (a quarter millimetre): about 2.2.
    assert np.abs(blurred(expected) - blurred(actual)).mean() < 2.0
    assert (actual < 128).mean() > 0.02  # not a blank page


@pytest.mark.usefixtures("qapp")
def test_a_document_qtpdf_cannot_open_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as refused:
        print_pdf(b"not a pdf", pdf_printer(tmp_path / "x.pdf"))
    assert refused.value.code is ErrorCode.RECEIPT_INVALID


@pytest.mark.usefixtures("qapp")
def test_cancelling_stops_before_the_next_page(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        print_pdf(render_receipt(CONTENT), pdf_printer(tmp_path / "x.pdf"), cancel)


@pytest.mark.usefixtures("qapp")
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen only
def test_the_print_dialog_gives_no_printer_when_cancelled() -> None:
    def reject() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QPrintDialog)
        dialog.reject()

    QTimer.singleShot(0, reject)
    assert choose_printer(None) is None


@pytest.mark.usefixtures("qapp")
def test_the_default_printer_or_printer_unavailable() -> None:
    installed = QPrinterInfo.defaultPrinter()
    if installed.isNull():
        with pytest.raises(DomainError) as refused:
            default_printer()
        assert refused.value.code is ErrorCode.PRINTER_UNAVAILABLE
    else:
        assert default_printer().printerName() == installed.printerName()
