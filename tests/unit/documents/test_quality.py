"""The glare check: a saturated spot the size of a QR finder pattern is a reason to retake."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.documents.quality import MIN_SOURCE_WIDTH, assess
from kiosk.documents.warp import FLAT_SIZE
from kiosk.domain.documents import QualityReason


def printed_card() -> np.ndarray:
    """A flat, sharp, evenly lit card: grey ground with rows of dark print."""
    width, height = FLAT_SIZE
    card = np.full((height, width, 3), 200, np.uint8)
    for row in range(60, height - 60, 40):
        for column in range(60, width - 60, 30):
            cv2.rectangle(card, (column, row), (column + 18, row + 22), (30, 30, 30), 2)
    return card


def test_a_spot_over_a_finder_pattern_is_glare() -> None:
    card = printed_card()
    # About 0.4 % of the card: less than the old 1 % limit, as large as a QR finder pattern
    # with its surroundings (the benchmark's seed 2 photograph 85 had such a spot).
    cv2.circle(card, (700, 300), 28, (255, 255, 255), -1)
    quality = assess(card, MIN_SOURCE_WIDTH + 100, 0)
    assert QualityReason.GLARE in quality.reasons


def test_specular_points_are_not_glare() -> None:
    card = printed_card()
    for x, y in ((100, 100), (400, 250), (800, 500), (300, 520)):
        cv2.circle(card, (x, y), 5, (255, 255, 255), -1)
    quality = assess(card, MIN_SOURCE_WIDTH + 100, 0)
    assert quality.glare == 0.0
    assert quality.reasons == ()
