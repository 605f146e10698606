"""The files scanner: an image file, or a folder of them (flatbed scans; the simulated scanner).

Pointed at ``resources/demo`` it is the demo's scanner. A folder is read in name order, one image
per capture, wrapping round; a file named ``*front*`` or ``*back*`` is kept for that side, so a
folder of pairs scans as a real two-sided session would. Images are decoded only after their
file size is checked, and nothing is cached: each capture reads the file as it is now.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.devices.errors import Unavailable
from kiosk.devices.ports import Side
from kiosk.domain.errors import Cancelled, ErrorCode

Pixels = npt.NDArray[np.uint8]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})
MAX_FILE_BYTES = 50 * 1024 * 1024
"""Larger files are refused unread (a card photograph is a few megabytes)."""


class FileScanner:
    """A ``DocumentScanner`` over an image file or a folder of images."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._taken: dict[Side | None, int] = {}

    def capture(self, side: Side, cancel: threading.Event) -> Pixels:
        """The next image for ``side`` (see the module's rules).

        Raises:
            Unavailable: the path is missing, holds no image, or the image cannot be read.
            Cancelled: ``cancel`` was set before the capture.
        """
        if cancel.is_set():
            raise Cancelled
        return _read(self._next(side))

    def _next(self, side: Side) -> Path:
        if self._path.is_file():
            return self._path
        images = _images(self._path)
        for_side = [path for path in images if side.value in path.stem.lower()]
        key: Side | None = side if for_side else None
        pool = for_side or images
        with self._lock:
            index = self._taken.get(key, 0)
            self._taken[key] = index + 1
        return pool[index % len(pool)]


def _unavailable(path: Path, detail: str) -> Unavailable:
    # The scanner has no code of its own: a document camera and a camera fail alike.
    return Unavailable(ErrorCode.CAMERA_UNAVAILABLE, path.name, detail)


def _images(folder: Path) -> list[Path]:
    try:
        images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    except OSError as err:
        raise _unavailable(folder, f"cannot list: {err.strerror}") from err
    if not images:
        raise _unavailable(folder, "no images")
    return images


def _read(path: Path) -> Pixels:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _unavailable(path, "file too large")
        data = path.read_bytes()
    except OSError as err:
        raise _unavailable(path, f"cannot read: {err.strerror}") from err
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise _unavailable(path, "not a readable image")
    return np.asarray(image, dtype=np.uint8)
