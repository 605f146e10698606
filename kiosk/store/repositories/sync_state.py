"""``SyncStateRepository``: the station's link to its central server, one row.

What registration learnt (the server's address, keys and TLS pins, the kiosk's id), the verdict
cursor, the last configuration bundle and the last contact. The cursor is saved in the unit of
work that stores the verdicts' effects, so a crash never skips or repeats a verdict. Values leave
this module frozen; no ORM object reaches the relay thread or the UI.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.store.rows.outbox import SYNC_STATE_ROW_ID, SyncStateRow


@dataclass(frozen=True, slots=True)
class SyncState:
    """The station's link to its central server (all None/empty before registration).

    Attributes:
        signing_key, encryption_key: the server's public JWKs, as JSON text.
        tls_pins: base64 SHA-256 digests of the server's TLS public key, primary first.
        verdict_cursor: the last verdict cursor whose effects are stored.
        clock_offset_ms: the server's clock minus ours at the last contact.
    """

    server_url: str | None = None
    server_id: str | None = None
    kiosk_id: str | None = None
    unit: str | None = None
    counter: int | None = None
    signing_key: str | None = None
    encryption_key: str | None = None
    tls_pins: tuple[str, ...] = ()
    registered_at: datetime | None = None
    verdict_cursor: int = 0
    config_version: int = 0
    paused: bool = False
    last_contact_at: datetime | None = None
    clock_offset_ms: int | None = None

    @property
    def is_registered(self) -> bool:
        """Whether the kiosk knows its server, its keys and its pins."""
        return bool(self.server_url and self.kiosk_id and self.encryption_key and self.tls_pins)


@dataclass(frozen=True, slots=True)
class Registration:
    """What registration learns from the server (``kiosk register``)."""

    server_url: str
    server_id: str
    kiosk_id: str
    unit: str
    counter: int
    signing_key: str
    encryption_key: str
    tls_pins: tuple[str, ...]


class SyncStateRepository:
    """Reads and writes the single ``sync_state`` row inside one unit of work."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self) -> SyncState:
        """The link as stored (defaults before anything was stored)."""
        row = self._session.get(SyncStateRow, SYNC_STATE_ROW_ID)
        if row is None:
            return SyncState()
        return SyncState(
            server_url=row.server_url,
            server_id=row.server_id,
            kiosk_id=row.kiosk_id,
            unit=row.unit,
            counter=row.counter,
            signing_key=row.signing_key,
            encryption_key=row.encryption_key,
            tls_pins=tuple(json.loads(row.tls_pins)),
            registered_at=row.registered_at,
            verdict_cursor=row.verdict_cursor,
            config_version=row.config_version,
            paused=row.paused,
            last_contact_at=row.last_contact_at,
            clock_offset_ms=row.clock_offset_ms,
        )

    def register(self, registration: Registration, at: datetime) -> None:
        """Store what registration learnt; the cursor and configuration start afresh."""
        row = self._row()
        row.server_url = registration.server_url
        row.server_id = registration.server_id
        row.kiosk_id = registration.kiosk_id
        row.unit, row.counter = registration.unit, registration.counter
        row.signing_key = registration.signing_key
        row.encryption_key = registration.encryption_key
        row.tls_pins = json.dumps(list(registration.tls_pins))
        row.registered_at = at
        row.verdict_cursor, row.config_version, row.config_bundle = 0, 0, None
        self._session.flush()

    def set_server_url(self, url: str) -> None:
        """The same server, reached at another address (the demo's child picks a new port)."""
        self._row().server_url = url.rstrip("/")
        self._session.flush()

    def save_cursor(self, cursor: int) -> None:
        """Move the verdict cursor (in the transaction that stores the verdicts' effects)."""
        self._row().verdict_cursor = cursor
        self._session.flush()

    def save_configuration(self, version: int, bundle: bytes, tls_pins: Sequence[str]) -> None:
        """Keep a verified configuration bundle and the pins it names."""
        row = self._row()
        row.config_version, row.config_bundle = version, bundle
        if tls_pins:
            row.tls_pins = json.dumps(list(tls_pins))
        self._session.flush()

    def configuration(self) -> bytes | None:
        """The last verified configuration bundle (a compact JWS), if any."""
        row = self._session.get(SyncStateRow, SYNC_STATE_ROW_ID)
        return None if row is None else row.config_bundle

    def set_paused(self, paused: bool) -> None:
        """A supervisor pauses or resumes delivery."""
        self._row().paused = paused
        self._session.flush()

    def record_contact(self, at: datetime, clock_offset_ms: int) -> None:
        """The server answered at ``at``; its clock minus ours was ``clock_offset_ms``."""
        row = self._row()
        row.last_contact_at, row.clock_offset_ms = at, clock_offset_ms
        self._session.flush()

    def _row(self) -> SyncStateRow:
        row = self._session.get(SyncStateRow, SYNC_STATE_ROW_ID)
        if row is None:
            row = SyncStateRow(
                id=SYNC_STATE_ROW_ID,
                tls_pins="[]",
                verdict_cursor=0,
                config_version=0,
                paused=False,
            )
            self._session.add(row)
        return row
