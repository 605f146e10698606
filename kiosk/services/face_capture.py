"""Capturing the citizen's face and matching it to the chip portrait.

Frames come from the camera port; each analysed frame is judged by the guidance rules; ready
frames are kept as candidates and the best one (sharp, frontal, eyes open) is compared 1:1 with
the DG2 portrait. The distance, the threshold and the decision are kept together, with an
ICAO-style crop of the best frame as the application's portrait.

dlib runs where the given ``FaceEngine`` runs it: in this process for the headless demo and
the command line, in the face worker process for the desktop app (dlib holds the GIL, so never
on the GUI's threads).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from kiosk.devices.ports import Camera
from kiosk.domain.biometrics import FaceMatch
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.face.engine import FaceEngine
from kiosk.face.images import encode_jpeg
from kiosk.face.match import Candidate, best_frame, portrait_crop

log = logging.getLogger(__name__)

READY_FRAMES = 5
"""Ready frames collected before choosing the best one."""

MAX_FRAMES = 150
"""Frames analysed at most before giving up (about 12 s at the guidance rate)."""


@dataclass(frozen=True, slots=True)
class FaceCapture:
    """One attempt's result: the decision and the captured portrait (JPEG). Personal data."""

    match: FaceMatch
    portrait_jpeg: bytes
    frames_analysed: int


class FaceCaptureService:
    """Guided capture and 1:1 comparison.

    Args:
        engine: where detection and matching run.
        threshold: the largest distance accepted (from the settings; not validated on the
            target population until set from ``kiosk face eval``).
    """

    def __init__(self, engine: FaceEngine, threshold: float) -> None:
        self._engine = engine
        self._threshold = threshold

    def capture(
        self,
        camera: Camera,
        chip_portrait: bytes,
        *,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
    ) -> FaceCapture:
        """Capture the best frame from ``camera`` and compare it with ``chip_portrait``.

        Raises:
            DomainError: NO_FACE when no ready frame came within ``MAX_FRAMES``; IMAGE_UNREADABLE
                or NO_FACE for a chip portrait without a usable face.
            Cancelled: the officer cancelled.
        """
        candidates, analysed = self._collect(camera, progress, cancel or threading.Event())
        best = best_frame(candidates)
        match = self._engine.match(best.image, chip_portrait, self._threshold)
        portrait = encode_jpeg(portrait_crop(best.image, best.landmarks))
        return FaceCapture(match, portrait, analysed)

    def _collect(
        self, camera: Camera, progress: ProgressSink | None, cancel: threading.Event
    ) -> tuple[list[Candidate], int]:
        candidates: list[Candidate] = []
        analysed = 0
        for frame in camera.frames(cancel):
            if cancel.is_set():
                raise Cancelled
            analysed += 1
            guidance = self._engine.analyse(frame.image)
            if guidance.is_ready and guidance.measures and guidance.landmarks:
                candidates.append(Candidate(frame.image, guidance.measures, guidance.landmarks))
            if progress is not None:
                progress(Progress("face:ready_frames", len(candidates), READY_FRAMES))
            if len(candidates) >= READY_FRAMES or analysed >= MAX_FRAMES:
                break
        if not candidates:
            raise DomainError(ErrorCode.NO_FACE, "no ready frame")
        return candidates, analysed
