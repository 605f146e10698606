"""The one adapter around face_recognition and dlib: detection, landmarks and encodings.

Nothing else in the kiosk imports ``face_recognition`` or ``dlib``; they are untyped, slow to
import (about 2 s) and hold the GIL, so this module imports them lazily and only the face worker
process (``kiosk.face.worker``) and the command line call it. Everything it returns is a typed
value of our own (``Box``, ``Landmarks``, a float64 encoding), so the models behind it can be
swapped without touching guidance or matching.

Licensing (see docs/licences.md): encodings use dlib's 5-point shape model; the 68-point model,
trained on iBUG 300-W whose terms exclude commercial use, is used only by ``landmarks_68``, the
default ``LandmarkFinder`` for guidance, which a licensed model can replace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""An 8-bit BGR image (H x W x 3), the layout OpenCV and the cameras produce."""

Encoding = npt.NDArray[np.float64]
"""A 128-dimensional face descriptor (dlib ResNet)."""

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Box:
    """A face's bounding box in pixels, edges inclusive-exclusive like dlib's rectangles."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        """Width in pixels."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """Height in pixels."""
        return self.bottom - self.top

    @property
    def centre(self) -> Point:
        """The centre point (x, y)."""
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)


@dataclass(frozen=True, slots=True)
class Landmarks:
    """The facial points guidance needs, independent of the model that found them.

    Eyes are six points each in the iBUG order (outer corner, two upper lid points, inner
    corner, two lower lid points), which the eye aspect ratio needs. "Left" and "right" are
    as seen in the image.

    ``skull`` holds the points that move with the head rather than with an expression (jaw
    line, eyebrows, nose bridge and nostrils: iBUG points 0-35); liveness fits them across
    frames to tell a head from a flat picture. A finder without such points leaves it empty.
    """

    left_eye: tuple[Point, ...]
    right_eye: tuple[Point, ...]
    nose_tip: Point
    chin: Point
    mouth_left: Point
    mouth_right: Point
    skull: tuple[Point, ...] = ()


LandmarkFinder = Callable[[Image, Box], Landmarks]
"""Finds ``Landmarks`` of the face in a box; swap it to change the landmark model."""


@cache
def _library() -> ModuleType:
    # Imported here, never at module level: 2 s of model loading belongs to the worker process.
    import face_recognition

    module: ModuleType = face_recognition
    return module


def load_models() -> None:
    """Load dlib and its models now (about 2 s) rather than on the first frame."""
    _library()


def _rgb(image: Image) -> Image:
    return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


def _css(box: Box) -> tuple[int, int, int, int]:
    return (box.top, box.right, box.bottom, box.left)


def detect_faces(image: Image, upsample: int = 0) -> list[Box]:
    """Every face found by dlib's HOG detector, largest first.

    HOG, because the CNN detector takes seconds per frame on a CPU. ``upsample=0`` finds faces
    from about 80 px wide in 46 ms on a 640x480 frame, which suits a subject at the counter;
    each extra upsample quadruples the cost and adds false positives (a name badge, in tests).
    """
    found = _library().face_locations(_rgb(image), number_of_times_to_upsample=upsample)
    boxes = [
        Box(left=int(x0), top=int(y0), right=int(x1), bottom=int(y1)) for y0, x1, y1, x0 in found
    ]
    return sorted(boxes, key=lambda box: box.width * box.height, reverse=True)


def _point(xy: tuple[int, int]) -> Point:
    return (float(xy[0]), float(xy[1]))


def landmarks_68(image: Image, box: Box) -> Landmarks:
    """Landmarks from dlib's 68-point model (iBUG 300-W: non-commercial training data).

    Kept as the default guidance finder until a licensed model replaces it (docs/licences.md);
    its points never reach the encoding, which uses the 5-point model.
    """
    parts = _library().face_landmarks(_rgb(image), [_css(box)], model="large")[0]
    return Landmarks(
        left_eye=tuple(_point(p) for p in parts["left_eye"]),
        right_eye=tuple(_point(p) for p in parts["right_eye"]),
        nose_tip=_point(parts["nose_bridge"][-1]),
        chin=_point(parts["chin"][8]),
        mouth_left=_point(parts["top_lip"][0]),
        mouth_right=_point(parts["top_lip"][6]),
        skull=tuple(
            _point(p)
            for key in ("chin", "left_eyebrow", "right_eyebrow", "nose_bridge", "nose_tip")
            for p in parts[key]
        ),
    )


def encode_face(image: Image, box: Box) -> Encoding:
    """The 128-dimensional descriptor of the face in ``box``, aligned on the 5-point model.

    One jitter: more jitters multiply the 150 ms cost for a small gain on live frames.
    """
    found = _library().face_encodings(_rgb(image), [_css(box)], num_jitters=1, model="small")
    return np.asarray(found[0], dtype=np.float64)


def face_distance(a: Encoding, b: Encoding) -> float:
    """Euclidean distance between two descriptors: 0 is identical, dlib's loose cut is 0.6."""
    return float(np.linalg.norm(a - b))
