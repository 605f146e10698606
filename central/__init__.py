"""The reference central server: the other side of the sync protocol (docs/sync-protocol.md).

Real enough for the demo, the tests and integrators (docs/central.md). Of ``kiosk`` it imports
only ``kiosk.emrtd`` (Passive Authentication, the LDS parsers), ``kiosk.sync.schema`` and
``kiosk.sync.codec`` (the packet), as an import contract enforces; the kiosk never imports it.
"""
