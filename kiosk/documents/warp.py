"""Flattening the card: the perspective correction to a fixed-size upright image.

The flat card is ``FLAT_SIZE`` pixels, at least the 1000 x 630 the checks and the record need,
in the ID-1 aspect. Which way up it is comes from content, never from the photograph's own
orientation: the QR symbol's corner order shows how the card is turned, since every layout
prints its QR upright. Without a readable symbol the CCCD 2021 front is turned by where its QR
is printed (top right, facts 3.1); other layouts by their text's baselines
(``text_orientation``); when nothing decides, the orientation stays unknown, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.documents.detect import Corners
from kiosk.documents.qr import QrCode
from kiosk.domain.documents import DocumentKind

Image = npt.NDArray[np.uint8]

FLAT_SIZE = (1024, 646)
"""Width and height of the flat card: 1024 / 646 = 1.585, the ID-1 aspect (85.60 / 53.98)."""

# The CCCD 2021 front's QR zone (facts 3.1: top right) as fractions of the flat card.
_CCCD_QR_ZONE = (0.70, 0.0, 1.0, 0.45)
_ZONE_MARGIN = 1.15  # the edge density must exceed the opposite corner's by this factor


@dataclass(frozen=True, slots=True)
class FlatCard:
    """The flattened card and where its corners are in the source image.

    Attributes:
        image: ``FLAT_SIZE`` BGR pixels.
        corners: source pixels of the flat image's top-left, top-right, bottom-right and
            bottom-left corners.
    """

    image: Image
    corners: Corners


def flatten(source: Image, corners: Corners) -> FlatCard:
    """Map the quadrilateral ``corners`` (clockwise, long side first) onto ``FLAT_SIZE``."""
    width, height = FLAT_SIZE
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(np.array(corners, dtype=np.float32), target)
    flat = cv2.warpPerspective(source, matrix, FLAT_SIZE, flags=cv2.INTER_LINEAR)
    return FlatCard(np.asarray(flat, dtype=np.uint8), corners)


def turn_half(card: FlatCard) -> FlatCard:
    """The same card turned by 180 degrees (image and corner order)."""
    corners = card.corners[2:] + card.corners[:2]
    return FlatCard(np.asarray(cv2.rotate(card.image, cv2.ROTATE_180), np.uint8), corners)


def is_upside_down_by_symbol(code: QrCode) -> bool | None:
    """True or False from the QR symbol's corner order; None when it is turned sideways."""
    (x0, y0), (x1, y1) = code.points[0], code.points[1]
    angle = float(np.degrees(np.arctan2(y1 - y0, x1 - x0)) % 360)
    if angle <= 35 or angle >= 325:
        return False
    if 145 <= angle <= 215:
        return True
    return None


def is_upside_down_by_layout(card: FlatCard, kind: DocumentKind) -> bool | None:
    """For the CCCD front: whether the QR zone's edges are in the bottom-left; None if unclear."""
    if kind is not DocumentKind.CCCD:
        return None
    edges = np.asarray(cv2.Canny(cv2.cvtColor(card.image, cv2.COLOR_BGR2GRAY), 60, 150), np.uint8)
    upright = _zone_density(edges, _CCCD_QR_ZONE)
    x0, y0, x1, y1 = _CCCD_QR_ZONE
    turned = _zone_density(edges, (1 - x1, 1 - y1, 1 - x0, 1 - y0))
    if upright > _ZONE_MARGIN * turned:
        return False
    if turned > _ZONE_MARGIN * upright:
        return True
    return None


def _zone_density(edges: Image, zone: tuple[float, float, float, float]) -> float:
    height, width = edges.shape
    x0, y0, x1, y1 = zone
    patch = edges[round(y0 * height) : round(y1 * height), round(x0 * width) : round(x1 * width)]
    return float(np.count_nonzero(patch)) / max(1, patch.size)
