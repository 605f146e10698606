"""``AuditRepository``: appends to the hash-chained audit log and reads it back for verification.

The chain rule is ``kiosk.domain.audit``'s; this module only stores entries and supplies the MAC
function, keyed by the key ring's audit key (derived, never stored in the database). Appends run
inside the caller's write transaction (BEGIN IMMEDIATE), so sequence numbers cannot race.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain import audit
from kiosk.domain.application import AuditFact
from kiosk.store.rows.audit import AuditRow

_FieldsMaker = Callable[[int], audit.AuditFields]


class AuditRepository:
    """The audit log of this database, seen through one unit of work."""

    def __init__(self, session: Session, mac_key: bytes) -> None:
        self._session = session
        self._mac_key = mac_key
        # The entry this unit of work appended last. The write transaction holds the database's
        # write lock (BEGIN IMMEDIATE), so it stays the chain's newest until the unit ends, and
        # a second append in the same unit needs no query for it.
        self._appended: audit.AuditEntry | None = None

    def mac(self, entry_hash: bytes) -> bytes:
        """The MAC of an entry hash (``kiosk.domain.audit.MacFunction``)."""
        return hmac.new(self._mac_key, entry_hash, hashlib.sha256).digest()

    def record(self, fact: AuditFact) -> audit.AuditEntry:
        """Append the entry for an application's change."""
        return self._append(lambda sequence: audit.fields_of(fact, sequence))

    def record_event(
        self,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        details: Mapping[str, audit.DetailValue],
    ) -> audit.AuditEntry:
        """Append an entry that is not an application transition (login, view, export, ...)."""
        return self._append(
            lambda sequence: audit.AuditFields(sequence, at, actor, action, subject, details)
        )

    def head(self) -> bytes:
        """The newest entry's hash (the genesis hash for an empty log), for the server."""
        last = self._last()
        return audit.GENESIS_HASH if last is None else last.hash

    def entries(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[audit.AuditEntry]:
        """Entries in sequence order, optionally those with ``start <= at < end``."""
        query = select(AuditRow).order_by(AuditRow.sequence)
        if start is not None:
            query = query.where(AuditRow.at >= start)
        if end is not None:
            query = query.where(AuditRow.at < end)
        return [_to_entry(row) for row in self._session.scalars(query)]

    def first_bad_sequence(self, expected_head: bytes | None = None) -> int | None:
        """The sequence number of the first entry that breaks the chain, or None if intact."""
        entries = self.entries()
        index = audit.verify_chain(entries, self.mac, expected_head=expected_head)
        return None if index is None else index + 1

    def _append(self, make_fields: _FieldsMaker) -> audit.AuditEntry:
        previous = self._appended
        if previous is None:
            last = self._last()
            previous = None if last is None else _to_entry(last)
        fields = make_fields(1 if previous is None else previous.fields.sequence + 1)
        entry = audit.seal(previous, fields, self.mac)
        self._session.add(_to_row(entry))
        self._session.flush()
        self._appended = entry
        return entry

    def _last(self) -> AuditRow | None:
        query = select(AuditRow).order_by(AuditRow.sequence.desc()).limit(1)
        return self._session.scalar(query)


def _to_row(entry: audit.AuditEntry) -> AuditRow:
    fields = entry.fields
    return AuditRow(
        sequence=fields.sequence,
        at=fields.at,
        actor=fields.actor,
        action=fields.action,
        subject=fields.subject,
        details=json.dumps(dict(fields.details), sort_keys=True),
        prev_hash=entry.prev_hash,
        hash=entry.entry_hash,
        mac=entry.mac,
    )


def _to_entry(row: AuditRow) -> audit.AuditEntry:
    fields = audit.AuditFields(
        row.sequence, row.at, row.actor, row.action, row.subject, json.loads(row.details)
    )
    return audit.AuditEntry(fields, row.prev_hash, row.hash, row.mac)
