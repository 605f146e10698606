"""Decoding the QR code printed on a card, from the photograph's own pixels.

A card photographed at arm's length has QR modules of 2.5 to 5 source pixels, softened by focus;
flattening it to the fixed flat size shrinks the densest codes (a BHYT code has 65 modules
across) below what any decoder reads. So decoding never starts from the flat card:

1. zxing-cpp reads the card's bounding box in the source, at full resolution (a few
   milliseconds; it corrects the symbol's perspective itself). It decodes most cards.
2. Otherwise the symbol's square is warped again from the source at ``ZOOM_WIDTH`` pixels per
   card width (about 6 pixels per module of a BHYT code) with cubic interpolation, and read as
   is, then unsharp-masked. The square is where zxing saw a symbol it could not decode, or else
   the square of the flat card with the densest edges (a QR symbol is the busiest thing on a
   card).
3. Last, the square binarised by each pixel's neighbourhood (an adaptive threshold a few
   modules wide, which takes away the brightness ramp of a glare spot beside the symbol).

The benchmark figures behind these choices are in docs/benchmarks.md (documents): zxing-cpp
decodes more of the generated photographs than OpenCV's two detectors, at a tenth of the time.
OpenCV's ``QRCodeDetectorAruco``, once the last step here, decoded none of 600 photographs
after the binarised read (seeds 2 and 7) while costing tens of milliseconds on every miss, so
card scans no longer try it; ``decode_qr`` (printed receipts) still does.
The text is kept exactly as decoded (UTF-8 bytes as UTF-8): the layouts parse it, and the raw
text is evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

Image = npt.NDArray[np.uint8]
Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]
Matrix = npt.NDArray[np.float64]

ZOOM_WIDTH = 2000
"""Card width, in pixels, at which the symbol's square is warped again from the source."""

_UNSHARP_SIGMA = 3.0  # pixels at ZOOM_WIDTH: half a module of a dense code
_SHARPEN = (1.0, 3.0)  # unsharp-mask amounts tried in turn (the stronger one for heavy blur)
_SYMBOL = 0.15  # of the card's width: the window that finds the QR's busiest part
_CROP = 0.45  # of the card's width: the square re-warped (a QR is 20-25 % of the width)
_MIN_SEEN = 0.2  # of the card's width: a smaller seen "symbol" is a misreading of print
_SEEN_MARGIN = 0.35  # of a seen symbol's size, added on each side of its square
_LOCAL_BLOCK = 51  # pixels at ZOOM_WIDTH: five to seven modules, the binarisation window
_LOCAL_OFFSET = 5  # grey levels below the window's mean that count as a dark module
_BOX_MARGIN = 0.03  # of the card's width, around its bounding box in the source
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


@dataclass(frozen=True, slots=True)
class QrCode:
    """A decoded QR symbol.

    Attributes:
        text: the payload exactly as decoded.
        points: the symbol's corners in the image, in the symbol's own order (top-left,
            top-right, bottom-right, bottom-left as printed), which shows how it is turned.
    """

    text: str
    points: Quad


@dataclass(frozen=True, slots=True)
class _Read:
    """One decoder pass: the decoded symbol, or where a symbol was seen but not decoded."""

    code: QrCode | None
    seen: Quad | None


def decode_qr(image: Image) -> QrCode | None:
    """The QR code in ``image`` (BGR or grey), or None when none can be decoded."""
    grey = _grey(image)
    return _zxing(grey).code or _opencv(_unsharp(grey, _SHARPEN[0]))


def decode_card_qr(source: Image, corners: Sequence[Point], flat: Image) -> QrCode | None:
    """The QR code of a card, its points in ``flat``'s pixels.

    ``flat`` is the card warped from ``corners`` (clockwise from its top-left) of ``source``.
    """
    grey = _grey(source)
    height, width = flat.shape[:2]
    to_flat = _homography(corners, width, height)
    box, origin = _bounding_box(grey, corners)
    first = _zxing(box)
    if first.code is not None:
        return _moved(first.code, _translation(*origin, to_flat))
    square = _square(first.seen, origin, to_flat) if first.seen else None
    if square is None or square[2] < _MIN_SEEN * width:
        square = _busiest_square(flat)
    zoom = ZOOM_WIDTH / width
    x, y, side = square
    to_crop = np.array([[zoom, 0, -zoom * x], [0, zoom, -zoom * y], [0, 0, 1]]) @ to_flat
    size = round(side * zoom)
    crop = np.asarray(
        cv2.warpPerspective(grey, to_crop, (size, size), flags=cv2.INTER_CUBIC), np.uint8
    )
    code = _zxing(crop).code
    for amount in _SHARPEN:
        code = code or _zxing(_unsharp(crop, amount)).code
    code = code or _zxing(_binarised(crop)).code
    if code is None:
        return None
    back = np.array([[1 / zoom, 0, x], [0, 1 / zoom, y], [0, 0, 1]])
    return _moved(code, back)


def _grey(image: Image) -> Image:
    if image.ndim == 2:
        return image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), np.uint8)


def _unsharp(grey: Image, amount: float) -> Image:
    soft = cv2.GaussianBlur(grey, (0, 0), _UNSHARP_SIGMA)
    return np.asarray(cv2.addWeighted(grey, 1.0 + amount, soft, -amount, 0), np.uint8)


def _binarised(grey: Image) -> Image:
    """Black and white by each pixel's neighbourhood of a few modules (glare's ramp removed)."""
    sharp = _unsharp(grey, _SHARPEN[0])
    return np.asarray(
        cv2.adaptiveThreshold(
            sharp, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, _LOCAL_BLOCK, _LOCAL_OFFSET
        ),
        np.uint8,
    )


def _homography(corners: Sequence[Point], width: int, height: int) -> Matrix:
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(np.array(corners, dtype=np.float32), target)
    return np.asarray(matrix, np.float64)


def _translation(x: float, y: float, then: Matrix) -> Matrix:
    """``then`` applied to points given relative to (x, y)."""
    return then @ np.array([[1, 0, x], [0, 1, y], [0, 0, 1]], np.float64)


def _bounding_box(grey: Image, corners: Sequence[Point]) -> tuple[Image, tuple[int, int]]:
    """The source's pixels around the card and the box's top-left corner."""
    points = np.array(corners, np.float64)
    (left, top), (right, bottom) = points.min(axis=0), points.max(axis=0)
    margin = _BOX_MARGIN * (right - left)
    height, width = grey.shape[:2]
    x0, y0 = max(0, int(left - margin)), max(0, int(top - margin))
    x1, y1 = min(width, int(right + margin) + 1), min(height, int(bottom + margin) + 1)
    return grey[y0:y1, x0:x1], (x0, y0)


def _moved(code: QrCode, matrix: Matrix) -> QrCode:
    return QrCode(code.text, _transform(code.points, matrix))


def _transform(points: Quad, matrix: Matrix) -> Quad:
    moved = cv2.perspectiveTransform(np.array([points], np.float64), matrix)[0]
    return tuple((float(x), float(y)) for x, y in moved)  # type: ignore[return-value]


def _square(seen: Quad, origin: tuple[int, int], to_flat: Matrix) -> tuple[float, float, float]:
    """(x, y, side) in flat pixels of the square around a symbol seen in the bounding box."""
    points = np.array(_transform(seen, _translation(*origin, to_flat)))
    (left, top), (right, bottom) = points.min(axis=0), points.max(axis=0)
    side = max(right - left, bottom - top) * (1 + 2 * _SEEN_MARGIN)
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    return float(centre_x - side / 2), float(centre_y - side / 2), float(side)


def _busiest_square(flat: Image) -> tuple[float, float, float]:
    """(x, y, side) of the crop-sized square of ``flat`` centred on its densest edges."""
    grey = _grey(flat)
    edges = cv2.Canny(grey, 50, 150).astype(np.float32)
    window = max(3, round(_SYMBOL * max(grey.shape)))
    density = cv2.boxFilter(edges, -1, (window, window))
    row, column = np.unravel_index(int(np.argmax(density)), density.shape)
    side = _CROP * max(grey.shape)
    return float(column - side / 2), float(row - side / 2), float(side)


def _zxing(grey: Image) -> _Read:
    """zxing-cpp's reading of ``grey``: QR codes only (dark modules on a light card)."""
    found = zxingcpp.read_barcodes(
        grey,
        formats=_QR_ONLY,
        try_rotate=False,  # QR finder patterns give any rotation; this flag is for 1D codes
        try_invert=False,
        return_errors=True,
    )
    seen: Quad | None = None
    for barcode in found:
        position = barcode.position
        corners = (position.top_left, position.top_right, position.bottom_right)
        points = (*corners, position.bottom_left)
        quad: Quad = tuple((float(p.x), float(p.y)) for p in points)  # type: ignore[assignment]
        if barcode.valid and barcode.error is None:
            return _Read(QrCode(_text(barcode), quad), None)
        seen = seen or quad
    return _Read(None, seen)


def _text(barcode: zxingcpp.Barcode) -> str:
    """The payload's bytes as UTF-8 (cards carry UTF-8 without an ECI), else zxing's reading."""
    try:
        return barcode.bytes.decode("utf-8")
    except UnicodeDecodeError:
        return barcode.text


def _opencv(grey: Image) -> QrCode | None:
    text, points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(grey)
    if not text or points is None:
        return None
    corners = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if corners.shape != (4, 2):
        return None
    as_points = tuple((float(x), float(y)) for x, y in corners)
    return QrCode(str(text), as_points)  # type: ignore[arg-type]
