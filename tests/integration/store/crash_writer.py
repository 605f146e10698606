"""The writer the crash-safety test kills: enrols applications in a loop, marking each step.

Prints ``READY``, then for each unit of work ``BEGIN <id>`` once the write transaction is open
and ``COMMIT <id>`` once the commit has returned. Arguments: database, key folder, officer id.
"""

import sys
import uuid
from pathlib import Path

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
    engine = create_store_engine(f"sqlite:///{database}")
    sessions = create_session_factory(engine)
    clock = SystemClock()
    keys = unlock(sessions, LinuxKeyFile(Path(key_folder)), clock, None)
    _mark("READY")
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
