"""The file camera's own behaviour: real-time pacing by skipping, and unreadable sources."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.devices.camera.files import FileCamera
from kiosk.devices.errors import Unavailable


def _folder(root: Path, count: int) -> Path:
    for index in range(count):
        cv2.imwrite(str(root / f"{index + 1}.png"), np.full((24, 32, 3), index * 20, np.uint8))
    return root


def test_a_consumer_that_stalls_skips_to_the_frame_due_now(tmp_path: Path) -> None:
    cancel = threading.Event()
    stream = FileCamera(_folder(tmp_path, 3), fps=60.0).frames(cancel)
    first = next(stream)
    threading.Event().wait(0.2)  # stall for at least 12 frame periods
    second = next(stream)
    cancel.set()
    assert second.sequence >= first.sequence + 12
    assert next(stream, None) is None


def test_frames_loop_in_name_order(tmp_path: Path) -> None:
    cancel = threading.Event()
    levels = []
    for frame in FileCamera(_folder(tmp_path, 3), fps=1000.0).frames(cancel):
        levels.append((frame.sequence, int(frame.image[0, 0, 0])))
        if len(levels) == 8:
            cancel.set()
    assert all(level == ((sequence - 1) % 3) * 20 for sequence, level in levels)


def test_an_empty_folder_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(Unavailable):
        FileCamera(tmp_path).info()


def test_an_undecodable_image_is_unavailable_when_due(tmp_path: Path) -> None:
    _folder(tmp_path, 2)
    (tmp_path / "0.png").write_bytes(b"not a png")  # first in name order
    with pytest.raises(Unavailable):
        next(FileCamera(tmp_path).frames(threading.Event()))
