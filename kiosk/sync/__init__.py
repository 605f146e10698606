"""Offline-first delivery of approved applications to the central server (docs/sync-protocol.md).

``kiosk.sync.schema`` (the packet's typed parts) and ``kiosk.sync.codec`` (their CBOR encoding and
validation) are the packet's wire format, shared with the reference server ``central``.
"""
