"""The officer's counter: the face services and the devices of the enrolment screens.

The face stack (dlib in a worker process) and the devices are composed on first use, inside
the enrolment screens' first job, so the desktop app reaches its login screen without them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.app.devices import (
    configured_camera,
    configured_scanner,
    demo_or_configured_reader,
    or_absent,
    simulated_scanner,
)
from kiosk.app.trust import chip_reading
from kiosk.config import Settings

if TYPE_CHECKING:
    from kiosk.app.compose import Kiosk
    from kiosk.devices.ports import DocumentScanner
    from kiosk.domain.documents import DocumentKind
    from kiosk.face.engine import FaceEngine
    from kiosk.face.worker import FaceWorker
    from kiosk.services.counter import CounterService
    from kiosk.services.documents import DocumentScanService
    from kiosk.services.face_capture import FaceCaptureService
    from kiosk.services.liveness import LivenessService


def document_scanning(scanner: DocumentScanner | None) -> DocumentScanService:
    """The document scanning service over ``scanner`` (``configured_scanner`` or simulated)."""
    from kiosk.services.documents import DocumentScanService

    return DocumentScanService(scanner)


def face_capture(settings: Settings, engine: FaceEngine | None = None) -> FaceCaptureService:
    """The face capture service with the configured threshold.

    ``engine`` None runs dlib in this process (headless demo, command line); the desktop app
    passes its ``FaceWorker`` so the GUI process never runs dlib.
    """
    from kiosk.face.engine import InProcessFace
    from kiosk.services.face_capture import FaceCaptureService

    return FaceCaptureService(engine or InProcessFace(), settings.face.match_threshold)


def liveness(kiosk: Kiosk, engine: FaceEngine | None = None) -> LivenessService:
    """The liveness service; ``engine`` as for ``face_capture`` (None: dlib in this process)."""
    from kiosk.face.engine import InProcessFace
    from kiosk.services.liveness import LivenessService

    return LivenessService(kiosk.context, engine or InProcessFace())


class LazyCounter:
    """The enrolment screens' counter service, composed on first use (inside their first job).

    The face worker process starts then, loading its models while the chip is read, so the
    desktop app reaches its login screen without the face stack. ``close`` stops the worker.
    """

    def __init__(self, kiosk: Kiosk) -> None:
        self._kiosk = kiosk
        self._lock = threading.Lock()
        self._counter: CounterService | None = None
        self._worker: FaceWorker | None = None

    def __call__(self) -> CounterService:
        """The counter service (built by the first caller; later callers get the same one)."""
        with self._lock:
            if self._counter is None:
                from kiosk.face.worker import FaceWorker

                self._worker = FaceWorker()
                self._counter = counter_service(self._kiosk, self._worker)
            return self._counter

    def close(self) -> None:
        """Stop the face worker, if it was started."""
        with self._lock:
            if self._worker is not None:
                self._worker.close()


def counter_service(kiosk: Kiosk, engine: FaceEngine) -> CounterService:
    """The officer's devices for the enrolment screens, with the face work on ``engine``.

    The reader and camera are the configured ones (the simulated ones in demo mode); one that
    cannot be built is left out, so its step reports the device unavailable.
    """
    from kiosk.services.counter import CounterService

    settings = kiosk.settings
    return CounterService(
        chip_reading(settings),
        or_absent("card reader", lambda: demo_or_configured_reader(settings)),
        or_absent("camera", lambda: configured_camera(settings)),
        engine,
        settings.face.match_threshold,
        lambda observed: liveness(kiosk, observed),
        _counter_scanner(settings),
    )


def _counter_scanner(settings: Settings) -> Callable[[DocumentKind], DocumentScanner | None]:
    """The document scanner per kind of card.

    In demo mode it holds the demo citizen's specimen card of that kind; otherwise it is the
    configured document camera, the same for every kind.
    """
    if settings.demo:
        from kiosk.devices.sim import citizens

        record = citizens.list_citizens()[0]
        return lambda kind: simulated_scanner(settings, record, kind)
    scanner = or_absent("scanner", lambda: configured_scanner(settings))
    return lambda _kind: scanner
