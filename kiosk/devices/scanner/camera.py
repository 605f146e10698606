"""The document-camera scanner: watch the card until it lies still, then keep the sharpest frame.

It reads any ``Camera`` (the OpenCV device camera in production, the files camera in tests and
the demo), so opening, reconnecting and frame pacing stay in one place. A frame is "still" when
its mean absolute difference from the previous frame, on a small grey copy, is under
``motion_limit``; after ``still_frames`` still frames in a row the next ``candidates`` still
frames are compared and the one with the most fine detail (variance of the Laplacian) is the
capture. Movement in between starts the count again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.devices.errors import Timeout
from kiosk.devices.ports import Camera, Side
from kiosk.domain.errors import Cancelled, ErrorCode

Pixels = npt.NDArray[np.uint8]

_PROBE_WIDTH = 160  # pixels across the grey copy used to measure motion


@dataclass(frozen=True, slots=True)
class SettleSettings:
    """How still is still, and how long to wait for it.

    Attributes:
        motion_limit: mean absolute grey difference (0-255) between consecutive probe frames.
        still_frames: consecutive still frames before candidates are taken.
        candidates: still frames among which the sharpest is chosen.
        timeout: seconds before giving up with ``Timeout``.
    """

    motion_limit: float = 2.0
    still_frames: int = 5
    candidates: int = 5
    timeout: float = 20.0


class CameraScanner:
    """A ``DocumentScanner`` over a camera pointed at the counter."""

    def __init__(
        self,
        camera: Camera,
        settings: SettleSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._camera = camera
        self._settings = settings or SettleSettings()
        self._clock = clock

    def capture(self, side: Side, cancel: threading.Event) -> Pixels:
        """The sharpest still frame (``side`` only labels the request: a camera sees one side).

        Raises:
            Timeout: the card did not lie still within ``timeout`` seconds.
            Cancelled: ``cancel`` was set first.
            kiosk.devices.errors.DeviceError: what the camera raises.
        """
        settings = self._settings
        deadline = self._clock() + settings.timeout
        watch = _Stillness(settings)
        for frame in self._camera.frames(cancel):
            if watch.add(frame.image):
                return watch.sharpest()
            if self._clock() > deadline:
                break
        if cancel.is_set():
            raise Cancelled
        raise Timeout(ErrorCode.CAMERA_UNAVAILABLE, self._camera.info().name, f"{side}: not still")


class _Stillness:
    """Counts still frames and keeps the still candidates with their sharpness."""

    def __init__(self, settings: SettleSettings) -> None:
        self._settings = settings
        self._previous: Pixels | None = None
        self._still = 0
        self._candidates: list[tuple[float, Pixels]] = []

    def add(self, image: Pixels) -> bool:
        """Take one frame; True once enough still candidates are gathered."""
        probe = _probe(image)
        moving = (
            self._previous is None or _motion(self._previous, probe) > self._settings.motion_limit
        )
        self._previous = probe
        if moving:
            self._still, self._candidates = 0, []
            return False
        self._still += 1
        if self._still > self._settings.still_frames:
            self._candidates.append((_sharpness(image), image.copy()))
        return len(self._candidates) >= self._settings.candidates

    def sharpest(self) -> Pixels:
        """The candidate with the most fine detail."""
        return max(self._candidates, key=lambda candidate: candidate[0])[1]


def _probe(image: Pixels) -> Pixels:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    height = max(1, round(grey.shape[0] * _PROBE_WIDTH / grey.shape[1]))
    return np.asarray(
        cv2.resize(grey, (_PROBE_WIDTH, height), interpolation=cv2.INTER_AREA), np.uint8
    )


def _motion(previous: Pixels, current: Pixels) -> float:
    return float(cv2.absdiff(previous, current).mean())


def _sharpness(image: Pixels) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())
