"""Decoding the QR code printed on a card, with OpenCV's detectors.

A card photographed at arm's length has QR modules of 2 to 4 source pixels, softened by focus,
and flattening it to the fixed flat size can shrink them further. So the square of the flat
card with the densest edges (a QR symbol is the busiest thing on a card) is warped again from
the source at up to twice the flat scale, sharpened with an unsharp mask and decoded first; the
whole flat card is decoded only when that fails. ``QRCodeDetectorAruco`` runs before
``QRCodeDetector``, which is tried only when the first finds nothing (the benchmark figures for
these choices are in the issue 9 report). The text is kept exactly as decoded: the layouts parse
it, and the raw text is evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Point = tuple[float, float]

_UNSHARP_SIGMA = 2.0  # pixels: about half a QR module on the flat card
_SYMBOL = 0.15  # of the card's width: the window that finds the QR's busiest part
_CROP = 0.45  # of the card's width: the square decoded first (a QR is 20-25 % of the width)
_MAX_ZOOM = 2.0  # the QR square is warped at most at twice the flat card's scale


@dataclass(frozen=True, slots=True)
class QrCode:
    """A decoded QR symbol.

    Attributes:
        text: the payload exactly as decoded.
        points: the symbol's corners in the image, in the symbol's own order (top-left,
            top-right, bottom-right, bottom-left as printed), which shows how it is turned.
    """

    text: str
    points: tuple[Point, Point, Point, Point]


def decode_qr(image: Image) -> QrCode | None:
    """The QR code in ``image`` (BGR or grey), or None when none can be decoded."""
    return _decode(_grey(image))


def decode_card_qr(source: Image, corners: Sequence[Point], flat: Image) -> QrCode | None:
    """The QR code of a card, its points in ``flat``'s pixels.

    ``flat`` is the card warped from ``corners`` (clockwise from its top-left) of ``source``.
    """
    grey_flat = _grey(flat)
    x, y = _busiest_square(grey_flat)
    size = _crop_size(grey_flat)
    zoom = min(_MAX_ZOOM, max(1.0, _source_width(corners) / flat.shape[1]))
    height, width = flat.shape[:2]
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    to_flat = cv2.getPerspectiveTransform(np.array(corners, dtype=np.float32), target)
    to_crop = np.array([[zoom, 0, -zoom * x], [0, zoom, -zoom * y], [0, 0, 1]]) @ to_flat
    side = round(size * zoom)
    crop = cv2.warpPerspective(source, to_crop, (side, side), flags=cv2.INTER_LINEAR)
    found = _decode(_grey(np.asarray(crop, np.uint8)))
    if found is None:
        return _decode(grey_flat)
    points = tuple((px / zoom + x, py / zoom + y) for px, py in found.points)
    return QrCode(found.text, points)  # type: ignore[arg-type]


def _grey(image: Image) -> Image:
    if image.ndim == 2:
        return image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), np.uint8)


def _source_width(corners: Sequence[Point]) -> float:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = corners
    return (float(np.hypot(x1 - x0, y1 - y0)) + float(np.hypot(x2 - x3, y2 - y3))) / 2


def _crop_size(grey: Image) -> int:
    return round(_CROP * int(max(grey.shape)))


def _busiest_square(grey: Image) -> tuple[int, int]:
    """Top-left corner of the crop-sized square centred on the densest edges."""
    edges = cv2.Canny(grey, 50, 150).astype(np.float32)
    window = max(3, round(_SYMBOL * max(grey.shape)))
    density = cv2.boxFilter(edges, -1, (window, window))
    row, column = np.unravel_index(int(np.argmax(density)), density.shape)
    half = _crop_size(grey) // 2
    return max(0, int(column) - half), max(0, int(row) - half)


def _decode(grey: Image) -> QrCode | None:
    soft = cv2.GaussianBlur(grey, (0, 0), _UNSHARP_SIGMA)
    sharp = np.asarray(cv2.addWeighted(grey, 2.0, soft, -1.0, 0), np.uint8)
    for detector in (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()):
        found = _decode_with(detector, sharp)
        if found is not None:
            return found
    return None


def _decode_with(detector: cv2.GraphicalCodeDetector, grey: Image) -> QrCode | None:
    text, points, _ = detector.detectAndDecode(grey)
    if not text or points is None:
        return None
    corners = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if corners.shape != (4, 2):
        return None
    as_points = tuple((float(x), float(y)) for x, y in corners)
    return QrCode(str(text), as_points)  # type: ignore[arg-type]
