"""A fake camera for the flow tests: the demo face performing on cue, on simulated time."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import cv2
import numpy as np

from kiosk.devices.camera.head import Actor, Move, landmarks_path, load_points, pose_at
from kiosk.devices.camera.performer import (
    BLINK_SECONDS,
    IDLE_BLINK_EVERY,
    REACTION,
    TURN_DEGREES,
    TURN_SECONDS,
)
from kiosk.devices.ports import CameraInfo, Frame
from kiosk.devices.sim.citizens import CitizenRecord, demo_face_photo

SIZE = (640, 480)


class PerformingFace:
    """The demo face of ``kiosk.devices.camera.performer`` on simulated time: a fake camera.

    It renders the same demo face and performs each cued action after a reaction time, as the
    demo camera does, but its clock advances one frame per frame taken rather than with the
    wall clock: every frame is analysed however busy the machine is, so the liveness verdict
    (a real one, by the real face engine) does not depend on the load.
    """

    FPS = 10.0

    def __init__(self, record: CitizenRecord) -> None:
        photo = demo_face_photo(record)
        image = cv2.imread(str(photo), cv2.IMREAD_COLOR)
        self._actor = Actor(
            np.asarray(image, dtype=np.uint8), load_points(landmarks_path(photo)), SIZE
        )
        self._moves: list[Move] = []
        self._now = 0.0
        self._clock = 0.0

    def info(self) -> CameraInfo:
        return CameraInfo(
            name="simulated-time demo face", width=SIZE[0], height=SIZE[1], fps=self.FPS
        )

    def cue(self, action: str) -> None:
        start = max([self._now + REACTION, *(m.start + m.duration for m in self._moves)])
        if action == "blink":
            self._moves.append(Move(action, start, BLINK_SECONDS, 1.0))
        else:
            self._moves.append(Move(action, start, TURN_SECONDS, TURN_DEGREES))
            # As the demo camera does: people tend to blink as a head movement ends.
            self._moves.append(Move("blink", start + TURN_SECONDS + 0.15, BLINK_SECONDS, 1.0))

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        sequence = 0
        while not cancel.is_set():
            sequence += 1
            self._clock += 1.0 / self.FPS
            self._now = self._clock
            yaw, closure = pose_at(self._moves, self._now)
            if yaw == 0.0 and closure == 0.0:  # blinks on its own now and then, as people do
                closure = pose_at(
                    [Move("blink", 1.0, BLINK_SECONDS, 1.0)], self._now % IDLE_BLINK_EVERY
                )[1]
            image = self._actor.render(yaw, closure)
            image.setflags(write=False)
            yield Frame(image=image, timestamp=1000.0 + self._now, sequence=sequence)
