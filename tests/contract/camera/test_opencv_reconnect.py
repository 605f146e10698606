"""The OpenCV camera's own behaviour: reconnection, giving up, one owner, newest frame only.

The capture is a hand-written stand-in for cv2.VideoCapture. This is the one place the
project replaces a third-party object: no camera can be unplugged and plugged back in a
test, and the contract suite already runs the real cv2.VideoCapture on a video file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from itertools import islice

import numpy as np
import pytest

from kiosk.devices.camera.opencv import CameraSettings, OpenCVCamera
from kiosk.devices.errors import Busy, Lost, Unavailable
from kiosk.devices.ports import Frame

NO_WAIT = (0.0,) * 5


class UnpluggedDevice:
    """A camera whose cable is pulled at tick ``fail_from`` and pushed back at ``recover_at``.

    Each read and each open attempt is one tick. While unplugged, reads fail and opens do not
    open. Every frame is filled with the tick that produced it (mod 256), so a test can tell
    frames taken before and after the outage apart.
    """

    def __init__(self, fail_from: int, recover_at: int) -> None:
        self.fail_from = fail_from
        self.recover_at = recover_at
        self.tick = 0
        self.opened = 0
        self.released = 0
        self.reached = threading.Event()
        self.reach_tick = -1

    def is_plugged(self) -> bool:
        return not self.fail_from <= self.tick < self.recover_at

    def open(self, source: int | str) -> StandInCapture:
        self.tick += 1
        return StandInCapture(self, is_open=self.is_plugged())


class StandInCapture:
    """Stands in for cv2.VideoCapture over an ``UnpluggedDevice`` (see the module docstring)."""

    def __init__(self, device: UnpluggedDevice, is_open: bool) -> None:
        self.device = device
        self.is_open = is_open
        if is_open:
            device.opened += 1

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.is_open

    def read(self) -> tuple[bool, np.ndarray]:
        device = self.device
        device.tick += 1
        if device.tick >= device.reach_tick >= 0:
            device.reached.set()
        time.sleep(0.001)  # a real read blocks until the sensor delivers
        if not device.is_plugged():
            return False, np.empty((0, 0, 3), np.uint8)
        return True, np.full((4, 4, 3), device.tick % 256, np.uint8)

    def set(self, key: int, value: float) -> bool:
        return True

    def release(self) -> None:
        if self.is_open:
            self.device.released += 1
            self.is_open = False


def _camera(device: UnpluggedDevice, delays: tuple[float, ...] = NO_WAIT) -> OpenCVCamera:
    return OpenCVCamera(CameraSettings(source=0, retry_delays=delays), factory=device.open)


def _take(stream: Iterator[Frame], count: int, cancel: threading.Event) -> list[Frame]:
    frames = list(islice(stream, count))
    cancel.set()
    assert next(stream, None) is None
    return frames


@pytest.fixture(autouse=True)
def _camera_warnings(logfail) -> None:
    logfail.allow("kiosk.devices.camera", "reconnecting|cannot open")


def test_frames_resume_after_the_device_comes_back() -> None:
    device = UnpluggedDevice(fail_from=10, recover_at=14)
    cancel = threading.Event()
    frames = _take(_camera(device).frames(cancel), 20, cancel)
    ticks = [int(frame.image[0, 0, 0]) for frame in frames]
    # Which frames before the outage the consumer saw depends on scheduling (only the newest
    # is kept); that frames flow again after it, through a new capture, does not.
    assert any(tick >= 14 for tick in ticks)
    assert not any(10 <= tick < 14 for tick in ticks)
    assert [f.sequence for f in frames] == sorted({f.sequence for f in frames})
    assert device.opened >= 2
    assert device.released == device.opened


def test_the_camera_is_lost_when_it_never_comes_back() -> None:
    device = UnpluggedDevice(fail_from=5, recover_at=10**9)
    cancel = threading.Event()
    seen: list[Frame] = []
    stream = _camera(device).frames(cancel)
    with pytest.raises(Lost) as caught:
        seen.extend(stream)
    assert seen
    assert caught.value.code == "camera_unavailable"
    assert device.released == device.opened


def test_a_device_that_never_opens_is_unavailable_at_once() -> None:
    device = UnpluggedDevice(fail_from=0, recover_at=10**9)
    with pytest.raises(Unavailable):
        next(_camera(device, delays=(60.0,)).frames(threading.Event()))


def test_one_consumer_at_a_time() -> None:
    camera = _camera(UnpluggedDevice(fail_from=10**9, recover_at=10**9))
    cancel = threading.Event()
    first = camera.frames(cancel)
    next(first)
    with pytest.raises(Busy):
        next(camera.frames(threading.Event()))
    _take(first, 1, cancel)
    assert len(_take(camera.frames(other := threading.Event()), 1, other)) == 1


def test_a_slow_consumer_gets_the_newest_frame_not_a_backlog() -> None:
    device = UnpluggedDevice(fail_from=10**9, recover_at=10**9)
    cancel = threading.Event()
    stream = _camera(device).frames(cancel)
    first = int(next(stream).image[0, 0, 0])
    device.reach_tick = first + 50
    assert device.reached.wait(timeout=60)  # the device has read 50 frames meanwhile
    second = int(next(stream).image[0, 0, 0])
    assert second >= first + 49  # every frame up to the 50th was published; only one is kept
    _take(stream, 0, cancel)
