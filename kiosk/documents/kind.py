"""Which card a scan is of; decides the QR layout and how the card is put upright."""

from __future__ import annotations

from enum import StrEnum


class DocumentKind(StrEnum):
    """The cards the officer scans; values are the command line's ``--kind`` words."""

    CCCD = "cccd"
    GPLX = "gplx"
    BHYT = "bhyt"
