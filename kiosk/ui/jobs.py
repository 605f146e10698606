"""Background jobs for the GUI: the GUI thread never waits on a device, the disk or the network.

A ``Job`` is a plain function ``work(progress, cancel) -> result`` plus the resource it needs
(the card reader, the camera, the database...). The ``JobRunner`` runs it on a thread pool and
reports on the GUI thread through the ``JobHandle``'s signals: ``progress``, ``succeeded``,
``failed`` (a ``UserMessage``), ``cancelled``. Jobs on the same resource run one after another in
submission order (Vorta's per-resource queues); different resources run in parallel.

Cancellation is cooperative: ``cancel()`` sets the job's ``threading.Event``; the work checks it
between steps (between APDUs, between frames) and raises ``Cancelled``. In tests the runner can be
inline (Picard's ``FakeThreadPool``): the work runs at once on the calling thread and the
signals fire before ``submit`` returns, which makes screen tests deterministic.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import ProgressSink
from kiosk.log import new_incident_id
from kiosk.messages import UserMessage, describe

log = logging.getLogger(__name__)

Work = Callable[[ProgressSink, threading.Event], Any]


@dataclass(slots=True)
class Job:
    """One piece of background work and the resource it holds while it runs.

    Attributes:
        name: what the job does, for the log ("chip read", "face match").
        resource: jobs with the same resource never overlap ("card", "camera", "store").
    """

    name: str
    resource: str
    work: Work
    cancel_event: threading.Event = field(default_factory=threading.Event)


class JobHandle(QObject):
    """The GUI-thread face of one job: connect to its signals, call ``cancel()`` on Esc."""

    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.done = False
        # The coded error behind ``failed``: a screen words it again after a language switch.
        self.error: DomainError | None = None

    def cancel(self) -> None:
        """Ask the work to stop at its next check; ``cancelled`` follows when it does."""
        self.job.cancel_event.set()

    @property
    def name(self) -> str:
        """The job's name."""
        return self.job.name


class _Runnable(QRunnable):
    def __init__(self, handle: JobHandle) -> None:
        super().__init__()
        self.handle = handle

    def run(self) -> None:
        execute(self.handle)


def execute(handle: JobHandle) -> None:
    """Run the job's work and emit exactly one outcome signal, then ``finished``.

    This is the job boundary: a known error becomes its message, ``Cancelled`` becomes
    ``cancelled``, and anything else is logged with an incident id and shown as a generic
    message carrying that id (Electrum's three outcomes).
    """
    job = handle.job
    try:
        if job.cancel_event.is_set():
            raise Cancelled
        result = job.work(handle.progress.emit, job.cancel_event)
    except Cancelled:
        handle.cancelled.emit()
    except DomainError as err:
        log.info("job %s failed: %s", job.name, err)
        handle.error = err
        handle.failed.emit(describe(err))
    except Exception:
        incident = new_incident_id()
        log.exception("job %s crashed, incident %s", job.name, incident)
        handle.error = DomainError(ErrorCode.INTERNAL, incident=incident)
        handle.failed.emit(describe(handle.error))
    else:
        handle.succeeded.emit(result)
    handle.finished.emit()


class JobRunner(QObject):
    """Runs jobs off the GUI thread, one queue per resource.

    Args:
        inline: run each job at once on the calling thread (tests only).
        pool: the thread pool; a private one by default so device jobs never starve Qt's own.
    """

    def __init__(self, *, inline: bool = False, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self._inline = inline
        self._pool = pool or QThreadPool()
        self._queues: dict[str, deque[JobHandle]] = {}
        self._running: dict[str, JobHandle] = {}

    def submit(self, job: Job) -> JobHandle:
        """Queue ``job`` behind earlier jobs on the same resource; return its handle.

        Connect to the handle's signals right away: in inline mode they fire before this
        returns, so connect first with ``prepare`` and ``start`` instead when that matters.
        """
        handle = self.prepare(job)
        self.start(handle)
        return handle

    def prepare(self, job: Job) -> JobHandle:
        """A handle for ``job`` that does not run yet; connect its signals, then ``start`` it."""
        handle = JobHandle(job)
        # The lambda holding the handle keeps it alive for the life of the app, on purpose: a
        # handle freed when its worker drops it would be deleted on the worker thread, and one
        # deleted on the GUI thread while screens' lambdas still hold it crashed PySide 6.11.
        handle.finished.connect(lambda: self._on_finished(handle))
        return handle

    def start(self, handle: JobHandle) -> None:
        """Run the prepared job when its resource is free."""
        queue = self._queues.setdefault(handle.job.resource, deque())
        queue.append(handle)
        self._start_next(handle.job.resource)

    def running(self, resource: str) -> JobHandle | None:
        """The job holding ``resource`` now, if any (the status bar shows it)."""
        return self._running.get(resource)

    def cancel_all(self) -> None:
        """Cancel every queued and running job (on lock or exit)."""
        for handle in [*self._running.values(), *(h for q in self._queues.values() for h in q)]:
            handle.cancel()

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until the pool is idle (shutdown and tests only, never in a slot)."""
        return self._pool.waitForDone(msecs)

    def _start_next(self, resource: str) -> None:
        queue = self._queues.get(resource)
        if resource in self._running or not queue:
            return
        handle = queue.popleft()
        self._running[resource] = handle
        if self._inline:
            execute(handle)
        else:
            self._pool.start(_Runnable(handle))

    def _on_finished(self, handle: JobHandle) -> None:
        handle.done = True
        # The handle lives as long as the app (see ``prepare``); its work need not. Letting the
        # closure go here, on the GUI thread, frees what it captured (a chip read, frames).
        handle.job.work = _spent
        resource = handle.job.resource
        if self._running.get(resource) is handle:
            del self._running[resource]
        self._start_next(resource)


def _spent(_progress: ProgressSink, _cancel: threading.Event) -> NoReturn:
    """The work of a finished job: a job runs once, and what its closure captured is let go."""
    raise RuntimeError("a finished job does not run again")


__all__ = ["Job", "JobHandle", "JobRunner", "ProgressSink", "UserMessage", "execute"]
