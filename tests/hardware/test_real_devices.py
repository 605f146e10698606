"""Real devices, opt-in: ``pytest tests/hardware --camera 0`` or ``--reader NAME --card-id ID12``.

Never run in CI (no device there); each test is skipped unless its option names a device. The
camera's reconnect test asks the person running it to unplug and replug the camera.
"""

from __future__ import annotations

import threading
import time

import pytest

from kiosk import app
from kiosk.config import Settings
from kiosk.devices.camera.opencv import CameraSettings, OpenCVCamera
from kiosk.domain.chip import ChipVerdict
from kiosk.services.chip_reading import AccessInput

pytestmark = pytest.mark.hardware


@pytest.fixture
def camera_index(request: pytest.FixtureRequest) -> int:
    value = request.config.getoption("--camera")
    if value is None:
        pytest.skip("no --camera given")
    return int(value)


@pytest.fixture
def reader_name(request: pytest.FixtureRequest) -> str:
    value = request.config.getoption("--reader")
    if value is None:
        pytest.skip("no --reader given")
    return str(value)


def test_a_real_camera_delivers_current_frames(camera_index: int) -> None:
    camera = OpenCVCamera(CameraSettings(source=camera_index))
    cancel = threading.Event()
    started = time.monotonic()
    frames = []
    for frame in camera.frames(cancel):
        frames.append(frame)
        if len(frames) == 30:
            cancel.set()
    elapsed = time.monotonic() - started
    assert all(f.image.ndim == 3 for f in frames)
    assert [f.sequence for f in frames] == sorted(f.sequence for f in frames)
    assert len(frames) / elapsed > 5, "a real camera gives more than 5 frames a second"


def test_a_real_camera_comes_back_after_it_is_unplugged(
    camera_index: int, capsys: pytest.CaptureFixture[str]
) -> None:
    camera = OpenCVCamera(CameraSettings(source=camera_index, retry_delays=(1.0,) * 60))
    cancel = threading.Event()
    with capsys.disabled():
        print("\nUnplug the camera now, wait 5 seconds, and plug it back in.")  # noqa: T201
    gap_seen = False
    last = time.monotonic()
    for _frame in camera.frames(cancel):
        now = time.monotonic()
        gap_seen = gap_seen or now - last > 2.0
        last = now
        if gap_seen:
            cancel.set()
    assert gap_seen


def test_a_real_card_reads_through_the_product_path(
    reader_name: str, request: pytest.FixtureRequest
) -> None:
    card_id = request.config.getoption("--card-id")
    if card_id is None:
        pytest.skip("no --card-id given")
    settings = Settings(demo=False)
    reader = app.card_reader(settings, reader_name)
    outcome = app.chip_reading(settings).read(reader, AccessInput(id_number=str(card_id)))
    assert outcome.citizen.id_number == card_id
    assert outcome.verdict is not ChipVerdict.NOT_GENUINE, outcome.read.verdict.reasons
