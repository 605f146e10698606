"""``EvidenceRepository``: each step's evidence, sealed under its application's data key.

Evidence is stored as compact JSON (bytes as base64), one row per kind and slot, and read back
into ``kiosk.domain.evidence`` values. The repository borrows the application repository's
data keys, so a purged application's evidence cannot be opened even before its rows are gone.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.domain.evidence import (
    CheckRecord,
    ChipEvidence,
    ConsentRecord,
    DocumentEvidence,
    Evidence,
    EvidenceKind,
    LivenessEvidence,
    Mismatch,
)
from kiosk.domain.ids import ApplicationId, UserId
from kiosk.store import crypto
from kiosk.store.rows.evidence import EvidenceRow

_TABLE = EvidenceRow.__tablename__
_NO_SLOT = ""

_T = TypeVar("_T")

DataKeys = Callable[[uuid.UUID], bytes]
"""Gives an application's data key (raises ``NotFoundError`` once it is purged)."""


class EvidenceRepository:
    """The evidence of applications, seen through one unit of work."""

    def __init__(self, session: Session, data_key: DataKeys) -> None:
        self._session = session
        self._data_key = data_key

    def put_chip(self, application_id: ApplicationId, chip: ChipEvidence, at: datetime) -> None:
        """Keep the raw chip read (a new read replaces the earlier one)."""
        document = {
            "access": chip.access,
            "files": _bytes_map(chip.files),
            "passive_authentication": asdict(chip.passive_authentication),
            "chip_authentication": asdict(chip.chip_authentication),
            "active_authentication": asdict(chip.active_authentication),
            "chip_verdict": asdict(chip.chip_verdict),
            "transcripts": _bytes_map(chip.transcripts),
            "warnings": list(chip.warnings),
        }
        self._put(application_id, EvidenceKind.CHIP, _NO_SLOT, document, at)

    def put_document(
        self, application_id: ApplicationId, scan: DocumentEvidence, at: datetime
    ) -> None:
        """Keep a scanned document in its kind's slot (a rescan replaces the earlier one)."""
        document = {
            "kind": scan.kind,
            "image": _b64(scan.image),
            "back_image": None if scan.back_image is None else _b64(scan.back_image),
            "qr_text": scan.qr_text,
            "fields": dict(scan.fields),
            "mismatches": [asdict(mismatch) for mismatch in scan.mismatches],
            "quality": list(scan.quality),
        }
        self._put(application_id, EvidenceKind.DOCUMENT, scan.kind, document, at)

    def remove_document(self, application_id: ApplicationId, kind: str) -> None:
        """Forget the scan of ``kind`` (the citizen withdrew that document)."""
        self._session.execute(
            delete(EvidenceRow)
            .where(EvidenceRow.application_id == application_id)
            .where(EvidenceRow.kind == EvidenceKind.DOCUMENT)
            .where(EvidenceRow.slot == kind)
        )

    def put_liveness(
        self, application_id: ApplicationId, liveness: LivenessEvidence, at: datetime
    ) -> None:
        """Keep the latest liveness check and its attestation."""
        document = {
            "challenge": list(liveness.challenge),
            "live": liveness.live,
            "checks": dict(liveness.checks),
            "reasons": list(liveness.reasons),
            "attested_by": _optional_str(liveness.attested_by),
            "attested_at": _optional_str(liveness.attested_at),
        }
        self._put(application_id, EvidenceKind.LIVENESS, _NO_SLOT, document, at)

    def put_consent(
        self, application_id: ApplicationId, consent: ConsentRecord, at: datetime
    ) -> None:
        """Keep the citizen's confirmation (a new confirmation replaces the earlier one)."""
        document = {
            "text_version_sha256": consent.text_version_sha256,
            "confirmed_at": consent.confirmed_at.isoformat(),
            "officer_id": str(consent.officer_id),
        }
        self._put(application_id, EvidenceKind.CONSENT, _NO_SLOT, document, at)

    def put_timing(
        self, application_id: ApplicationId, stage: str, ms: float, at: datetime
    ) -> None:
        """Add ``ms`` of machine time to ``stage`` (a retried stage accumulates)."""
        timings = dict(self.get(application_id).timings_ms)
        timings[stage] = timings.get(stage, 0.0) + ms
        self._put(application_id, EvidenceKind.TIMINGS, _NO_SLOT, timings, at)

    def get(self, application_id: ApplicationId) -> Evidence:
        """All the evidence kept for the application."""
        query = select(EvidenceRow).where(EvidenceRow.application_id == application_id)
        rows = list(self._session.scalars(query))
        if not rows:
            return Evidence()
        data_key = self._data_key(application_id)
        parts: dict[EvidenceKind, Any] = {}
        documents: dict[str, DocumentEvidence] = {}
        for row in rows:
            document = json.loads(crypto.unseal(data_key, row.payload, _ad(row.id)))
            if row.kind is EvidenceKind.DOCUMENT:
                documents[row.slot] = _document(document)
            else:
                parts[row.kind] = document
        return Evidence(
            chip=_maybe(_chip, parts.get(EvidenceKind.CHIP)),
            documents=documents,
            liveness=_maybe(_liveness, parts.get(EvidenceKind.LIVENESS)),
            consent=_maybe(_consent, parts.get(EvidenceKind.CONSENT)),
            timings_ms=parts.get(EvidenceKind.TIMINGS, {}),
        )

    def _put(
        self,
        application_id: ApplicationId,
        kind: EvidenceKind,
        slot: str,
        document: Mapping[str, Any],
        at: datetime,
    ) -> None:
        data_key = self._data_key(application_id)
        row = self._session.scalars(
            select(EvidenceRow)
            .where(EvidenceRow.application_id == application_id)
            .where(EvidenceRow.kind == kind)
            .where(EvidenceRow.slot == slot)
        ).one_or_none()
        if row is None:
            row = EvidenceRow(id=uuid.uuid4(), application_id=application_id, kind=kind, slot=slot)
            self._session.add(row)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        row.recorded_at = at
        row.payload = crypto.seal(data_key, text.encode(), _ad(row.id))
        self._session.flush()


def _ad(row_id: uuid.UUID) -> bytes:
    return crypto.associated_data(_TABLE, "payload", row_id)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _bytes_map(values: Mapping[str, bytes]) -> dict[str, str]:
    return {name: _b64(value) for name, value in values.items()}


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _maybe(read: Callable[[dict[str, Any]], _T], document: dict[str, Any] | None) -> _T | None:
    return None if document is None else read(document)


def _check(document: dict[str, Any]) -> CheckRecord:
    return CheckRecord(document["verdict"], tuple(document["reasons"]))


def _chip(document: dict[str, Any]) -> ChipEvidence:
    return ChipEvidence(
        access=document["access"],
        files={name: _unb64(value) for name, value in document["files"].items()},
        passive_authentication=_check(document["passive_authentication"]),
        chip_authentication=_check(document["chip_authentication"]),
        active_authentication=_check(document["active_authentication"]),
        chip_verdict=_check(document["chip_verdict"]),
        transcripts={name: _unb64(value) for name, value in document["transcripts"].items()},
        warnings=tuple(document["warnings"]),
    )


def _document(document: dict[str, Any]) -> DocumentEvidence:
    back = document["back_image"]
    return DocumentEvidence(
        kind=document["kind"],
        image=_unb64(document["image"]),
        back_image=None if back is None else _unb64(back),
        qr_text=document["qr_text"],
        fields=document["fields"],
        mismatches=tuple(Mismatch(**mismatch) for mismatch in document["mismatches"]),
        quality=tuple(document["quality"]),
    )


def _liveness(document: dict[str, Any]) -> LivenessEvidence:
    by, at = document["attested_by"], document["attested_at"]
    return LivenessEvidence(
        challenge=tuple(document["challenge"]),
        live=document["live"],
        checks=document["checks"],
        reasons=tuple(document["reasons"]),
        attested_by=None if by is None else UserId(uuid.UUID(by)),
        attested_at=None if at is None else datetime.fromisoformat(at),
    )


def _consent(document: dict[str, Any]) -> ConsentRecord:
    return ConsentRecord(
        text_version_sha256=document["text_version_sha256"],
        confirmed_at=datetime.fromisoformat(document["confirmed_at"]),
        officer_id=UserId(uuid.UUID(document["officer_id"])),
    )
