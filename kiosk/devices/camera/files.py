"""A camera that plays a video file or a folder of images, looped, at a given rate.

It is the simulated camera (pointed at ``resources/demo``) and a test double that needs no
device. Frames are decoded on demand in the consumer's thread, one at a time (a clip is never
held in memory), and paced on a monotonic clock: a consumer that falls behind skips to the
frame due now, as a live camera would, so there is never a backlog.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.devices.errors import Unavailable
from kiosk.devices.ports import CameraInfo, Frame
from kiosk.domain.errors import ErrorCode

_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp"})

Pixels = npt.NDArray[np.uint8]


def _unavailable(path: Path, detail: str) -> Unavailable:
    return Unavailable(ErrorCode.CAMERA_UNAVAILABLE, path.name, detail)


class _Reader(Protocol):
    def next(self, skip: int) -> Pixels:
        """The frame after skipping ``skip`` frames, wrapping round at the end."""
        ...

    def close(self) -> None:
        """Free the file."""
        ...


class _StillsReader:
    """Still images (a folder's, in name order, or one photo), each decoded when it is due."""

    def __init__(self, paths: list[Path], source: Path) -> None:
        self._paths = paths
        if not self._paths:
            raise _unavailable(source, "no images")
        self._index = -1

    def next(self, skip: int) -> Pixels:
        self._index = (self._index + 1 + skip) % len(self._paths)
        path = self._paths[self._index]
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise _unavailable(path, "cannot be decoded")
        return np.asarray(image, dtype=np.uint8)

    def close(self) -> None:
        """Nothing is held open between frames."""


class _VideoReader:
    """A video file read in order; skipped frames are grabbed but not decoded."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            raise _unavailable(path, "cannot be opened")

    def next(self, skip: int) -> Pixels:
        for _ in range(skip):
            if not self._capture.grab():
                self._rewind()
        ok, image = self._capture.read()
        if not ok:
            self._rewind()
            ok, image = self._capture.read()
        if not ok:
            raise _unavailable(self._path, "no frames")
        return np.asarray(image, dtype=np.uint8)

    def _rewind(self) -> None:
        self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)

    def close(self) -> None:
        self._capture.release()


def _reader(path: Path) -> _Reader:
    if path.is_dir():
        stills = sorted(p for p in path.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
        return _StillsReader(stills, path)
    if path.is_file() and path.suffix.lower() in _IMAGE_SUFFIXES:
        # One photo is a one-image sequence: decoded directly, never through a video demuxer.
        return _StillsReader([path], path)
    if path.is_file():
        return _VideoReader(path)
    raise _unavailable(path, "no such file or folder")


class FileCamera:
    """A ``Camera`` looping over a video file or an image folder at ``fps`` frames a second.

    Args:
        path: a video file (anything OpenCV reads), one PNG/JPEG/BMP photo, or a folder of them.
        fps: the playback rate.
    """

    def __init__(self, path: Path, fps: float = 30.0) -> None:
        self._path = path
        self._fps = fps

    def info(self) -> CameraInfo:
        """The file's name, its frame size (from the first frame) and the playback rate.

        Raises:
            Unavailable: the path cannot be read.
        """
        reader = _reader(self._path)
        try:
            height, width = reader.next(0).shape[:2]
        finally:
            reader.close()
        return CameraInfo(
            name=f"files:{self._path.name}", width=width, height=height, fps=self._fps
        )

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        """Yield the frame due now, looping for ever, until ``cancel`` is set.

        Raises:
            Unavailable: the path cannot be read, or an image in it cannot be decoded.
        """
        reader = _reader(self._path)
        try:
            yield from self._paced(reader, cancel)
        finally:
            reader.close()

    def _paced(self, reader: _Reader, cancel: threading.Event) -> Iterator[Frame]:
        period = 1.0 / self._fps
        start = time.monotonic()
        sequence = 0
        while not cancel.is_set():
            due = max(sequence + 1, int((time.monotonic() - start) / period) + 1)
            if cancel.wait(max(0.0, start + (due - 1) * period - time.monotonic())):
                return
            image = reader.next(due - sequence - 1)
            image.setflags(write=False)
            sequence = due
            yield Frame(image=image, timestamp=time.monotonic(), sequence=sequence)
