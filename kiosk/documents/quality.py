"""Whether a flattened card is good enough to keep, each failure with a reason code.

The officer sees the flat image and the reasons and retakes the picture; the measures are kept
so thresholds can be reviewed against real scans. Each check looks at one thing:

- ``too_small``: the card spanned fewer than ``MIN_SOURCE_WIDTH`` source pixels across its
  long side; the flat image was then enlarged, and enlarged pixels never pass.
- ``corner_cut``: a corner is outside the picture or hidden (a finger, a shadow).
- ``blur``: the card's sharpest edges are already soft: blurring them again takes away little
  of their gradient (the re-blur measure of Crété-Roffet et al., 2007, on the strongest 3 % of
  edges, so neither contrast, light nor sensor noise moves it much).
- ``glare``: a saturated spot over the printed area larger than a few characters (text and QR
  modules cannot be read through it, whatever the decoder).
- ``too_dark``: the card's median brightness is too low to read.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.domain.documents import QualityReason

Image = npt.NDArray[np.uint8]

MIN_SOURCE_WIDTH = 900
"""Source pixels across the card's long side below which the card is too small (issue 9)."""

MIN_SHARPNESS = 0.34
"""Share of the strongest edges' gradient that a 2-pixel re-blur removes, below which the card
is blurred. On generated photographs of cards spanning 900 source pixels or more, Gaussian blur
up to sigma 2 source pixels (text still readable) measured 0.36 and above; 4 pixels more blur
measured 0.33 and below."""

MAX_GLARE = 0.002
"""Share of the printed area that may be saturated: about one spot 3 mm across on a card.

A few specular pixels are harmless (the opening below removes them), but a saturated spot larger
than a line of text is high (2 mm) hides whole characters, and on a QR symbol (modules of 0.3 to
0.4 mm) it wipes out more than error correction restores or a finder pattern outright. At 1 %
(the earlier limit) a spot of 0.9 % over one finder pattern passed while the QR could not be
read by anyone (docs/benchmarks.md, documents)."""

MIN_BRIGHTNESS = 60.0
"""Median grey level (0-255) below which the card is too dark."""

_REBLUR_SIGMA = 2.0  # flat pixels
_STRONG_EDGES = 97.0  # percentile of the gradient magnitude above which an edge counts
_SATURATED = 245  # every channel at or above this is glare
_GLARE_BLOB = 15  # flat pixels: about four QR modules
_BORDER = 0.04  # of the flat card's size: the edge band left out of the glare check


@dataclass(frozen=True, slots=True)
class Quality:
    """The measures and the reasons they give (empty ``reasons``: the image passes).

    Attributes:
        source_width: source pixels across the card's long side.
        hidden_corners: how many corners are cut off or hidden.
        sharpness: the re-blur measure (0 to 1; higher is sharper).
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
    sharpness = _sharpness(grey)
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


def _sharpness(grey: Image) -> float:
    """How much of the strongest edges' gradient a further blur removes (sharp: near 1)."""
    magnitude = _gradient(grey.astype(np.float32))
    strong = magnitude > np.percentile(magnitude, _STRONG_EDGES)
    total = float(magnitude[strong].sum())
    if total == 0:
        return 0.0
    soft = np.asarray(cv2.GaussianBlur(grey.astype(np.float32), (0, 0), _REBLUR_SIGMA), np.float32)
    reblurred = _gradient(soft)
    return 1.0 - float(reblurred[strong].sum()) / total


def _gradient(grey: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    dx = cv2.Sobel(grey, cv2.CV_32F, 1, 0)
    dy = cv2.Sobel(grey, cv2.CV_32F, 0, 1)
    return np.asarray(cv2.magnitude(dx, dy), np.float32)


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
