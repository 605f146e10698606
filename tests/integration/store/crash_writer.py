"""The writers the crash-safety test kills: each enrols applications in a loop, marking each step.

This runs as a small fork server so the store is imported once per test, not once per kill
(importing SQLAlchemy and the store costs seconds on a loaded machine; the kills are the same).
Arguments: database, key folder, officer id. It prints ``SERVER`` once imported; then each line
read from standard input forks one writer, which opens its own engine and unlocks the keys as a
freshly started kiosk would, prints ``READY <pid>``, and for each unit of work ``BEGIN <id>``
once the write transaction is open and ``COMMIT <id>`` once the commit has returned. The test
SIGKILLs the writer; the server reaps it and prints ``DEAD <pid>``, after everything the writer
printed (both write to the same pipe, the writer's lines first).
"""

import os
import sys
import uuid
from pathlib import Path

import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401  (imported once, before the forks)
from sqlalchemy.orm import configure_mappers

from kiosk.domain.application import open_application
from kiosk.domain.clock import SystemClock
from kiosk.domain.ids import UserId, new_application_id
from kiosk.store.custody import LinuxKeyFile
from kiosk.store.engine import create_session_factory, create_store_engine
from kiosk.store.keys import unlock
from kiosk.store.rows.biometric import PortraitKind
from kiosk.store.uow import UnitOfWork

PORTRAIT = bytes(range(256)) * 80  # 20 KB


def main() -> None:
    database, key_folder, officer_text = sys.argv[1:4]
    officer = UserId(uuid.UUID(officer_text))
    configure_mappers()  # library set-up only: no connection is opened before a fork
    _mark("SERVER")
    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                _write(database, Path(key_folder), officer)
            finally:
                os._exit(1)  # a writer never returns into the server's loop
        os.waitpid(pid, 0)
        _mark(f"DEAD {pid}")


def _write(database: str, key_folder: Path, officer: UserId) -> None:
    engine = create_store_engine(f"sqlite:///{database}")
    sessions = create_session_factory(engine)
    clock = SystemClock()
    keys = unlock(sessions, LinuxKeyFile(key_folder), clock, None)
    _mark(f"READY {os.getpid()}")
    while True:
        with UnitOfWork(sessions, keys.ring) as uow:
            app_id = new_application_id()
            _mark(f"BEGIN {app_id}")
            application, fact = open_application(app_id, officer, clock.now())
            uow.applications.add(application)
            uow.applications.add_portrait(app_id, PortraitKind.LIVE, PORTRAIT, clock.now())
            uow.audit.record(fact)
            uow.commit()
        _mark(f"COMMIT {app_id}")


def _mark(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
