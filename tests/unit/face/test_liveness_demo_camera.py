"""The demo camera performs the cued action, and only that: a still made to do the wrong
action fails like any other presentation.

The runs use the real pipeline (the performing camera's frames, dlib in this process, the
verifier) in real time, a few seconds each, so they are marked slow.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.camera.performer import PerformingCamera
from kiosk.devices.errors import Unavailable
from kiosk.devices.ports import CameraInfo, Frame
from kiosk.face.engine import InProcessFace
from kiosk.face.liveness.challenge import Action
from kiosk.face.liveness.verdict import LivenessResult
from kiosk.services.liveness import ChallengeFollower, LivenessService

FACES = Path(__file__).resolve().parents[3] / "resources" / "demo" / "faces"
B, L, R = Action.BLINK, Action.LEFT, Action.RIGHT


class Miscued:
    """A camera port passing the demo face's frames, with each cue swapped for another action."""

    def __init__(self, camera: PerformingCamera, swap: dict[str, str]) -> None:
        self._camera = camera
        self._swap = swap

    def info(self) -> CameraInfo:
        return self._camera.info()

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        return self._camera.frames(cancel)

    def cue(self, action: str) -> None:
        self._camera.cue(self._swap.get(action, action))


def _run(camera: PerformingCamera | Miscued, challenge: tuple[Action, ...]) -> LivenessResult:
    # The service's run needs no store; the context is never used by ``run``.
    service = LivenessService(None, InProcessFace())  # type: ignore[arg-type]
    return service.run(camera, challenge)


def test_the_demo_camera_is_cued_through_the_service() -> None:
    assert isinstance(PerformingCamera(FACES / "astronaut.png"), ChallengeFollower)


@pytest.mark.slow
def test_the_demo_face_performs_the_cued_challenge() -> None:
    result = _run(PerformingCamera(FACES / "astronaut.png", fps=15.0), (L, B))
    assert result.live, result.reasons


@pytest.mark.slow
def test_the_demo_face_made_to_do_another_challenge_fails() -> None:
    camera = Miscued(PerformingCamera(FACES / "astronaut.png", fps=15.0), {"left": "right"})
    result = _run(camera, (L, B))
    assert not result.live
    assert result.reasons[0] == "left_unexpected_turn"


def test_the_demo_face_rests_until_cued() -> None:
    camera = PerformingCamera(FACES / "grace_hopper.jpg", fps=1000.0)
    cancel = threading.Event()
    frames = camera.frames(cancel)
    first = next(frames).image
    camera.cue("left")
    still = next(frames).image  # within the reaction time: not moving yet
    cancel.set()
    assert (first == still).all()
    assert first.shape == (480, 640, 3)


def test_the_demo_camera_keeps_the_port_contract(tmp_path: Path) -> None:
    camera = PerformingCamera(FACES / "astronaut.png", fps=500.0, size=(320, 240))
    info = camera.info()
    assert (info.width, info.height, info.fps) == (320, 240, 500.0)
    assert info.name == "demo:astronaut.png"
    cancel = threading.Event()
    seen = []
    for frame in camera.frames(cancel):
        assert not frame.image.flags.writeable
        assert frame.image.shape == (240, 320, 3)
        seen.append(frame.sequence)
        if len(seen) == 5:
            cancel.set()
    assert seen == sorted(seen)
    assert len(seen) == 5


def test_a_demo_photo_without_landmarks_is_unavailable(tmp_path: Path) -> None:
    photo = tmp_path / "face.png"
    photo.write_bytes((FACES / "astronaut.png").read_bytes())
    with pytest.raises(Unavailable):
        PerformingCamera(photo)
    with pytest.raises(Unavailable):
        PerformingCamera(tmp_path / "absent.png")
