"""Whether a flattened card is good enough to keep, each failure with a reason code.

The officer sees the flat image and the reasons and retakes the picture; the measures are kept
so thresholds can be reviewed against real scans. Each check looks at one thing:

- ``too_small``: the card spanned fewer than ``MIN_SOURCE_WIDTH`` source pixels across its
  long side; the flat image was then enlarged, and enlarged pixels never pass.
- ``corner_cut``: a corner is outside the picture or hidden (a finger, a shadow).
- ``blur``: too little fine detail in the flat card (mean gradient energy of the text).
- ``glare``: saturated white pixels over the printed area (text cannot be read through it).
- ``too_dark``: the card's median brightness is too low to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]

MIN_SOURCE_WIDTH = 900
"""Source pixels across the card's long side below which the card is too small (issue 9)."""

MIN_SHARPNESS = 120.0
"""Variance of the Laplacian of the flat grey card below which it is blurred (benchmark-tuned)."""

MAX_GLARE = 0.01
"""Share of the printed area that may be saturated (a few specular pixels are harmless)."""

MIN_BRIGHTNESS = 60.0
"""Median grey level (0-255) below which the card is too dark."""

_SATURATED = 245  # every channel at or above this is glare
_GLARE_BLOB = 15  # flat pixels: about four QR modules
_BORDER = 0.04  # of the flat card's size: the edge band left out of the glare check


class QualityReason(StrEnum):
    """Why a card image should be retaken; values are stable codes for the UI and JSON."""

    TOO_SMALL = "too_small"
    CORNER_CUT = "corner_cut"
    BLUR = "blur"
    GLARE = "glare"
    TOO_DARK = "too_dark"


@dataclass(frozen=True, slots=True)
class Quality:
    """The measures and the reasons they give (empty ``reasons``: the image passes).

    Attributes:
        source_width: source pixels across the card's long side.
        hidden_corners: how many corners are cut off or hidden.
        sharpness: variance of the Laplacian of the flat grey card.
        glare: share of the printed area that is saturated.
        brightness: median grey level of the flat card.
    """

    source_width: float
    hidden_corners: int
    sharpness: float
    glare: float
    brightness: float
    reasons: tuple[QualityReason, ...]

    @property
    def passed(self) -> bool:
        """True when no check failed."""
        return not self.reasons


def assess(flat: Image, source_width: float, hidden_corners: int) -> Quality:
    """Measure ``flat`` (the flat BGR card) and list every check that fails."""
    grey = np.asarray(cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY), np.uint8)
    sharpness = float(cv2.Laplacian(grey, cv2.CV_32F).var())
    glare = _glare(flat)
    brightness = _median(grey)
    failed = (
        (source_width < MIN_SOURCE_WIDTH, QualityReason.TOO_SMALL),
        (hidden_corners > 0, QualityReason.CORNER_CUT),
        (sharpness < MIN_SHARPNESS, QualityReason.BLUR),
        (glare > MAX_GLARE, QualityReason.GLARE),
        (brightness < MIN_BRIGHTNESS, QualityReason.TOO_DARK),
    )
    reasons = tuple(reason for failing, reason in failed if failing)
    return Quality(source_width, hidden_corners, sharpness, glare, brightness, reasons)


def _median(grey: Image) -> float:
    """The median grey level, from the histogram (a full sort of the card is slower)."""
    histogram = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    return float(np.searchsorted(np.cumsum(histogram), grey.size / 2))


def _glare(flat: Image) -> float:
    height, width = flat.shape[:2]
    dy, dx = round(_BORDER * height), round(_BORDER * width)
    printed = flat[dy : height - dy, dx : width - dx]
    saturated = cv2.inRange(printed, (_SATURATED,) * 3, (255,) * 3)
    # Opening keeps only blobs wider than the kernel: white QR modules, the QR's quiet zone
    # and paper-white print are finer than a glare spot.
    blobs = cv2.morphologyEx(
        saturated, cv2.MORPH_OPEN, np.ones((_GLARE_BLOB, _GLARE_BLOB), np.uint8)
    )
    return float(np.count_nonzero(blobs)) / max(1, blobs.size)
