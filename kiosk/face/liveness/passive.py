"""The passive checks: what gives a photo or a screen away, whatever it is made to do.

- **Planarity.** Every point of a flat picture, however it is tilted or moved, maps from one
  frame to another by a single homography. A head's points do not: the nose and the jaw line
  are at different depths from the eyes, so when the head turns they move by different amounts
  (parallax). The check fits one homography (least squares) from the rest frame's skull points
  to each turned frame's and takes the residual, over the eye span: near zero for a picture.
- **Blink.** A printed face never closes its eyes.
- **Screen.** A display's pixel grid, filmed by the camera's own grid, gives a fine periodic
  pattern (moiré), which shows as one sharp peak in the spectrum of the face; a screen or a
  glossy print reflects the room's lights as saturated patches (glare).

A bent print or a video replay defeats some of these; docs/liveness.md says which, and the
evaluation measures them separately, per attack species.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.face.detect import Image, Landmarks, Point
from kiosk.face.liveness.series import ScreenCues, Signals

_MOIRE_BAND = (0.18, 0.5)  # cycles per pixel: finer than any facial detail a webcam resolves
_MIN_CROP = 32
_SATURATED = 245


def skull_points(landmarks: Landmarks) -> list[Point]:
    """The points that move with the head: the model's skull points, eye corners, nose, chin."""
    fixed = [
        landmarks.left_eye[0],
        landmarks.left_eye[3],
        landmarks.right_eye[0],
        landmarks.right_eye[3],
        landmarks.nose_tip,
        landmarks.chin,
        landmarks.mouth_left,
        landmarks.mouth_right,
    ]
    return [*landmarks.skull, *fixed]


def eye_span(landmarks: Landmarks) -> float:
    """Distance between the outer eye corners, the scale every residual is divided by."""
    left, right = np.asarray(landmarks.left_eye[0]), np.asarray(landmarks.right_eye[3])
    return float(np.linalg.norm(left - right))


def plane_residual(rest: Landmarks, moved: Landmarks) -> float:
    """RMS distance of ``moved``'s points from ``rest``'s mapped by the best homography.

    Divided by the eye span at rest, so it does not depend on the distance to the camera.
    """
    source = np.asarray(skull_points(rest), dtype=np.float64)
    target = np.asarray(skull_points(moved), dtype=np.float64)
    homography, _ = cv2.findHomography(source, target, 0)
    mapped = cv2.perspectiveTransform(source.reshape(-1, 1, 2), homography).reshape(-1, 2)
    rms = float(np.sqrt(np.mean(np.sum((mapped - target) ** 2, axis=1))))
    return rms / max(eye_span(rest), 1.0)


def parallax(landmarks: Sequence[Landmarks], found: Signals, min_turn: float) -> float | None:
    """The median plane residual over the frames turned by at least half ``min_turn``.

    None when no frame turned that far (nothing to measure: a still face is planar anyway).
    """
    rest = landmarks[found.rest_index]
    turned = [
        plane_residual(rest, marks)
        for marks, yaw in zip(landmarks, found.yaw, strict=True)
        if abs(yaw - found.rest_yaw) >= min_turn / 2
    ]
    return statistics.median(turned) if turned else None


def _face_crop(image: Image, landmarks: Landmarks) -> npt.NDArray[np.uint8]:
    # Cheeks, nose and mouth between the outer eye corners: skin, with no hair or background.
    left = int(min(landmarks.left_eye[0][0], landmarks.right_eye[3][0]))
    right = int(max(landmarks.left_eye[0][0], landmarks.right_eye[3][0]))
    top = int(min(landmarks.left_eye[4][1], landmarks.right_eye[4][1]))
    bottom = int(max(landmarks.mouth_left[1], landmarks.mouth_right[1]))
    height, width = image.shape[:2]
    crop = image[max(top, 0) : min(bottom, height), max(left, 0) : min(right, width)]
    return np.asarray(crop, dtype=np.uint8)


def moire_score(grey: npt.NDArray[np.uint8]) -> float:
    """The highest spectral peak in the fine band over that band's median magnitude.

    Skin filmed directly has a smooth, falling spectrum there (a score of a few units); a
    pixel grid filmed through another gives an isolated peak, many times the median.
    """
    if min(grey.shape) < _MIN_CROP:
        return 0.0
    values = grey.astype(np.float64)
    values -= values.mean()
    window = np.outer(np.hanning(values.shape[0]), np.hanning(values.shape[1]))
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(values * window)))
    rows = np.fft.fftshift(np.fft.fftfreq(values.shape[0]))[:, None]
    cols = np.fft.fftshift(np.fft.fftfreq(values.shape[1]))[None, :]
    radius = np.sqrt(rows**2 + cols**2)
    band = spectrum[(radius >= _MOIRE_BAND[0]) & (radius <= _MOIRE_BAND[1])]
    median = float(np.median(band))
    return float(band.max()) / median if median > 0.0 else 0.0


def screen_cues(image: Image, landmarks: Landmarks) -> ScreenCues:
    """The moiré score and the saturated share of the face's skin in one frame."""
    crop = _face_crop(image, landmarks)
    if crop.size == 0:
        return ScreenCues(moire=0.0, glare=0.0)
    grey = np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    saturated = np.all(crop >= _SATURATED, axis=2)
    return ScreenCues(moire=moire_score(grey), glare=float(saturated.mean()))
