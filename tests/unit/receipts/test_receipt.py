"""The receipt's printed values and its PDF metadata."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from kiosk.receipts.payload import ReceiptKind, token_from_pdf
from kiosk.receipts.receipt import (
    Person,
    ReceiptContent,
    local_time,
    mask_id_number,
    render_receipt,
)

CONTENT = ReceiptContent(
    kind=ReceiptKind.SLIP,
    number="00004-02-6F1C2A4E",
    application_id="6f1c2a4e-5b7d-4c3e-9a1b-2c3d4e5f6a7b",
    full_name=unicodedata.normalize("NFD", "Đặng Thị Thuỷ"),
    id_number="001190001234",
    received_at=datetime(2026, 11, 27, 2, tzinfo=UTC),
    unit_name="Công an phường Phúc Xá",
    counter=2,
    station="00004-02",
    received_by=Person("Lê Văn Cán", "CB-7"),
    approved_by=None,
    issued_at=datetime(2026, 11, 27, 2, 5, tzinfo=UTC),
    demo=False,
    token="aGVhZGVy.cGF5bG9hZA.c2ln",
)


def test_the_id_number_shows_only_its_ends() -> None:
    assert mask_id_number("001190001234") == "001******234"


def test_times_are_printed_in_vietnam() -> None:
    assert local_time(datetime(2026, 11, 27, 17, 30, tzinfo=UTC)) == "00:30 28/11/2026"


def test_the_pdf_carries_the_token_and_embeds_the_font() -> None:
    pdf = render_receipt(CONTENT)
    assert pdf.startswith(b"%PDF")
    assert token_from_pdf(pdf) == CONTENT.token
    assert b"DejaVuSans" in pdf
    assert b"Helvetica" not in pdf


def test_nfd_input_is_drawn_precomposed(tmp_path: Path) -> None:
    # The domain stores NFC, but the receipt must not depend on it: reportlab does no shaping.
    target = tmp_path / "slip.pdf"
    target.write_bytes(render_receipt(CONTENT))
    text = subprocess.run(
        ["pdftotext", str(target), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Đặng Thị Thuỷ" in text  # exactly, without normalising what pdftotext read
    assert "PHIẾU TIẾP NHẬN HỒ SƠ" in text
