"""The documents an officer scans and the stable reasons a scan is retaken.

Shared words of the documents package, the services and the UI (which may not import
``kiosk.documents``): which card a scan is of, and why its picture should be taken again.
"""

from __future__ import annotations

from enum import StrEnum


class DocumentKind(StrEnum):
    """The cards the officer scans; values are the command line's ``--kind`` words.

    The kind decides the QR layout and how a card without a readable QR is put upright.
    """

    CCCD = "cccd"
    GPLX = "gplx"
    BHYT = "bhyt"


class QualityReason(StrEnum):
    """Why a card image should be retaken; values are stable codes for the UI and JSON."""

    TOO_SMALL = "too_small"
    CORNER_CUT = "corner_cut"
    BLUR = "blur"
    GLARE = "glare"
    TOO_DARK = "too_dark"
