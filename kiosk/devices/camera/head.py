"""A still face made to move: a 3-D head-model warp driven by the face's 68 landmarks.

The simulated camera (``performer``) and the synthetic liveness set (``presentations``) both
need a face that blinks and turns. Starting from one photo and its landmarks (found once with
dlib and shipped beside the photo, so this module needs no face library), the face is placed
on a canvas, given a depth map (an ellipsoid for the head, a ridge for the nose), and each
frame is an inverse warp: a turn by yaw moves every pixel by its depth times sin(yaw), so the
nose moves more than the cheeks and the jaw line less, as on a real head. A blink lowers the
upper lids onto the lower ones, painting skin over the eye and a lash line at its edge.

This is a cartoon of a head, good enough for a face detector and a landmark model to follow;
what it cannot show about real presentations is written in docs/liveness.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.devices.errors import Unavailable
from kiosk.domain.errors import ErrorCode

Pixels = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float32]

_LASH = 0.6  # where a shut lid's lash line lies, as a share of the open eye's height
_GROUPS = (
    "chin",
    "left_eyebrow",
    "right_eyebrow",
    "nose_bridge",
    "nose_tip",
    "left_eye",
    "right_eye",
)


@dataclass(frozen=True, slots=True)
class FacePoints:
    """The landmark groups of one photo (face_recognition's names), as float arrays (x, y)."""

    groups: dict[str, npt.NDArray[np.float64]]

    def scaled(self, scale: float, dx: float, dy: float) -> FacePoints:
        """The points after scaling the photo by ``scale`` and shifting it by (dx, dy)."""
        return FacePoints({k: v * scale + (dx, dy) for k, v in self.groups.items()})

    def __getitem__(self, name: str) -> npt.NDArray[np.float64]:
        return self.groups[name]


def load_points(path: Path) -> FacePoints:
    """The landmarks file shipped beside a demo photo (``<stem>.landmarks.json``).

    Raises:
        Unavailable: CAMERA_UNAVAILABLE when the file is missing or lacks a group.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        groups = {name: np.asarray(document["points"][name], dtype=np.float64) for name in _GROUPS}
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise Unavailable(ErrorCode.CAMERA_UNAVAILABLE, path.name, "no usable landmarks") from err
    return FacePoints(groups)


def landmarks_path(photo: Path) -> Path:
    """Where a photo's landmarks are shipped (``a.jpg`` has ``a.landmarks.json``)."""
    return photo.with_name(photo.name.rsplit(".", 1)[0] + ".landmarks.json")


def place(
    photo: Pixels,
    points: FacePoints,
    size: tuple[int, int],
    face_width: float,
    centre: tuple[float, float],
) -> tuple[Pixels, FacePoints]:
    """The photo scaled so the jaw spans ``face_width`` px, its face centred at ``centre``.

    ``centre`` is a fraction of the canvas ``size`` (width, height); the canvas outside the
    photo repeats its border, like a wall behind the citizen.
    """
    jaw = points["chin"]
    scale = face_width / float(jaw[:, 0].max() - jaw[:, 0].min())
    middle = np.vstack([jaw, points["left_eyebrow"], points["right_eyebrow"]]).mean(axis=0)
    dx = centre[0] * size[0] - middle[0] * scale
    dy = centre[1] * size[1] - middle[1] * scale
    matrix = np.array([[scale, 0.0, dx], [0.0, scale, dy]], dtype=np.float64)
    canvas = cv2.warpAffine(
        photo, matrix, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(canvas, dtype=np.uint8), points.scaled(scale, dx, dy)


def close_eyes(image: Pixels, points: FacePoints, closure: float) -> Pixels:
    """The face with both upper lids lowered by ``closure`` (0 open, 1 shut) of the eye's height.

    The part of each eye the lid covers is filled from the skin around it (inpainting), a
    little beyond the eye's outline (a landmark model outlines the eye inside its edge); a
    dark lash line marks the lid's edge.
    """
    if closure <= 0.0:
        return image
    mask = np.zeros(image.shape[:2], dtype=np.uint8)
    lashes = []
    for name in ("left_eye", "right_eye"):
        eye = points[name]
        centre = eye.mean(axis=0)
        grown = centre + (eye - centre) * (1.3, 1.6)
        upper, lower = grown[[1, 2]], grown[[5, 4]]
        lid = upper + closure * (lower - upper)
        covered = np.vstack([grown[0], upper, grown[3], lid[::-1]]).astype(np.int32)
        cv2.fillPoly(mask, [covered], 255)
        edge = eye[[1, 2]] + closure * _LASH * (eye[[5, 4]] - eye[[1, 2]])
        lashes.append(np.vstack([eye[0], edge, eye[3]]).astype(np.int32))
    lids = np.asarray(cv2.dilate(mask, np.ones((3, 3), np.uint8)), dtype=np.uint8)
    # Inpaint only around the eyes: the rest of the frame is untouched and costs nothing.
    rows, cols = np.nonzero(lids)
    top, bottom = max(int(rows.min()) - 8, 0), int(rows.max()) + 9
    left, right = max(int(cols.min()) - 8, 0), int(cols.max()) + 9
    out = image.copy()
    out[top:bottom, left:right] = cv2.inpaint(
        image[top:bottom, left:right], lids[top:bottom, left:right], 3, cv2.INPAINT_TELEA
    )
    shade = tuple(int(v) for v in np.median(image[lids > 0], axis=0) * 0.3)
    thickness = max(2, round(float(np.ptp(points["left_eye"][:, 0])) / 7))
    cv2.polylines(out, lashes, False, shade, thickness, lineType=cv2.LINE_AA)
    return np.asarray(out, dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class DepthModel:
    """A depth map (pixels towards the camera) and how much each pixel belongs to the surface.

    ``region`` (left, top, right, bottom) bounds the pixels with any weight: only they move.
    """

    depth: Floats
    weight: Floats
    axis_x: float
    region: tuple[int, int, int, int]


def depth_model(depth: Floats, weight: Floats, axis_x: float) -> DepthModel:
    """A model over the pixels where ``weight`` is positive."""
    rows, cols = np.nonzero(weight > 0.0)
    if rows.size == 0:
        return DepthModel(depth, weight, axis_x, (0, 0, 0, 0))
    region = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
    return DepthModel(depth, weight, axis_x, region)


def head_model(points: FacePoints, size: tuple[int, int]) -> DepthModel:
    """An ellipsoid head with a nose ridge, fitted to the landmarks on a canvas of ``size``."""
    jaw, brows = points["chin"], np.vstack([points["left_eyebrow"], points["right_eyebrow"]])
    half = float(jaw[:, 0].max() - jaw[:, 0].min()) / 2 * 1.05
    cx = float(jaw[:, 0].mean())
    brow_y, chin_y = float(brows[:, 1].mean()), float(jaw[:, 1].max())
    cy = brow_y + 0.15 * (chin_y - brow_y)
    tall = (chin_y - cy) * 1.05
    xs, ys = np.meshgrid(np.arange(size[0], dtype=np.float32), np.arange(size[1], dtype=np.float32))
    radius = np.sqrt(((xs - cx) / half) ** 2 + ((ys - cy) / tall) ** 2)
    # A paraboloid rather than a sphere: its slope stays finite at the contour, so a turn of up
    # to about 35 degrees never folds the cheek on the far side over itself.
    depth = 0.65 * half * np.clip(1.0 - radius**2, 0.0, None)
    depth += _nose(xs, ys, points["nose_bridge"][0], points["nose_bridge"][-1], half)
    weight = np.clip((1.3 - radius) / 0.3, 0.0, 1.0)
    return depth_model(depth.astype(np.float32), weight.astype(np.float32), cx)


def _nose(
    xs: Floats, ys: Floats, top: npt.NDArray[np.float64], tip: npt.NDArray[np.float64], half: float
) -> Floats:
    # A ridge along the nose bridge, rising from a third of the tip's height at the top.
    along = tip - top
    length = float(np.dot(along, along)) or 1.0
    share = np.clip(((xs - top[0]) * along[0] + (ys - top[1]) * along[1]) / length, 0.0, 1.0)
    gap = np.hypot(xs - (top[0] + share * along[0]), ys - (top[1] + share * along[1]))
    height = 0.3 * half * (0.35 + 0.65 * share)
    return np.asarray(height * np.exp(-((gap / (0.2 * half)) ** 2)), dtype=np.float32)


def turn(
    image: Pixels, model: DepthModel, yaw: float, shift: tuple[float, float] = (0.0, 0.0)
) -> Pixels:
    """The image with its modelled surface turned by ``yaw`` degrees about a vertical axis.

    Positive yaw moves what is nearer the camera to the image's right: the citizen turning to
    their own left on a camera that does not mirror. The inverse map is found by a few
    fixed-point steps, since a pixel's depth is known where it came from, not where it lands.
    Only the model's region is warped; ``shift`` then moves the whole frame (a slight sway).
    """
    out = image
    left, top, right, bottom = model.region
    if yaw != 0.0 and right > left:
        xs, ys = np.meshgrid(
            np.arange(left, right, dtype=np.float32), np.arange(top, bottom, dtype=np.float32)
        )
        angle = np.radians(yaw)
        source = xs.copy()
        for _ in range(4):
            depth = cv2.remap(
                model.depth, source, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
            )
            moved = model.axis_x + (xs - model.axis_x - depth * np.sin(angle)) / np.cos(angle)
            source = moved.astype(np.float32)
        weight = model.weight[top:bottom, left:right]
        map_x = (xs + weight * (source - xs)).astype(np.float32)
        out = image.copy()
        out[top:bottom, left:right] = cv2.remap(
            image, map_x, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
    if shift != (0.0, 0.0):
        matrix = np.array([[1.0, 0.0, shift[0]], [0.0, 1.0, shift[1]]], dtype=np.float64)
        size = (image.shape[1], image.shape[0])
        out = np.asarray(cv2.warpAffine(out, matrix, size, borderMode=cv2.BORDER_REPLICATE))
    return np.asarray(out, dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class Move:
    """One action performed over time: a turn (``left``/``right``, degrees) or a ``blink``.

    ``amplitude`` is the turn's peak in degrees, or the blink's closure (1 is fully shut).
    """

    action: str
    start: float
    duration: float
    amplitude: float


def _bump(share: float, hold: float = 0.3) -> float:
    # Rise smoothly, hold, fall smoothly: how a head turns out and back, or a lid closes.
    rise = (1.0 - hold) / 2
    if share < rise:
        x = share / rise
    elif share <= rise + hold:
        return 1.0
    else:
        x = (1.0 - share) / rise
    return x * x * (3.0 - 2.0 * x)


def pose_at(moves: list[Move], t: float) -> tuple[float, float]:
    """The yaw (degrees, positive to the citizen's left) and lid closure at time ``t``."""
    yaw, closure = 0.0, 0.0
    for move in moves:
        share = (t - move.start) / move.duration
        if not 0.0 <= share <= 1.0:
            continue
        if move.action == "blink":
            closure = max(closure, move.amplitude * _bump(share))
        else:
            sign = 1.0 if move.action == "left" else -1.0
            yaw += sign * move.amplitude * _bump(share)
    return yaw, closure


class Actor:
    """One demo face on a canvas, ready to be rendered at any yaw and lid closure.

    Args:
        photo: the still (BGR pixels).
        points: its landmarks (``load_points``).
        size: the canvas (width, height).
        face_width: the jaw's span in pixels on the canvas.
    """

    def __init__(
        self,
        photo: Pixels,
        points: FacePoints,
        size: tuple[int, int] = (640, 480),
        face_width: float = 200.0,
    ) -> None:
        self.canvas, self.points = place(photo, points, size, face_width, (0.5, 0.45))
        self.model = head_model(self.points, size)

    def render(self, yaw: float, closure: float, shift: tuple[float, float] = (0.0, 0.0)) -> Pixels:
        """The face turned by ``yaw`` degrees with its lids closed by ``closure``."""
        return turn(close_eyes(self.canvas, self.points, closure), self.model, yaw, shift)
