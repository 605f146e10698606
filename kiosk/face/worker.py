"""The face worker process and its typed client.

dlib holds the GIL while it detects and encodes, which would freeze the GUI's threads, so all
face work runs in one separate process, started once (spawn context, so it inherits no Qt or
camera state) and loading the models as it starts. The client copies a frame into one shared
memory block and sends a small request on a queue; the worker answers on another queue. One
request is in flight at a time (the client holds a lock), which is the latest-frame rule: the
caller hands over the newest frame whenever the worker is free, and nothing queues up.

Errors cross the queue as (code, detail, params) and are raised again in the client as the
same face error; a worker that dies or stops answering raises ``WorkerFailed``. The GUI
process imports this module but never face_recognition or dlib.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.shared_memory import SharedMemory
from types import TracebackType
from typing import Self, TypeVar

import numpy as np

from kiosk.domain.biometrics import FaceMatch
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.face.detect import Image, load_models
from kiosk.face.engine import InProcessFace
from kiosk.face.errors import ImageTooLarge, WorkerFailed, error_for
from kiosk.face.quality import DEFAULT_RULES, Guidance, GuidanceRules

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

DEFAULT_CAPACITY = 1920 * 1080 * 3
"""Shared-memory bytes: the largest frame the worker accepts (a 1080p BGR frame)."""


@dataclass(frozen=True, slots=True)
class _Analyse:
    shape: tuple[int, ...]
    rules: GuidanceRules


@dataclass(frozen=True, slots=True)
class _Match:
    shape: tuple[int, ...]
    portrait: bytes
    threshold: float


@dataclass(frozen=True, slots=True)
class _Stop:
    pass


_Request = _Analyse | _Match | _Stop


@dataclass(frozen=True, slots=True)
class _Reply:
    value: Guidance | FaceMatch | None = None
    code: ErrorCode | None = None
    detail: str = ""
    params: tuple[tuple[str, str | int], ...] = ()


def _frame(memory: SharedMemory, shape: tuple[int, ...]) -> Image:
    # A copy, so no view into the block outlives the request (close() would refuse).
    return np.ndarray(shape, dtype=np.uint8, buffer=memory.buf).copy()


_ENGINE = InProcessFace()


def _answer(request: _Analyse | _Match, memory: SharedMemory) -> _Reply:
    image = _frame(memory, request.shape)
    if isinstance(request, _Analyse):
        return _Reply(value=_ENGINE.analyse(image, request.rules))
    return _Reply(value=_ENGINE.match(image, request.portrait, request.threshold))


def _handle(request: _Analyse | _Match, memory: SharedMemory) -> _Reply:
    try:
        return _answer(request, memory)
    except DomainError as err:
        return _Reply(code=err.code, detail=err.detail, params=tuple(err.params.items()))
    except Exception as err:  # the worker's job boundary: log, answer, keep serving
        _log.exception("face worker: request failed")
        return _Reply(code=ErrorCode.INTERNAL, detail=type(err).__name__)


def serve(
    name: str, requests: multiprocessing.Queue[_Request], replies: multiprocessing.Queue[_Reply]
) -> None:
    """The worker process's main loop: answer requests until told to stop."""
    # Ctrl+C in a terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    load_models()
    memory = SharedMemory(name=name)
    try:
        while not isinstance(request := requests.get(), _Stop):
            replies.put(_handle(request, memory))
    finally:
        memory.close()


class FaceWorker:
    """The client of the face worker process: guidance and matching, one call at a time.

    Use as a context manager, or call ``close`` at shutdown; the process is started on
    construction so the model loading (about 2 s) overlaps with the rest of start-up.

    Args:
        capacity: the largest frame in bytes (height x width x 3).
        timeout: seconds to wait for one answer before declaring the worker failed.
    """

    _POLL = 0.5  # seconds between liveness checks while waiting for an answer

    def __init__(self, capacity: int = DEFAULT_CAPACITY, timeout: float = 30.0) -> None:
        context = multiprocessing.get_context("spawn")
        self._timeout = timeout
        self._closed = False
        self._lock = threading.Lock()
        self._memory = SharedMemory(create=True, size=capacity)
        self._requests: multiprocessing.Queue[_Request] = context.Queue()
        self._replies: multiprocessing.Queue[_Reply] = context.Queue()
        self._process = context.Process(
            target=serve,
            args=(self._memory.name, self._requests, self._replies),
            name="kiosk-face",
            daemon=True,
        )
        self._process.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The worker's process id, for the self-test and for measuring its memory."""
        return self._process.pid

    def analyse(self, image: Image, rules: GuidanceRules = DEFAULT_RULES) -> Guidance:
        """Guidance for one frame (detection, landmarks, measures, instruction).

        Raises:
            ImageTooLarge: the frame exceeds the shared memory.
            WorkerFailed: the worker died or did not answer in time.
        """
        return _expect(Guidance, self._call(image, lambda shape: _Analyse(shape, rules)))

    def match(self, image: Image, portrait: bytes, threshold: float) -> FaceMatch:
        """Compare the one face of ``image`` (the best frame) with the chip portrait's bytes.

        The portrait is decoded inside the worker, after the caps of ``kiosk.face.images``,
        so a hostile DG2 never reaches a decoder in the GUI process.

        Raises:
            NoFace, MultipleFaces: the frame or the portrait lacks exactly one face.
            ImageUnreadable, ImageTooLarge: the portrait cannot be decoded safely.
            WorkerFailed: the worker died or did not answer in time.
        """
        request = self._call(image, lambda shape: _Match(shape, portrait, threshold))
        return _expect(FaceMatch, request)

    def close(self) -> None:
        """Stop the worker (waiting for its current request) and free the shared memory.

        Closing twice is harmless, so both an explicit close and a ``with`` block may run.
        """
        if self._closed:
            return
        self._closed = True
        if self._process.is_alive():
            self._requests.put(_Stop())
            self._process.join(self._timeout)
        if self._process.is_alive():
            _log.warning("face worker did not stop; terminating it")
            self._process.terminate()
            self._process.join()
        self._requests.close()
        self._replies.close()
        self._memory.close()
        self._memory.unlink()

    def _call(
        self, image: Image, build: Callable[[tuple[int, ...]], _Request]
    ) -> Guidance | FaceMatch | None:
        if image.nbytes > self._memory.size:
            raise ImageTooLarge("frame larger than the worker's buffer", bytes=image.nbytes)
        with self._lock:
            if not self._process.is_alive():
                raise WorkerFailed("face worker is not running", exitcode=self._exit_code())
            np.ndarray(image.shape, dtype=np.uint8, buffer=self._memory.buf)[...] = image
            self._requests.put(build(image.shape))
            reply = self._wait()
        if reply.code is not None:
            raise error_for(reply.code, reply.detail, dict(reply.params))
        return reply.value

    def _wait(self) -> _Reply:
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            try:
                return self._replies.get(timeout=self._POLL)
            except queue.Empty:
                if not self._process.is_alive():
                    raise WorkerFailed("face worker exited", exitcode=self._exit_code()) from None
        # A late answer would be taken for the next request's: end the hung worker instead.
        self._process.terminate()
        self._process.join()
        raise WorkerFailed("face worker did not answer in time")

    def _exit_code(self) -> int:
        return self._process.exitcode if self._process.exitcode is not None else -1


def _expect(kind: type[_T], value: object) -> _T:
    if not isinstance(value, kind):
        raise WorkerFailed("unexpected answer from the face worker")
    return value
