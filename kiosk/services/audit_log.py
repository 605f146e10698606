"""Checking the audit log's chain and exporting it, signed, for auditors.

``verify`` names the first entry that breaks the chain (edited, deleted, reordered, or with a
MAC that the station's key did not make). ``export`` writes the entries of a period as JSON with
the station's Ed25519 signature over them, so an auditor can check the file came from this
kiosk and was not changed; the export itself is audited.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.domain import audit
from kiosk.domain.users import Permission, User, require
from kiosk.services.context import ServiceContext

EXPORT_FORMAT = "kiosk-audit-export/1"


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of a chain check.

    Attributes:
        first_bad: the sequence number of the first bad entry, or None when all are good.
        head: the newest entry's hash, hex (what the central server is told).
    """

    valid: bool
    entries: int
    first_bad: int | None
    head: str


class AuditLogService:
    """Verification and export of the audit log."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def verify(self) -> ChainReport:
        """Check every entry's hash, link and MAC (needs no login: it reads no personal data)."""
        with self._context.read() as uow:
            first_bad = uow.audit.first_bad_sequence()
            count = len(uow.audit.entries())
            head = uow.audit.head().hex()
        return ChainReport(first_bad is None, count, first_bad, head)

    def head(self) -> bytes:
        """The chain head, sent to the central server so truncation is caught there."""
        with self._context.read() as uow:
            return uow.audit.head()

    def export(self, actor: User, start: datetime, end: datetime, target: Path) -> int:
        """Write the entries with ``start <= at < end`` to ``target``, signed; return the count."""
        require(actor, Permission.EXPORT_AUDIT)
        now = self._context.clock.now()
        with self._context.write() as uow:
            entries = uow.audit.entries(start, end)
            body = _export_body(entries, start, end, now, self._context.station.code)
            payload = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
            document = {
                "format": EXPORT_FORMAT,
                "payload": body,
                "signature": base64.b64encode(self._context.signer(payload)).decode(),
                "public_key": base64.b64encode(self._context.signing_public_key).decode(),
            }
            target.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
            details = {"entries": len(entries)}
            uow.audit.record_event(now, str(actor.id), "audit_export", "audit", details)
            uow.commit()
        return len(entries)


def _export_body(
    entries: list[audit.AuditEntry], start: datetime, end: datetime, now: datetime, station: str
) -> dict[str, Any]:
    return {
        "station": station,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "exported_at": now.isoformat(),
        "entries": [_entry_json(entry) for entry in entries],
    }


def _entry_json(entry: audit.AuditEntry) -> dict[str, Any]:
    fields = entry.fields
    return {
        "sequence": fields.sequence,
        "at": fields.at.isoformat(),
        "actor": fields.actor,
        "action": fields.action,
        "subject": fields.subject,
        "details": dict(fields.details),
        "prev_hash": entry.prev_hash.hex(),
        "hash": entry.entry_hash.hex(),
        "mac": entry.mac.hex(),
    }
