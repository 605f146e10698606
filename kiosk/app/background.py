"""The running kiosk's own threads: each repeats one task (the backup, the retention purge)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

BACKUP_CHECK_SECONDS = 300.0
"""How often the backup thread asks whether a backup is due."""

RETENTION_CHECK_SECONDS = 600.0
"""How often the retention thread purges what its period has run out for."""


class BackgroundWork:
    """Plain threads owned by the composition root, each repeating one task until stopped.

    Each loop is a job boundary: a failure is logged and the loop goes on (the next round may
    succeed: a backup disk plugged back in), so one bad round never stops the schedule.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._stoppers: list[Callable[[float], None]] = []

    def adopt(self, stop: Callable[[float], None]) -> None:
        """Stop a thread started elsewhere (the sync relay) with the others."""
        self._stoppers.append(stop)

    def every(self, seconds: float, name: str, task: Callable[[], object]) -> None:
        """Run ``task`` every ``seconds`` (first after ``seconds``) on a thread of its own."""

        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    task()
                except Exception:
                    log.exception("background task %s failed; it runs again later", name)

        thread = threading.Thread(target=loop, name=f"kiosk-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask every loop to end and wait for the current rounds to finish."""
        self._stop.set()
        for stop in self._stoppers:
            stop(timeout)
        for thread in self._threads:
            thread.join(timeout)
