"""The Camera port's contract, run against every implementation.

The OpenCV camera reads a video file written here with cv2.VideoWriter (no device needed);
the file camera plays the same video and a folder of the same frames.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from itertools import islice
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.devices.camera.files import FileCamera
from kiosk.devices.camera.opencv import CameraSettings, OpenCVCamera
from kiosk.devices.errors import Unavailable
from kiosk.devices.ports import Camera, Frame

WIDTH, HEIGHT, COUNT = 160, 120, 12


def _pictures() -> list[np.ndarray]:
    pictures = []
    for index in range(COUNT):
        picture = np.full((HEIGHT, WIDTH, 3), 40 + 15 * index, np.uint8)
        cv2.putText(picture, str(index), (50, 80), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
        pictures.append(picture)
    return pictures


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("camera") / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (WIDTH, HEIGHT))
    for picture in _pictures():
        writer.write(picture)
    writer.release()
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("frames")
    for index, picture in enumerate(_pictures()):
        cv2.imwrite(str(path / f"{index:03d}.png"), picture)
    return path


def _opencv(source: Path) -> Camera:
    settings = CameraSettings(source=str(source), width=WIDTH, height=HEIGHT, fps=30.0)
    return OpenCVCamera(settings)


def _files(source: Path) -> Camera:
    return FileCamera(source, fps=60.0)


Build = Callable[[Path], Camera]
IMPLEMENTATIONS: dict[str, tuple[Build, str]] = {
    "opencv-on-video": (_opencv, "video"),
    "files-video": (_files, "video"),
    "files-folder": (_files, "folder"),
}


@pytest.fixture(params=list(IMPLEMENTATIONS))
def camera(request: pytest.FixtureRequest, logfail) -> Camera:
    # The OpenCV camera reopens a video file at its end, as after a lost device, and says so.
    logfail.allow("kiosk.devices.camera", "reconnecting")
    build, source = IMPLEMENTATIONS[request.param]
    return build(request.getfixturevalue(source))


@pytest.fixture(params=list(IMPLEMENTATIONS))
def missing(request: pytest.FixtureRequest, tmp_path: Path, logfail) -> Camera:
    logfail.allow("kiosk.devices.camera", "cannot open")
    build, _ = IMPLEMENTATIONS[request.param]
    return build(tmp_path / "absent.avi")


def _take(camera: Camera, count: int) -> list[Frame]:
    cancel = threading.Event()
    stream = camera.frames(cancel)
    try:
        return list(islice(stream, count))
    finally:
        cancel.set()
        assert next(stream, None) is None  # after cancel the stream ends and frees the device


def test_frames_are_bgr_at_the_announced_size(camera: Camera) -> None:
    info = camera.info()
    for frame in _take(camera, 3):
        assert frame.image.shape == (info.height, info.width, 3)
        assert frame.image.dtype == np.uint8
    assert info.fps > 0
    assert info.name


def test_sequence_grows_and_time_never_goes_back(camera: Camera) -> None:
    frames = _take(camera, COUNT + 3)  # past the end of the clip: it loops
    sequences = [frame.sequence for frame in frames]
    assert sequences == sorted(set(sequences))
    assert sequences[0] >= 1
    stamps = [frame.timestamp for frame in frames]
    assert stamps == sorted(stamps)


def test_frames_are_read_only(camera: Camera) -> None:
    frame = _take(camera, 1)[0]
    with pytest.raises(ValueError, match="read-only"):
        frame.image[0, 0, 0] = 0


def test_cancel_ends_the_stream_before_the_next_frame(camera: Camera) -> None:
    cancel = threading.Event()
    seen = []
    for frame in camera.frames(cancel):
        seen.append(frame)
        if len(seen) == 3:
            cancel.set()
    assert len(seen) == 3


def test_the_camera_can_be_watched_again_after_a_cancel(camera: Camera) -> None:
    assert len(_take(camera, 2)) == 2
    assert len(_take(camera, 2)) == 2


def test_a_missing_source_is_unavailable(missing: Camera) -> None:
    with pytest.raises(Unavailable) as caught:
        _take(missing, 1)
    assert caught.value.code == "camera_unavailable"
