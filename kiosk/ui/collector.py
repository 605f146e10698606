"""Python's cycle collector, run only on the GUI thread.

A screen's lambdas connected to a job's signals make reference cycles between Python wrappers of
Qt objects. The automatic collector frees a cycle on whichever thread happens to allocate when
a generation fills up: a job worker, the sync relay, a backup thread. Freeing the wrapper of a
``QObject`` there destroys the C++ object on a thread it does not belong to, while the GUI thread
may be delivering its queued signals: a crash, at random, far from its cause. The known cure
(the PyQt list, 2011; OpenCue #598) is to switch automatic collection off and collect on the GUI
thread from a timer, as often as the generation thresholds would have.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

CHECK_MS = 500
"""How often the GUI thread looks at the collector's counts (the cost of a look is a call)."""

SLOW_COLLECTION_SECONDS = 0.05
"""A collection longer than this is logged: it is a stall of the GUI thread."""


class GuiThreadCollector(QObject):
    """Owns cycle collection for the process while it lives; ``stop`` gives it back.

    Created on the GUI thread. Each tick collects the youngest generation whose count passed
    its threshold, which is what the automatic collector would have done, minus the thread.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> None:
        """Collect the oldest generation whose count is over its threshold, if any."""
        counts = gc.get_count()
        due = [gen for gen in range(3) if counts[gen] > self._thresholds[gen]]
        if not due:
            return
        generation = max(due)
        started = time.perf_counter()
        freed = gc.collect(generation)
        elapsed = time.perf_counter() - started
        if elapsed > SLOW_COLLECTION_SECONDS:
            log.info(
                "collection of generation %d freed %d objects in %.0f ms",
                generation,
                freed,
                elapsed * 1000,
            )

    def stop(self) -> None:
        """Collect everything now, on this thread, and give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()


@contextmanager
def gui_thread_collection(parent: QObject | None = None) -> Iterator[None]:
    """Collect cycles only on this (the GUI) thread for the time of the ``with`` block."""
    collector = GuiThreadCollector(parent)
    try:
        yield
    finally:
        collector.stop()
