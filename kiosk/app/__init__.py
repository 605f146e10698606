"""The composition root: settings in, a running kiosk out. Nothing else builds the parts.

Only this package names concrete implementations: which key custody, which devices, which
clock. Its modules, one concern each:

* ``compose``: ``build``, the composed ``Kiosk`` and its ``Services``.
* ``store``: opening, migrating and unlocking the store; backup, restore and key rotation.
* ``background``: the running kiosk's own threads (backup, retention).
* ``trust``: the CSCA anchors in force and the chip-reading service.
* ``devices``: the card reader, camera and scanner, real or simulated.
* ``counter``: the enrolment screens' devices and face services, composed on first use.
* ``central``: the demo's reference server as a child process.

The names below are the package's public API (as ``kiosk.emrtd``'s are): callers import them
from ``kiosk.app``, not from its modules. Importing the package loads the services and the
stack under them (SQLAlchemy, cryptography, requests): the desktop app does it on a worker
thread, after its login screen is up (``kiosk.commands.gui``).
"""

from kiosk.app.background import BackgroundWork
from kiosk.app.central import start_demo_central
from kiosk.app.compose import Kiosk, build
from kiosk.app.counter import (
    LazyCounter,
    counter_service,
    document_scanning,
    face_capture,
    liveness,
)
from kiosk.app.devices import (
    card_reader,
    card_readers,
    device_status,
    simulated_camera,
    simulated_card,
    simulated_card_reader,
    simulated_scanner,
)
from kiosk.app.trust import chip_reading, local_today, trust_store

__all__ = [
    "BackgroundWork",
    "Kiosk",
    "LazyCounter",
    "build",
    "card_reader",
    "card_readers",
    "chip_reading",
    "counter_service",
    "device_status",
    "document_scanning",
    "face_capture",
    "liveness",
    "local_today",
    "simulated_camera",
    "simulated_card",
    "simulated_card_reader",
    "simulated_scanner",
    "start_demo_central",
    "trust_store",
]
