"""The demo camera: a demo face that performs, on cue, the liveness action it is asked for.

In demo mode there is no citizen in front of the camera, so the liveness service cues this
camera with each action as it shows the cue on screen, and the face (``head.Actor``) does it
after a human reaction time: a blink, or a turn out and back (and a blink as the turn ends).
At rest it looks at the camera and blinks now and then, as people do. It plays only what it
is cued: cued with the wrong action, it does the wrong action, and the verifier fails it like
any other clip. The verifier knows nothing of this camera; what is made with it in demo mode
is marked DEMO like everything else there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera.head import Actor, Move, Pixels, landmarks_path, load_points, pose_at
from kiosk.devices.errors import Unavailable
from kiosk.devices.ports import CameraInfo, Frame
from kiosk.domain.errors import ErrorCode

REACTION = 0.6
"""Seconds between a cue and the start of the action."""

TURN_SECONDS = 1.6
BLINK_SECONDS = 0.7
TURN_DEGREES = 30.0
IDLE_BLINK_EVERY = 4.0
"""Seconds between the blinks the face makes on its own while at rest."""


class PerformingCamera:
    """A ``Camera`` showing a demo face that blinks and turns when cued.

    Args:
        photo: a demo photo with its landmarks shipped beside it (``<stem>.landmarks.json``).
        fps: the frame rate.
        size: the frame size (width, height).

    Raises:
        Unavailable: CAMERA_UNAVAILABLE when the photo or its landmarks cannot be read.
    """

    def __init__(self, photo: Path, fps: float = 30.0, size: tuple[int, int] = (640, 480)) -> None:
        image = cv2.imread(str(photo), cv2.IMREAD_COLOR)
        if image is None:
            raise Unavailable(ErrorCode.CAMERA_UNAVAILABLE, photo.name, "cannot be decoded")
        self._actor = Actor(
            np.asarray(image, dtype=np.uint8), load_points(landmarks_path(photo)), size
        )
        self._name = photo.name
        self._fps = fps
        self._size = size
        self._lock = threading.Lock()
        self._moves: list[Move] = []
        self._epoch = time.monotonic()

    def info(self) -> CameraInfo:
        """The photo's name, the frame size and the rate."""
        return CameraInfo(
            name=f"demo:{self._name}", width=self._size[0], height=self._size[1], fps=self._fps
        )

    def cue(self, action: str) -> None:
        """Perform ``action`` (``blink``, ``left`` or ``right``) after a reaction time.

        An action cued while another is under way starts once that one has ended.
        """
        now = time.monotonic() - self._epoch
        with self._lock:
            busy_until = max((m.start + m.duration for m in self._moves), default=0.0)
            start = max(now + REACTION, busy_until + 0.2)
            if action == "blink":
                self._moves.append(Move(action, start, BLINK_SECONDS, 1.0))
            else:
                self._moves.append(Move(action, start, TURN_SECONDS, TURN_DEGREES))
                # People tend to blink as a head movement ends.
                self._moves.append(Move("blink", start + TURN_SECONDS + 0.15, BLINK_SECONDS, 1.0))

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        """Yield the frame due now, rendered at the moment it is due, until ``cancel`` is set."""
        period = 1.0 / self._fps
        sequence = 0
        start = time.monotonic()
        while not cancel.is_set():
            # A consumer that fell behind gets the frame due now (a gap in ``sequence``).
            sequence = max(sequence + 1, int((time.monotonic() - start) / period) + 1)
            if cancel.wait(max(0.0, start + (sequence - 1) * period - time.monotonic())):
                return
            now = time.monotonic()
            image = self._render(now - self._epoch)
            image.setflags(write=False)
            yield Frame(image=image, timestamp=now, sequence=sequence)

    def _render(self, t: float) -> Pixels:
        with self._lock:
            moves = list(self._moves)
        yaw, closure = pose_at(moves, t)
        if yaw == 0.0 and closure == 0.0:
            # Blink on its own, but never in the middle of a cued action.
            phase = t % IDLE_BLINK_EVERY
            closure = pose_at([Move("blink", 1.0, BLINK_SECONDS, 1.0)], phase)[1]
        return self._actor.render(yaw, closure)
