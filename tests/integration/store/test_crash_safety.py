"""SIGKILL a writer at random points: every reported commit survives, nothing is partial."""

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from kiosk.domain.ids import ApplicationId
from kiosk.store.uow import UnitOfWork

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = 50


def _run_and_kill(store, tmp_path: Path, rng: random.Random) -> list[str]:
    args = [sys.executable, str(WRITER), str(store.path), str(tmp_path / "keys")]
    lines: list[str] = []
    with subprocess.Popen(
        [*args, str(store.officer.id)], stdout=subprocess.PIPE, text=True
    ) as process:
        stdout = process.stdout
        assert stdout is not None
        assert stdout.readline().strip() == "READY"
        reader = threading.Thread(target=lambda: lines.extend(stdout))
        reader.start()
        time.sleep(rng.uniform(0.01, 0.25))
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        reader.join(30)
    return [line.strip() for line in lines]


def _check_database(store, committed: set[str]) -> None:
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
    for _ in range(KILLS):
        lines = _run_and_kill(store, tmp_path, rng)
        committed |= {line.split()[1] for line in lines if line.startswith("COMMIT")}
        inside_transaction += bool(lines) and lines[-1].startswith("BEGIN")
        _check_database(store, committed)
    assert inside_transaction >= 20
    assert committed
