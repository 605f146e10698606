"""The devices at the counter and the steps that use them, for the officer's screens.

The screens may not touch a device port (the UI reaches the core only through services), so the
composition root hands them one ``CounterService``: the card reader, the face camera and the face
engine (the worker process in the desktop app), with the chip, liveness and face use cases bound
to them. While the liveness challenge or a face capture runs, every analysed frame is reported
with its guidance, which is what the live preview and its overlay show; the checks themselves
are ``LivenessService``'s and ``FaceCaptureService``'s, unchanged.

The face stack (OpenCV, dlib) is imported only when a face step first runs, inside its job: the
desktop app reaches its login screen without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.domain.application import Application
from kiosk.domain.documents import DocumentKind
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.evidence import ChipEvidence
from kiosk.domain.ids import ApplicationId
from kiosk.domain.progress import ProgressSink
from kiosk.domain.users import User
from kiosk.services.chip_evidence import chip_evidence
from kiosk.services.chip_reading import AccessInput, ChipReadingService, ChipReadOutcome

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from kiosk.devices.ports import Camera, CardReader, DocumentScanner
    from kiosk.domain.biometrics import FaceMatch
    from kiosk.face.engine import FaceEngine
    from kiosk.face.liveness.verdict import LivenessResult
    from kiosk.face.quality import Guidance, GuidanceRules
    from kiosk.services.documents import DocumentScan
    from kiosk.services.face_capture import FaceCapture
    from kiosk.services.liveness import LivenessService


@dataclass(frozen=True, slots=True)
class PreviewFrame:
    """One analysed camera frame for the live preview (a copy: the camera reuses its buffer).

    Attributes:
        image: the frame, BGR, height x width x 3.
        instruction: the guidance's instruction (``kiosk.face.quality.Instruction`` value).
        face_box: the face's box as fractions of the frame (left, top, width, height), or None.
    """

    image: npt.NDArray[np.uint8]
    instruction: str
    face_box: tuple[float, float, float, float] | None


FrameSink = Callable[[PreviewFrame], None]


@dataclass(frozen=True, slots=True)
class ChipStep:
    """A finished chip read in the words the enrolment needs: identity, verdict, evidence.

    Attributes:
        portrait: the DG2 portrait (JPEG or JPEG 2000), compared with the live face.
    """

    outcome: ChipReadOutcome
    evidence: ChipEvidence
    portrait: bytes


@dataclass(frozen=True, slots=True)
class LivenessCheck:
    """One liveness challenge as the officer sees it: the result and its plain facts.

    Attributes:
        result: the measured verdict, kept for ``record_liveness``.
        challenge: the actions asked (``blink``, ``left``, ``right``), in order.
        reasons: why it failed (stable codes), empty when live.
    """

    result: LivenessResult
    live: bool
    challenge: tuple[str, ...]
    reasons: tuple[str, ...]


class CounterService:
    """Reads the card on the counter's reader, checks liveness and captures the face.

    Args:
        reader, camera: the counter's devices; None when this kiosk has none (the step then
            fails with the device's "unavailable" message).
        engine: where face detection and matching run.
        threshold: the face match threshold from the settings.
        liveness: makes the attended liveness check over a given engine (the screens' one
            previews each frame it analyses).
        scanner: the document scanner for a kind of card (the same document camera for every
            kind at a real counter; the demo's specimen of that kind in demo mode), or None.
    """

    def __init__(
        self,
        chip: ChipReadingService,
        reader: CardReader | None,
        camera: Camera | None,
        engine: FaceEngine,
        threshold: float,
        liveness: Callable[[FaceEngine], LivenessService],
        scanner: Callable[[DocumentKind], DocumentScanner | None] = lambda _kind: None,
    ) -> None:
        self._chip = chip
        self._reader = reader
        self._camera = camera
        self._engine = engine
        self._threshold = threshold
        self._liveness = liveness
        self._scanner = scanner

    def read_chip(
        self, given: AccessInput, progress: ProgressSink, cancel: threading.Event
    ) -> ChipStep:
        """Wait for the card and read it with the access key ``given``.

        Raises:
            DomainError: READER_UNAVAILABLE without a reader; the chip service's codes.
            ValidationFailed: the access key is incomplete or malformed.
            Cancelled: the officer cancelled.
        """
        if self._reader is None:
            raise DomainError(ErrorCode.READER_UNAVAILABLE, "no card reader configured")
        outcome = self._chip.read(self._reader, given, progress=progress, cancel=cancel)
        return ChipStep(outcome, chip_evidence(outcome.read), outcome.read.portrait.image)

    def check_liveness(
        self, progress: ProgressSink, cancel: threading.Event, frames: FrameSink
    ) -> LivenessCheck:
        """Draw a challenge and run it, cueing each action (progress ``liveness:<action>``).

        Raises:
            DomainError: CAMERA_UNAVAILABLE without a camera; the face engine's codes.
            Cancelled: the officer cancelled.
        """
        camera = self._require_camera()
        service = self._liveness(_PreviewingEngine(self._engine, frames))
        result = service.run(camera, service.draw(), progress=progress, cancel=cancel)
        challenge = tuple(action.value for action in result.challenge)
        return LivenessCheck(result, result.live, challenge, result.reasons)

    def record_liveness(
        self, officer: User, application_id: ApplicationId, check: LivenessCheck, attested: bool
    ) -> Application:
        """Keep the check and the officer's attestation (a failure counts as a face attempt)."""
        service = self._liveness(self._engine)
        return service.record(officer, application_id, check.result, attested=attested)

    def capture_face(
        self,
        chip_portrait: bytes,
        progress: ProgressSink,
        cancel: threading.Event,
        frames: FrameSink,
    ) -> FaceCapture:
        """Capture the best frame and compare it with ``chip_portrait``, previewing each frame.

        Raises:
            DomainError: CAMERA_UNAVAILABLE without a camera; the face service's codes.
            Cancelled: the officer cancelled.
        """
        from kiosk.services.face_capture import FaceCaptureService

        camera = self._require_camera()
        service = FaceCaptureService(_PreviewingEngine(self._engine, frames), self._threshold)
        return service.capture(camera, chip_portrait, progress=progress, cancel=cancel)

    def scan_document(
        self,
        kind: DocumentKind,
        chip: ChipStep | None,
        progress: ProgressSink,
        cancel: threading.Event,
    ) -> DocumentScan:
        """Scan a GPLX or BHYT card, cross-checked with the chip read when there is one.

        Raises:
            DomainError: CAMERA_UNAVAILABLE without a scanner; the scanner's device errors.
            Cancelled: the officer cancelled.
        """
        from kiosk.services.documents import (
            DocumentScanService,
            chip_claims,
        )

        claims = chip_claims(chip.outcome) if chip is not None else None
        service = DocumentScanService(self._scanner(kind))
        return service.scan(kind, chip=claims, progress=progress, cancel=cancel)

    def _require_camera(self) -> Camera:
        if self._camera is None:
            raise DomainError(ErrorCode.CAMERA_UNAVAILABLE, "no camera configured")
        return self._camera


class _PreviewingEngine:
    """A face engine that reports every analysed frame and its guidance to the preview."""

    def __init__(self, inner: FaceEngine, frames: FrameSink) -> None:
        self._inner = inner
        self._frames = frames

    def analyse(self, image: npt.NDArray[np.uint8], rules: GuidanceRules | None = None) -> Guidance:
        guidance = (
            self._inner.analyse(image) if rules is None else self._inner.analyse(image, rules)
        )
        self._frames(PreviewFrame(image.copy(), guidance.instruction.value, _box(guidance, image)))
        return guidance

    def match(self, image: npt.NDArray[np.uint8], portrait: bytes, threshold: float) -> FaceMatch:
        return self._inner.match(image, portrait, threshold)


def _box(
    guidance: Guidance, image: npt.NDArray[np.uint8]
) -> tuple[float, float, float, float] | None:
    measures = guidance.measures
    if measures is None:
        return None
    height, width = image.shape[:2]
    box = measures.box
    return (box.left / width, box.top / height, box.width / width, box.height / height)
