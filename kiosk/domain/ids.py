"""Identifiers of the kiosk's records: applications, users and sync packets.

Each kind of id is its own ``NewType`` over ``uuid.UUID`` so that mypy refuses an application id
where a user id is expected; at run time they are plain UUIDs (the store maps them as such).
"""

from __future__ import annotations

import uuid
from typing import NewType

ApplicationId = NewType("ApplicationId", uuid.UUID)
UserId = NewType("UserId", uuid.UUID)
PacketId = NewType("PacketId", uuid.UUID)


def new_application_id() -> ApplicationId:
    """A fresh random id, so ids made on different kiosks never collide at the central server."""
    return ApplicationId(uuid.uuid4())


def new_user_id() -> UserId:
    """A fresh random user id; usernames may be reused after an account is removed, ids never."""
    return UserId(uuid.uuid4())


def new_packet_id() -> PacketId:
    """A fresh random packet id: the idempotency key the server deduplicates resends with."""
    return PacketId(uuid.uuid4())
