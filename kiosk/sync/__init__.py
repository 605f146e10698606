"""Offline-first delivery of approved applications to the central server (docs/sync-protocol.md).

``kiosk.sync.schema`` is the packet's wire format, shared with the reference server ``central``.
"""
