"""Best frame, ICAO-style portrait crop and the 1:1 comparison with the chip portrait.

The decision is a distance between two dlib descriptors against a threshold, returned as the
domain's ``FaceMatch`` (distance, threshold and decision kept together with the application).
The threshold comes from the settings (``kiosk.config.FaceSettings``), whose conservative
default is not validated on the target population until it is set from ``kiosk face eval``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.domain.biometrics import FaceMatch, compare_faces
from kiosk.face.detect import (
    Box,
    Encoding,
    Image,
    Landmarks,
    detect_faces,
    encode_face,
    face_distance,
)
from kiosk.face.errors import MultipleFaces, NoFace
from kiosk.face.quality import DEFAULT_RULES, GuidanceRules, Measures

PORTRAIT_SIZE = (420, 560)
"""Width and height of the portrait crop: 3:4, as ICAO 9303 / ISO/IEC 19794-5 photos."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ready frame kept during capture, with what guidance measured on it."""

    image: Image
    measures: Measures
    landmarks: Landmarks


def compare(live: Encoding, reference: Encoding, threshold: float) -> FaceMatch:
    """Compare two descriptors (the live face and the chip portrait) under ``threshold``."""
    return compare_faces(face_distance(live, reference), threshold)


def frame_score(measures: Measures, rules: GuidanceRules = DEFAULT_RULES) -> float:
    """How good a capture the frame is: sharp, frontal and eyes open score high.

    Sharpness is weighted by frontality (1 when facing the camera, 0 at the pose limits) and
    by eye openness (capped at a typical open eye), so a slightly softer frontal frame beats a
    sharp turned one.
    """
    pose = measures.pose
    turn = abs(pose.yaw) / rules.max_yaw + abs(pose.pitch) / rules.max_pitch
    frontality = max(0.0, 1.0 - turn / 2)
    eyes = min(1.0, measures.eye_openness / 0.3)
    return measures.sharpness * frontality * eyes


def best_frame(candidates: Sequence[Candidate], rules: GuidanceRules = DEFAULT_RULES) -> Candidate:
    """The highest-scoring candidate.

    Raises:
        NoFace: no candidate was collected.
    """
    if not candidates:
        raise NoFace("no ready frame was captured")
    return max(candidates, key=lambda candidate: frame_score(candidate.measures, rules))


def _eye_centre(landmarks: Landmarks) -> tuple[float, float]:
    points = np.array([*landmarks.left_eye, *landmarks.right_eye], dtype=np.float64)
    x, y = points.mean(axis=0)
    return float(x), float(y)


def portrait_crop(image: Image, landmarks: Landmarks) -> Image:
    """A 3:4 portrait in the ICAO manner: eyes level, centred, face a little over half the width.

    The photo is rotated so the eyes are level, scaled so the eye distance is a quarter of
    the width, and placed with the eye line 45 % from the top (ICAO 9303 puts it between 50
    and 70 % of the height from the bottom). Areas outside the frame are filled with white.
    """
    width, height = PORTRAIT_SIZE
    left = np.mean(np.array(landmarks.left_eye), axis=0)
    right = np.mean(np.array(landmarks.right_eye), axis=0)
    dx, dy = float(right[0] - left[0]), float(right[1] - left[1])
    angle = float(np.degrees(np.arctan2(dy, dx)))
    scale = (width / 4) / max(float(np.hypot(dx, dy)), 1.0)
    centre = _eye_centre(landmarks)
    matrix = cv2.getRotationMatrix2D(centre, angle, scale)
    matrix[0, 2] += width / 2 - centre[0]
    matrix[1, 2] += height * 0.45 - centre[1]
    crop = cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_AREA, borderValue=(255, 255, 255)
    )
    return np.asarray(crop, dtype=np.uint8)


def single_face(image: Image) -> Box:
    """The one face of a still image (a chip portrait or a file).

    A still may be small (a chip portrait is often 300 px wide or less), so when nothing is
    found at the live frame's setting the detector looks again at twice the scale.

    Raises:
        NoFace: no face at either scale.
        MultipleFaces: more than one face.
    """
    boxes = detect_faces(image) or detect_faces(image, upsample=1)
    if not boxes:
        raise NoFace("no face in the image")
    if len(boxes) > 1:
        raise MultipleFaces("more than one face in the image", count=len(boxes))
    return boxes[0]


def encode_single(image: Image) -> Encoding:
    """The descriptor of the one face of a still image.

    Raises:
        NoFace: no face.
        MultipleFaces: more than one face.
    """
    return encode_face(image, single_face(image))
