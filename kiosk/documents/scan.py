"""One scan of one card side: the entry point the command line and the services call.

``scan`` takes a file's path or bytes, ``scan_image`` pixels; both run the steps in order (find
the card, flatten it, decode its QR, turn it upright by the QR symbol, else the CCCD layout,
else the text's baselines, check its quality, parse the QR, cross-check with a chip read) and
return one frozen ``ScanResult``. Files that cannot be images raise typed errors; everything
found about a readable image, good or bad, is in the result, so the officer
sees the flat image with its reasons and decides to retake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.documents.crosscheck import CrossCheck, cross_check
from kiosk.documents.detect import Corners, find_card
from kiosk.documents.image import decode_image, read_bytes
from kiosk.documents.layouts import bhyt, cccd, gplx
from kiosk.documents.layouts.bhyt import BhytQr
from kiosk.documents.layouts.cccd import CccdAccess
from kiosk.documents.layouts.gplx import GplxQr
from kiosk.documents.qr import QrCode, decode_card_qr
from kiosk.documents.quality import Quality, assess
from kiosk.documents.text_orientation import is_upside_down_by_text
from kiosk.documents.warp import (
    FlatCard,
    flatten,
    is_upside_down_by_layout,
    is_upside_down_by_symbol,
    turn_half,
)
from kiosk.domain.cccd import CccdQr
from kiosk.domain.documents import DocumentKind
from kiosk.domain.errors import DomainError, ErrorCode

Image = npt.NDArray[np.uint8]
QrFields = CccdQr | BhytQr | GplxQr


@dataclass(frozen=True, slots=True)
class QrProblem:
    """Why a decoded QR text was refused (the ``QR_INVALID`` error's field and rule)."""

    field: str
    rule: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one scan found.

    Attributes:
        found: whether a card was found; the other fields are None when it was not.
        corners: the card's top-left, top-right, bottom-right and bottom-left corners in
            source pixels (upright order when ``upright`` is True).
        upright: whether the orientation was decided from content (else it may be turned 180).
        flat: the flat card, ``warp.FLAT_SIZE`` BGR pixels.
        qr_text: the QR payload exactly as decoded, kept as evidence.
        fields: the parsed QR fields of the layout of ``kind``.
        qr_problem: why ``qr_text`` was refused, when it was.
        access: for a CCCD, what a chip access key can be made from.
        cross_check: the comparison with the chip read, when one was given and fields parsed.
    """

    kind: DocumentKind
    found: bool
    corners: Corners | None = None
    upright: bool = False
    flat: Image | None = field(default=None, repr=False, compare=False)
    quality: Quality | None = None
    qr_text: str | None = field(default=None, repr=False)
    fields: QrFields | None = field(default=None, repr=False)
    qr_problem: QrProblem | None = None
    access: CccdAccess | None = field(default=None, repr=False)
    cross_check: CrossCheck | None = field(default=None, repr=False)

    def png(self) -> bytes:
        """The flat card as PNG bytes (``kiosk doc scan --out``, the screens).

        Raises:
            DomainError: CARD_NOT_FOUND when no card was found.
        """
        return self._encode(".png", [])

    def jpeg(self) -> bytes:
        """The flat card as JPEG bytes, as the application keeps it (a tenth of the PNG).

        Raises:
            DomainError: CARD_NOT_FOUND when no card was found.
        """
        return self._encode(".jpg", [cv2.IMWRITE_JPEG_QUALITY, 92])

    def _encode(self, extension: str, parameters: list[int]) -> bytes:
        if self.flat is None:
            raise DomainError(ErrorCode.CARD_NOT_FOUND, "no card in the image")
        ok, encoded = cv2.imencode(extension, self.flat, parameters)
        if not ok:
            raise DomainError(ErrorCode.INTERNAL, f"{extension} encoding failed")
        return bytes(encoded)


def scan(
    source: bytes | Path, kind: DocumentKind, chip: Mapping[str, object] | None = None
) -> ScanResult:
    """Scan a card image file (its path or bytes); ``chip`` is a ``kiosk card read --json``.

    Raises:
        DomainError: IMAGE_UNREADABLE (empty, corrupt, not JPEG/PNG) or IMAGE_TOO_LARGE.
    """
    data = read_bytes(source) if isinstance(source, Path) else source
    return scan_image(decode_image(data), kind, chip)


def scan_image(
    image: Image, kind: DocumentKind, chip: Mapping[str, object] | None = None
) -> ScanResult:
    """Scan pixels (8-bit BGR) already in memory, such as a camera frame."""
    outline = find_card(image)
    if outline is None:
        return ScanResult(kind, found=False)
    card = flatten(image, outline.corners)
    code = decode_card_qr(image, outline.corners, card.image)
    upside_down = _is_upside_down(card, kind, code)
    if upside_down:
        card = turn_half(card)
    quality = assess(card.image, outline.long_side, len(outline.hidden))
    result = ScanResult(kind, True, card.corners, upside_down is not None, card.image, quality)
    return _with_qr(result, code.text if code else None, chip)


def _is_upside_down(card: FlatCard, kind: DocumentKind, code: QrCode | None) -> bool | None:
    """The surest cue first: the read QR symbol's corner order, the CCCD layout, the text."""
    if code is not None:
        return is_upside_down_by_symbol(code)
    by_layout = is_upside_down_by_layout(card, kind)
    return by_layout if by_layout is not None else is_upside_down_by_text(card.image)


def _with_qr(result: ScanResult, text: str | None, chip: Mapping[str, object] | None) -> ScanResult:
    if text is None:
        return result
    try:
        fields = _parse(result.kind, text)
        access = cccd.access_data(fields) if isinstance(fields, CccdQr) else None
    except DomainError as err:
        problem = QrProblem(str(err.params.get("field", "qr")), str(err.params.get("rule", "")))
        return replace(result, qr_text=text, qr_problem=problem)
    checked = cross_check(fields, chip) if chip is not None else None
    return replace(result, qr_text=text, fields=fields, access=access, cross_check=checked)


def _parse(kind: DocumentKind, text: str) -> QrFields:
    if kind is DocumentKind.CCCD:
        return cccd.parse_qr(text)
    if kind is DocumentKind.BHYT:
        return bhyt.parse_qr(text)
    return gplx.parse_qr(text)
