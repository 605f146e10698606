"""The packet of one approved application, from the application and its evidence (pure).

Everything the central server needs to judge the application again comes from what the kiosk
stored at each step: the citizen and contact (the application), the raw chip read and each
check's verdict, the scans, the liveness and the consent (the evidence), the live portrait and
the match figures (the face step), who submitted and approved it and every override, and the
audit chain's head. No I/O here: ``kiosk.sync.outbox`` gathers the inputs inside the approval's
unit of work and calls ``build_packet``; the result is encoded once by ``kiosk.sync.codec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.application import Application
from kiosk.domain.biometrics import FaceMatch
from kiosk.domain.citizen import Citizen
from kiosk.domain.errors import ErrorCode
from kiosk.domain.evidence import CheckRecord, ChipEvidence, DocumentEvidence, Evidence
from kiosk.domain.ids import PacketId
from kiosk.sync import schema
from kiosk.sync.errors import SyncError

# The chip's file names as ``kiosk.emrtd`` keeps them → the packet's keys.
_FILES = {
    "com": "EF.COM",
    "sod": "EF.SOD",
    "dg1": "DG1",
    "dg2": "DG2",
    "dg13": "DG13",
    "dg14": "DG14",
    "dg15": "DG15",
}
_REQUIRED_FILES = ("com", "sod", "dg1", "dg2", "dg13")


class PacketIncomplete(SyncError):
    """The application lacks something the packet must carry (``part`` names it)."""

    def __init__(self, part: str) -> None:
        super().__init__(ErrorCode.VALIDATION_FAILED, f"packet needs {part}", field=part)
        self.part = part


@dataclass(frozen=True, slots=True)
class PacketSource:
    """What one packet is built from, gathered in the approval's unit of work.

    Attributes:
        live_portrait: the JPEG live crop of the accepted face attempt, if one was kept.
        face_match: that attempt's figures.
        submitted_at: when the officer submitted it (from the audit log).
        approved_at: the approval being stored.
        audit_sequence, audit_hash: the audit chain's head after the approval's entry.
    """

    application: Application
    evidence: Evidence
    live_portrait: bytes | None
    face_match: FaceMatch | None
    submitted_at: datetime
    approved_at: datetime
    audit_sequence: int
    audit_hash: bytes


def build_packet(
    source: PacketSource, packet_id: PacketId, kiosk_id: str, created_at: datetime
) -> schema.Packet:
    """The packet of ``source`` in the current schema version.

    Raises:
        PacketIncomplete: the citizen, contact, chip read or consent is missing.
    """
    app = source.application
    return schema.Packet(
        schema_version=schema.CURRENT_VERSION,
        packet_id=str(packet_id),
        application_id=str(app.id),
        kiosk_id=kiosk_id,
        created_at=created_at,
        demo=app.demo,
        citizen=_citizen(app.citizen),
        contact=_contact(app),
        chip=_chip(source.evidence.chip),
        consent=_consent(source.evidence),
        approval=_approval(source),
        audit_head=schema.AuditHead(source.audit_sequence, source.audit_hash.hex()),
        face=_face(source),
        liveness=_liveness(source.evidence),
        documents=tuple(_document(doc) for doc in source.evidence.documents.values()),
    )


def _citizen(citizen: Citizen | None) -> schema.Citizen:
    if citizen is None:
        raise PacketIncomplete("citizen")
    return schema.Citizen(
        id_number=citizen.id_number,
        full_name=citizen.full_name,
        date_of_birth=citizen.date_of_birth,
        sex=citizen.sex.value,
        nationality=citizen.nationality,
        ethnicity=citizen.ethnicity,
        religion=citizen.religion,
        place_of_origin=citizen.place_of_origin,
        place_of_residence=citizen.place_of_residence,
        identifying_features=citizen.identifying_features,
        date_of_issue=citizen.date_of_issue,
        date_of_expiry=citizen.date_of_expiry,
        lifetime=citizen.lifetime,
        father_name=citizen.father_name,
        mother_name=citizen.mother_name,
        spouse_name=citizen.spouse_name,
        old_id_number=citizen.old_id_number,
    )


def _contact(app: Application) -> schema.Contact:
    if app.phone is None:
        raise PacketIncomplete("contact")
    return schema.Contact(app.phone, app.email)


def _chip(chip: ChipEvidence | None) -> schema.Chip:
    if chip is None:
        raise PacketIncomplete("chip")
    missing = [name for name in _REQUIRED_FILES if _FILES[name] not in chip.files]
    if missing:
        raise PacketIncomplete(f"chip.files.{missing[0]}")
    got = chip.files
    files = schema.ChipFiles(
        com=got["EF.COM"],
        dg1=got["DG1"],
        dg2=got["DG2"],
        dg13=got["DG13"],
        sod=got["EF.SOD"],
        dg14=got.get("DG14"),
        dg15=got.get("DG15"),
    )
    return schema.Chip(
        access=chip.access,
        files=files,
        chip_verdict=chip.chip_verdict.verdict,
        passive_authentication=_check(chip.passive_authentication),
        chip_authentication=_check(chip.chip_authentication),
        active_authentication=_check(chip.active_authentication),
        evidence=_transcripts(chip.transcripts),
    )


def _check(record: CheckRecord) -> schema.Check:
    return schema.Check(record.verdict, tuple(record.reasons))


def _transcripts(transcripts: Mapping[str, bytes]) -> schema.ChipEvidence | None:
    active = None
    if "aa_challenge" in transcripts and "aa_signature" in transcripts:
        active = schema.ActiveAuthenticationEvidence(
            transcripts["aa_challenge"], transcripts["aa_signature"]
        )
    chip = None
    if "ca_protocol" in transcripts:
        key_id = transcripts.get("ca_key_id")
        chip = schema.ChipAuthenticationEvidence(
            protocol=transcripts["ca_protocol"].decode("ascii"),
            terminal_public_key=transcripts.get("ca_terminal_public_key", b""),
            chip_public_key=transcripts.get("ca_chip_public_key", b""),
            key_id=None if key_id is None else int(key_id.decode("ascii")),
        )
    if active is None and chip is None:
        return None
    return schema.ChipEvidence(active, chip)


def _consent(evidence: Evidence) -> schema.Consent:
    consent = evidence.consent
    if consent is None:
        raise PacketIncomplete("consent")
    return schema.Consent(
        consent.text_version_sha256, consent.confirmed_at, str(consent.officer_id)
    )


def _approval(source: PacketSource) -> schema.Approval:
    app = source.application
    overrides: tuple[schema.Override, ...] = ()
    override = app.face.override
    if override is not None:
        overrides = (
            schema.Override("face", override.reason, str(override.supervisor), override.at),
        )
    return schema.Approval(
        officer_id=str(app.submitted_by),
        supervisor_id=str(app.reviewed_by),
        submitted_at=source.submitted_at,
        approved_at=source.approved_at,
        four_eyes_relaxed=app.four_eyes_relaxed,
        overrides=overrides,
    )


def _face(source: PacketSource) -> schema.Face | None:
    match = source.face_match
    if source.live_portrait is None or match is None:
        return None
    return schema.Face(
        portrait=source.live_portrait,
        distance=match.distance,
        threshold=match.threshold,
        decision=match.decision.value,
        attempts=len(source.application.face.outcomes),
    )


def _liveness(evidence: Evidence) -> schema.Liveness | None:
    liveness = evidence.liveness
    if liveness is None:
        return None
    return schema.Liveness(
        challenge=tuple(liveness.challenge),
        live=liveness.live,
        checks=dict(liveness.checks),
        attested_by=None if liveness.attested_by is None else str(liveness.attested_by),
        attested_at=liveness.attested_at,
    )


def _document(document: DocumentEvidence) -> schema.Document:
    return schema.Document(
        kind=document.kind,
        image=document.image,
        qr_text=document.qr_text,
        fields=dict(document.fields),
        mismatches=tuple(mismatch.field for mismatch in document.mismatches),
    )
