"""The files scanner and the document-camera scanner (over a fake camera of our own port)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.devices.errors import Timeout, Unavailable
from kiosk.devices.ports import CameraInfo, Frame, Side
from kiosk.devices.scanner.camera import CameraScanner, SettleSettings
from kiosk.devices.scanner.files import FileScanner
from kiosk.domain.errors import Cancelled


def write(path: Path, value: int) -> Path:
    cv2.imwrite(str(path), np.full((20, 30, 3), value, np.uint8))
    return path


def test_a_file_gives_its_image_every_time(tmp_path: Path) -> None:
    scanner = FileScanner(write(tmp_path / "card.png", 7))
    for side in (Side.FRONT, Side.BACK, Side.FRONT):
        assert int(scanner.capture(side, threading.Event())[0, 0, 0]) == 7


def test_a_folder_is_read_in_name_order_and_sides_are_matched_by_name(tmp_path: Path) -> None:
    write(tmp_path / "b.png", 2)
    write(tmp_path / "a.png", 1)
    scanner = FileScanner(tmp_path)
    values = [int(scanner.capture(Side.FRONT, threading.Event())[0, 0, 0]) for _ in range(3)]
    assert values == [1, 2, 1]
    write(tmp_path / "card_back.png", 9)
    write(tmp_path / "card_front.png", 8)
    paired = FileScanner(tmp_path)
    assert int(paired.capture(Side.BACK, threading.Event())[0, 0, 0]) == 9
    assert int(paired.capture(Side.FRONT, threading.Event())[0, 0, 0]) == 8


@pytest.mark.parametrize("content", [None, b"", b"not an image"])
def test_missing_empty_or_broken_images_are_unavailable(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "x.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(Unavailable):
        FileScanner(path if content is not None else tmp_path).capture(
            Side.FRONT, threading.Event()
        )


def test_files_scanner_honours_cancel(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        FileScanner(write(tmp_path / "c.png", 1)).capture(Side.FRONT, cancel)


class FakeCamera:
    """Yields prepared frames, then repeats the last one (a card left on the counter)."""

    def __init__(self, images: list[np.ndarray]) -> None:
        self.images = images

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        sequence = 0
        while not cancel.is_set():
            image = self.images[min(sequence, len(self.images) - 1)]
            yield Frame(image, float(sequence), sequence)
            sequence += 1
            if sequence > 200:
                cancel.set()

    def info(self) -> CameraInfo:
        return CameraInfo("fake", 64, 48, 30.0)


def scene(offset: int, blur: float = 0.0) -> np.ndarray:
    image = np.full((240, 320, 3), 60, np.uint8)
    cv2.rectangle(image, (40 + 4 * offset, 40), (200 + 4 * offset, 140), (255, 255, 255), -1)
    for row in range(60, 130, 12):
        cv2.line(image, (50 + 4 * offset, row), (190 + 4 * offset, row), (0, 0, 0), 1)
    return np.asarray(cv2.GaussianBlur(image, (0, 0), blur) if blur else image, np.uint8)


def test_camera_scanner_waits_for_stillness_and_keeps_the_sharpest() -> None:
    moving = [scene(offset) for offset in range(0, 20, 2)]
    still = [scene(20, blur=0.8)] * 6 + [scene(20, blur=0.6), scene(20), scene(20, blur=0.7)]
    settings = SettleSettings(motion_limit=3.0, still_frames=5, candidates=3, timeout=60.0)
    image = CameraScanner(FakeCamera(moving + still), settings).capture(
        Side.FRONT, threading.Event()
    )
    assert np.array_equal(image, scene(20))


def test_camera_scanner_times_out_when_the_card_keeps_moving() -> None:
    frames = [scene(offset % 20) for offset in range(0, 400, 3)]
    now = iter(float(t) for t in range(1000))
    scanner = CameraScanner(
        FakeCamera(frames), SettleSettings(timeout=10.0), clock=lambda: next(now)
    )
    with pytest.raises(Timeout):
        scanner.capture(Side.BACK, threading.Event())


def test_camera_scanner_honours_cancel() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        CameraScanner(FakeCamera([scene(0)])).capture(Side.FRONT, cancel)
