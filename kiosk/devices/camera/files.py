"""A camera that plays a video file or a folder of images, looped, at a given rate.

It is the simulated camera (pointed at ``resources/demo``) and a test double that needs no
device. Frames are produced on demand in the consumer's thread and paced on a monotonic
clock: a consumer that falls behind skips to the frame due now, as a live camera would, so
there is never a backlog.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.devices.errors import Unavailable
from kiosk.devices.ports import CameraInfo, Frame
from kiosk.domain.errors import ErrorCode

_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp"})
_MAX_IMAGES = 1000  # an image folder is decoded into memory once; this bounds it

Pixels = npt.NDArray[np.uint8]


def _unavailable(path: Path, detail: str) -> Unavailable:
    return Unavailable(ErrorCode.CAMERA_UNAVAILABLE, path.name, detail)


def _read_folder(folder: Path) -> list[Pixels]:
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
    if not paths:
        raise _unavailable(folder, "no images")
    if len(paths) > _MAX_IMAGES:
        raise _unavailable(folder, f"more than {_MAX_IMAGES} images")
    images = [cv2.imread(str(path), cv2.IMREAD_COLOR) for path in paths]
    if any(image is None for image in images):
        raise _unavailable(folder, "an image cannot be decoded")
    return [np.asarray(image, dtype=np.uint8) for image in images]


def _read_video(path: Path) -> list[Pixels]:
    capture = cv2.VideoCapture(str(path))
    try:
        images: list[Pixels] = []
        while len(images) < _MAX_IMAGES:
            ok, image = capture.read()
            if not ok:
                break
            images.append(np.asarray(image, dtype=np.uint8))
    finally:
        capture.release()
    if not images:
        raise _unavailable(path, "no frames")
    return images


def load_frames(path: Path) -> list[Pixels]:
    """Decode every image of a folder, or every frame of a video, in order.

    A demo clip is short, so it is decoded once and replayed from memory (at most 1,000
    frames), which keeps the rate steady and the file closed while playing.

    Raises:
        Unavailable: the path is missing, empty or undecodable.
    """
    if path.is_dir():
        return _read_folder(path)
    if path.is_file():
        return _read_video(path)
    raise _unavailable(path, "no such file or folder")


class FileCamera:
    """A ``Camera`` looping over a video file or an image folder at ``fps`` frames a second.

    Args:
        path: a video file (anything OpenCV reads) or a folder of PNG/JPEG/BMP images.
        fps: the playback rate.
    """

    def __init__(self, path: Path, fps: float = 30.0) -> None:
        self._path = path
        self._fps = fps
        self._images: list[Pixels] | None = None

    def _loaded(self) -> list[Pixels]:
        if self._images is None:
            images = load_frames(self._path)
            for image in images:
                image.setflags(write=False)
            self._images = images
        return self._images

    def info(self) -> CameraInfo:
        """The file's name, its frame size and the playback rate.

        Raises:
            Unavailable: the path cannot be read.
        """
        height, width = self._loaded()[0].shape[:2]
        return CameraInfo(
            name=f"files:{self._path.name}", width=width, height=height, fps=self._fps
        )

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        """Yield the frame due now, looping for ever, until ``cancel`` is set.

        Raises:
            Unavailable: the path cannot be read.
        """
        images = self._loaded()
        period = 1.0 / self._fps
        start = time.monotonic()
        sequence = 0
        while not cancel.is_set():
            now = time.monotonic()
            sequence = max(sequence + 1, int((now - start) / period) + 1)
            if cancel.wait(max(0.0, start + (sequence - 1) * period - now)):
                return
            image = images[(sequence - 1) % len(images)]
            yield Frame(image=image, timestamp=time.monotonic(), sequence=sequence)
