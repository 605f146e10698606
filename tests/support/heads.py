"""Landmark sequences of a synthetic head, a flat print and a bent print, with no dlib.

The head's 68 points are the demo photo's landmarks (shipped beside it) given depths from a
generic head (an ellipsoid with a nose ridge); a pinhole camera projects them at each moment
of a script of moves (``kiosk.devices.camera.head.pose_at``). A print keeps every point at one
depth (flat) or on a cylinder (bent), and is turned the same way. So the verifier's rules can
be tested exactly, frame by frame, in milliseconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kiosk.devices.camera.head import Move, pose_at
from kiosk.face.detect import Landmarks
from kiosk.face.liveness.series import Sample, ScreenCues

FACES = Path(__file__).resolve().parents[2] / "resources" / "demo" / "faces"
SIZE = (640, 480)
FOCAL = 640.0
QUIET = ScreenCues(moire=5.0, glare=0.0)


def _points() -> dict[str, np.ndarray]:
    document = json.loads((FACES / "astronaut.landmarks.json").read_text("utf-8"))
    return {name: np.asarray(value, dtype=np.float64) for name, value in document["points"].items()}


class Head:
    """A 3-D set of the 68 points, centred on the face, 200 px wide at the camera's distance."""

    def __init__(self, shape: str = "head") -> None:
        groups = _points()
        everything = np.vstack(list(groups.values()))
        centre = everything.mean(axis=0)
        scale = 200.0 / float(np.ptp(groups["chin"][:, 0]))
        self._groups = {k: (v - centre) * scale for k, v in groups.items()}
        half = 100.0
        self._depth: dict[str, np.ndarray] = {}
        for name, xy in self._groups.items():
            r2 = (xy[:, 0] / half) ** 2 + (xy[:, 1] / (1.3 * half)) ** 2
            if shape == "head":
                z = 0.65 * half * np.clip(1.0 - r2, 0.0, None)
                if name in ("nose_bridge", "nose_tip"):
                    z += 0.25 * half
            elif shape == "bent":
                z = 0.25 * half * (1.0 - (xy[:, 0] / (3.2 * half)) ** 2)
            else:
                z = np.zeros(len(xy))
            self._depth[name] = z

    def landmarks(self, yaw: float, closure: float = 0.0) -> Landmarks:
        """The projected points with the head turned by ``yaw`` (positive: its own left)."""
        angle = np.radians(yaw)
        distance = FOCAL  # 200 px wide at the focal distance
        projected: dict[str, np.ndarray] = {}
        for name, xy in self._groups.items():
            x, y, z = xy[:, 0], xy[:, 1], self._depth[name]
            # Towards the camera is +z; the head turns about its vertical axis.
            xr = x * np.cos(angle) + z * np.sin(angle)
            zr = -x * np.sin(angle) + z * np.cos(angle)
            depth = distance - zr
            projected[name] = np.stack(
                [SIZE[0] / 2 + FOCAL * xr / depth, SIZE[1] * 0.45 + FOCAL * y / depth], axis=1
            )
        return _landmarks(projected, closure)


def _landmarks(groups: dict[str, np.ndarray], closure: float) -> Landmarks:
    def eye(points: np.ndarray) -> tuple[tuple[float, float], ...]:
        centre = (points[0, 1] + points[3, 1]) / 2
        shut = points.copy()
        shut[[1, 2, 4, 5], 1] = centre + (points[[1, 2, 4, 5], 1] - centre) * (1.0 - closure)
        return tuple((float(x), float(y)) for x, y in shut)

    def point(xy: np.ndarray) -> tuple[float, float]:
        return (float(xy[0]), float(xy[1]))

    skull = np.vstack(
        [groups[k] for k in ("chin", "left_eyebrow", "right_eyebrow", "nose_bridge", "nose_tip")]
    )
    return Landmarks(
        left_eye=eye(groups["left_eye"]),
        right_eye=eye(groups["right_eye"]),
        nose_tip=point(groups["nose_bridge"][-1]),
        chin=point(groups["chin"][8]),
        mouth_left=point(groups["top_lip"][0]),
        mouth_right=point(groups["top_lip"][6]),
        skull=tuple(point(p) for p in skull),
    )


def turn(action: str, start: float, degrees: float = 30.0, seconds: float = 1.4) -> Move:
    """A turn out and back (``left`` or ``right``)."""
    return Move(action, start, seconds, degrees)


def blink(start: float, closure: float = 1.0, seconds: float = 0.4) -> Move:
    """A blink (``closure`` 1 shuts the eyes)."""
    return Move("blink", start, seconds, closure)


def samples(
    moves: list[Move],
    seconds: float | None = None,
    fps: float = 15.0,
    shape: str = "head",
    cues: ScreenCues = QUIET,
) -> list[Sample]:
    """The samples of a presentation performing ``moves`` (a print cannot close its eyes)."""
    head = Head(shape)
    end = seconds if seconds is not None else max(m.start + m.duration for m in moves) + 0.8
    out = []
    for index in range(int(end * fps)):
        t = index / fps
        yaw, closure = pose_at(moves, t)
        closure = closure if shape == "head" else 0.0
        out.append(Sample(t, head.landmarks(yaw, closure), SIZE, cues))
    return out
