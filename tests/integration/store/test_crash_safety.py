"""SIGKILL a writer at random points: every reported commit survives, nothing is partial."""

import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.domain.ids import ApplicationId
from kiosk.store.uow import UnitOfWork

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = 50
WAIT = 30  # seconds: a bound on a stuck writer, never reached when the test passes


class _Writers:
    """The fork server of crash_writer.py: one fresh writer process per kill."""

    def __init__(self, server: subprocess.Popen[str]) -> None:
        self._server = server
        self._lines: queue.Queue[str] = queue.Queue()

    def expect(self, line: str) -> None:
        """Wait for the server's next line, which must be ``line``."""
        assert self._lines.get(timeout=WAIT) == line

    def pump(self) -> None:
        """Hand the pipe's lines to the test as they come (a full pipe would stall a writer)."""
        assert self._server.stdout is not None
        for line in self._server.stdout:
            self._lines.put(line.strip())

    def run_and_kill(self, rng: random.Random) -> list[str]:
        """Start a writer, SIGKILL it after a random while; what it printed before dying."""
        assert self._server.stdin is not None
        self._server.stdin.write("fork\n")
        self._server.stdin.flush()
        ready, pid = self._lines.get(timeout=WAIT).split()
        assert ready == "READY"
        time.sleep(rng.uniform(0.01, 0.25))
        os.kill(int(pid), signal.SIGKILL)
        lines: list[str] = []
        while (line := self._lines.get(timeout=WAIT)) != f"DEAD {pid}":
            lines.append(line)
        return lines


@contextmanager
def _fork_server(store, tmp_path: Path) -> Iterator[_Writers]:
    args = [sys.executable, str(WRITER), str(store.path), str(tmp_path / "keys")]
    with subprocess.Popen(
        [*args, str(store.officer.id)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the server and its writers
    ) as server:
        writers = _Writers(server)
        pump = threading.Thread(target=writers.pump)
        pump.start()
        try:
            writers.expect("SERVER")
            yield writers
        finally:
            assert server.stdin is not None
            server.stdin.close()  # a server waiting for its next writer exits
            try:
                server.wait(WAIT)
            except subprocess.TimeoutExpired:  # a writer was never killed: end the whole group
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            pump.join(WAIT)


def _check_database(store, committed: set[str]) -> None:
    """The file is sound, nothing is partial, the audit chain holds, ``committed`` is readable."""
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        counts = [
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("applications", "data_keys", "portraits", "audit_log")
        ]
    finally:
        conn.close()
    assert len(set(counts)) == 1, counts  # one of each per application: nothing partial
    with UnitOfWork(store.sessions, store.keys.ring, read_only=True) as uow:
        for app_id in committed:
            uow.applications.get(ApplicationId(uuid.UUID(app_id)))
        assert uow.audit.first_bad_sequence() is None
        assert len(uow.audit.entries()) >= len(committed)


@pytest.mark.slow
def test_sigkill_never_loses_a_commit_or_leaves_a_partial_write(tmp_path, store) -> None:
    store.engine.dispose()
    rng = random.Random(20261127)
    committed: set[str] = set()
    inside_transaction = 0
    with _fork_server(store, tmp_path) as writers:
        for _ in range(KILLS):
            lines = writers.run_and_kill(rng)
            new = {line.split()[1] for line in lines if line.startswith("COMMIT")}
            inside_transaction += bool(lines) and lines[-1].startswith("BEGIN")
            # Each round reads back what it committed; the last check reads every commit (a
            # commit lost or damaged in a later round stays so until the end).
            _check_database(store, new)
            committed |= new
    _check_database(store, committed)
    assert inside_transaction >= 20
    assert committed
