"""The receipts' typeface: DejaVu Sans, regular and bold, registered once as a font family.

reportlab's built-in Helvetica has no Vietnamese letters (it prints black boxes), and reportlab
does no shaping, so decomposed (NFD) text would draw its marks out of place. Hence every text
is drawn in this TrueType family and through ``clean`` (NFC). The files ship in
``resources/fonts`` (licence beside them), so a Windows counter or the frozen build needs no
installed font.
"""

from __future__ import annotations

import io
import threading
from importlib import resources

from kiosk.domain.text import normalise

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()


def register_fonts() -> None:
    """Make ``REGULAR`` and ``BOLD`` known to reportlab, with ``<b>`` mapped to the bold face.

    Safe to call before every document: the files are read only on the first call.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        if REGULAR in pdfmetrics.getRegisteredFontNames():
            return
        for name, file_name in _FILES.items():
            data = (resources.files("kiosk.resources") / "fonts" / file_name).read_bytes()
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        # No italic face is shipped: italics fall back to the upright ones.
        pdfmetrics.registerFontFamily(
            REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
        )


def clean(text: str) -> str:
    """``text`` as it may be drawn: NFC, trimmed, single spaces (reportlab does no shaping)."""
    return normalise(text)
