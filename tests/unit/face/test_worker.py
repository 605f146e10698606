"""The face worker process: round trips through shared memory, errors, shutdown.

Each test starts a real worker process (spawn), so these are the slowest face tests; the
module shares one worker where the tests do not stop it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.domain.biometrics import FaceDecision
from kiosk.face.errors import ImageTooLarge, ImageUnreadable, NoFace, WorkerFailed
from kiosk.face.quality import Instruction
from kiosk.face.worker import FaceWorker

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def worker() -> Iterator[FaceWorker]:
    with FaceWorker(capacity=640 * 480 * 3) as started:
        yield started


def test_guidance_round_trip(worker: FaceWorker, faces) -> None:
    guidance = worker.analyse(faces.frame())
    assert guidance.instruction is Instruction.READY
    assert guidance.measures is not None
    assert guidance.landmarks is not None


def test_latest_frame_replaces_the_previous_one(worker: FaceWorker, faces) -> None:
    assert worker.analyse(faces.two_faces()).instruction is Instruction.ONE_PERSON
    assert worker.analyse(faces.frame(face_width=105)).instruction is Instruction.MOVE_CLOSER


def test_match_round_trip(worker: FaceWorker, faces) -> None:
    portrait = faces.encoded(faces.HOPPER)
    same = worker.match(faces.frame(), portrait, threshold=0.45)
    other = worker.match(faces.frame(faces.ASTRONAUT), portrait, threshold=0.45)
    assert (same.decision, other.decision) == (FaceDecision.MATCH, FaceDecision.MISMATCH)
    assert same.threshold == 0.45


def test_errors_come_back_typed(worker: FaceWorker, faces) -> None:
    with pytest.raises(NoFace):
        worker.match(np.full((480, 640, 3), 128, np.uint8), faces.encoded(faces.HOPPER), 0.45)
    with pytest.raises(ImageUnreadable):
        worker.match(faces.frame(), b"corrupt", 0.45)


def test_a_frame_larger_than_the_buffer_is_refused(worker: FaceWorker) -> None:
    with pytest.raises(ImageTooLarge):
        worker.analyse(np.zeros((481, 640, 3), np.uint8))


def test_a_dead_worker_is_reported(faces) -> None:
    worker = FaceWorker(capacity=640 * 480 * 3)
    try:
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)  # a real crash of the process this test started
        with pytest.raises(WorkerFailed):
            worker.analyse(faces.frame())
    finally:
        worker.close()
    worker.close()  # a second close is harmless


def test_the_client_process_never_imports_dlib(tmp_path: Path, faces) -> None:
    frame = tmp_path / "frame.npy"
    np.save(frame, faces.frame())
    script = (
        "import sys, numpy as np\n"
        "from kiosk.face.worker import FaceWorker\n"
        "with FaceWorker(capacity=640 * 480 * 3) as worker:\n"
        f"    print(worker.analyse(np.load({str(frame)!r})).instruction)\n"
        "print(sorted(m for m in ('dlib', 'face_recognition') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["ready", "[]"]
    assert done.stderr == ""
