"""A webcam through ``cv2.VideoCapture``: latest-frame delivery and reconnection.

One grab thread owns the capture: it opens the device, reads frames as fast as the device
delivers them and keeps only the newest in a single slot, so a slow consumer never builds a
backlog and no other thread ever calls into OpenCV for this device. When a read fails (cable
pulled, driver reset) the thread releases the capture and reopens it with exponential
back-off; the consumer simply waits for the next frame. Only when every retry has failed does
the consumer get ``Lost``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.devices.errors import Busy, DeviceError, Lost, Unavailable
from kiosk.devices.ports import CameraInfo, Frame
from kiosk.domain.errors import ErrorCode

_log = logging.getLogger(__name__)


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` this camera uses (so tests can stand in for it)."""

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        """Whether the device opened."""
        ...

    def read(self) -> tuple[bool, cv2.typing.MatLike]:
        """Grab and decode the next frame."""
        ...

    def set(self, key: int, value: float) -> bool:
        """Request a capture property (size, rate)."""
        ...

    def release(self) -> None:
        """Close the device."""
        ...


CaptureFactory = Callable[[int | str], Capture]


def _open_capture(source: int | str) -> Capture:
    capture: Capture = cv2.VideoCapture(source)
    return capture


@dataclass(frozen=True, slots=True)
class CameraSettings:
    """How to open the device and how hard to try to get it back.

    ``retry_delays`` are the waits in seconds before each reopen attempt after a loss; the
    camera is ``Lost`` once they are used up without a frame. A device that cannot be opened
    at all is ``Unavailable`` at once: that is a setting to fix, not a cable to replug.
    """

    source: int | str = 0
    width: int = 640
    height: int = 480
    fps: float = 30.0
    retry_delays: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0)


class _Slot:
    """The single newest frame, or the error that ended capture, guarded by one condition."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.frame: Frame | None = None
        self.error: DeviceError | None = None

    def put(self, frame: Frame) -> None:
        with self.condition:
            self.frame = frame
            self.condition.notify_all()

    def fail(self, error: DeviceError) -> None:
        with self.condition:
            self.error = error
            self.condition.notify_all()

    def wait_newer(self, sequence: int, timeout: float) -> Frame | None:
        with self.condition:
            self.condition.wait_for(
                lambda: self.error is not None or _newer(self.frame, sequence), timeout
            )
            # A frame taken before the failure is still delivered; the error comes after it.
            if _newer(self.frame, sequence):
                return self.frame
            if self.error is not None:
                raise self.error
            return None


def _newer(frame: Frame | None, sequence: int) -> bool:
    return frame is not None and frame.sequence > sequence


class _Grabber:
    """The grab thread's loop: read into the slot, reopen with back-off on failure."""

    def __init__(self, settings: CameraSettings, factory: CaptureFactory, slot: _Slot) -> None:
        self._settings = settings
        self._factory = factory
        self._slot = slot
        self._stop = threading.Event()
        self._sequence = 0

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        """Capture until stopped; after a loss, reopen with back-off, resetting on success."""
        delays = self._settings.retry_delays
        failures = 0
        while True:
            delivered = self._session()
            if delivered is None:
                return
            if self._sequence == 0:
                self._slot.fail(self._error(Unavailable, "cannot open"))
                return
            failures = 0 if delivered else failures + 1
            if failures >= len(delays):
                self._slot.fail(self._error(Lost, "no frame after every reconnect attempt"))
                return
            if self._stop.wait(delays[failures]):
                return

    def _session(self) -> int | None:
        """Open and read until a failure: the frames delivered, or None once stopped."""
        capture = self._open()
        if capture is None:
            return 0
        first = self._sequence
        try:
            stopped = self._read_loop(capture)
        finally:
            capture.release()
        return None if stopped else self._sequence - first

    def _open(self) -> Capture | None:
        capture = self._factory(self._settings.source)
        if not capture.isOpened():
            capture.release()
            _log.warning("camera %s: cannot open", self._settings.source)
            return None
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._settings.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._settings.height)
        capture.set(cv2.CAP_PROP_FPS, self._settings.fps)
        return capture

    def _read_loop(self, capture: Capture) -> bool:
        while not self._stop.is_set():
            ok, image = capture.read()
            if not ok:
                _log.warning("camera %s: frame lost, reconnecting", self._settings.source)
                return False
            self._publish(np.asarray(image, dtype=np.uint8))
        return True

    def _publish(self, image: npt.NDArray[np.uint8]) -> None:
        self._sequence += 1
        image.setflags(write=False)
        self._slot.put(Frame(image=image, timestamp=time.monotonic(), sequence=self._sequence))

    def _error(self, kind: type[DeviceError], detail: str) -> DeviceError:
        return kind(ErrorCode.CAMERA_UNAVAILABLE, str(self._settings.source), detail)


class OpenCVCamera:
    """A ``Camera`` over an OpenCV device index or stream URL (or a video file, in tests).

    One consumer at a time: the grab thread runs only while ``frames`` is being iterated,
    so the device is free whenever nobody watches it.

    Args:
        settings: the device and its reconnect policy.
        factory: builds the capture; ``cv2.VideoCapture`` unless a test stands in for it.
    """

    _POLL = 0.1  # seconds between checks of the cancel event while waiting for a frame

    def __init__(self, settings: CameraSettings, factory: CaptureFactory = _open_capture) -> None:
        self._settings = settings
        self._factory = factory
        self._owner = threading.Lock()

    def info(self) -> CameraInfo:
        """The configured source, size and rate (what was requested of the device)."""
        settings = self._settings
        return CameraInfo(
            name=f"opencv:{settings.source}",
            width=settings.width,
            height=settings.height,
            fps=settings.fps,
        )

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        """Yield the newest frame each time one arrives, until ``cancel`` is set.

        Raises:
            Busy: another consumer is iterating this camera.
            Unavailable: the device cannot be opened.
            Lost: the device went away after delivering frames and did not come back.
        """
        if not self._owner.acquire(blocking=False):
            raise Busy(ErrorCode.CAMERA_UNAVAILABLE, str(self._settings.source), "in use")
        try:
            yield from self._stream(cancel)
        finally:
            self._owner.release()

    def _stream(self, cancel: threading.Event) -> Iterator[Frame]:
        slot = _Slot()
        grabber = _Grabber(self._settings, self._factory, slot)
        thread = threading.Thread(target=grabber.run, name="camera-grab", daemon=True)
        thread.start()
        try:
            yield from self._newest(slot, cancel)
        finally:
            grabber.stop()
            thread.join()

    def _newest(self, slot: _Slot, cancel: threading.Event) -> Iterator[Frame]:
        last = 0
        while not cancel.is_set():
            frame = slot.wait_newer(last, self._POLL)
            if frame is not None:
                last = frame.sequence
                yield frame
