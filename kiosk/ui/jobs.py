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
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import ProgressSink
from kiosk.log import new_incident_id
from kiosk.messages import UserMessage, describe

log = logging.getLogger(__name__)

Work = Callable[[ProgressSink, threading.Event], Any]

RELEASE_POLL_MS = 50
"""How soon the runner looks again for a finished job whose worker still held its handle."""


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
    """The GUI-thread face of one job: connect to its signals, call ``cancel()`` on Esc.

    A child of its runner, which deletes it on the GUI thread once it has finished and its
    worker has let go of it: a job's handle, its work and what the work holds are not kept for
    the life of the app. After that its plain attributes (``done``, ``error``, ``name``) still
    read; its signals are gone.
    """

    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, job: Job, runner: QObject) -> None:
        super().__init__(runner)
        self.job = job
        self.done = False
        # Set by the worker once it no longer touches this object (its last signal returned).
        self.released = threading.Event()
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
    """Runs one job once; lets go of its handle as it starts.

    PySide keeps the wrapper of a pool-deleted runnable, and with it whatever the runnable
    holds: the handle is taken out first, so a job's work and result are not kept with it.
    """

    def __init__(self, handle: JobHandle) -> None:
        super().__init__()
        self._handles = [handle]

    def run(self) -> None:
        handle = self._handles.pop()
        execute(handle)
        handle.released.set()


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
        self._finished: list[JobHandle] = []

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
        handle = JobHandle(job, self)
        # A method of the runner, not a lambda holding it: the handle's connection must not keep
        # its own parent alive, or deleting the handle would delete the runner mid-way.
        handle.finished.connect(self._on_finished)
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
            handle.released.set()
        else:
            self._pool.start(_Runnable(handle))

    @Slot()
    def _on_finished(self) -> None:
        handle = self.sender()
        assert isinstance(handle, JobHandle)  # noqa: S101 - only handles are connected here
        handle.done = True
        resource = handle.job.resource
        if self._running.get(resource) is handle:
            del self._running[resource]
        self._finished.append(handle)
        self._delete_released()
        self._start_next(resource)

    def _delete_released(self) -> None:
        """Delete the finished handles whose workers are done with them (GUI thread only)."""
        for handle in [h for h in self._finished if h.released.is_set()]:
            self._finished.remove(handle)
            handle.deleteLater()
        if self._finished:
            QTimer.singleShot(RELEASE_POLL_MS, self._delete_released)


__all__ = ["Job", "JobHandle", "JobRunner", "ProgressSink", "UserMessage", "execute"]
