"""What an application keeps as proof of each step: the chip read, scans, liveness, consent.

The application itself holds the decisions (the chip verdict, face outcomes, state); evidence
holds what those decisions were made on, so that a supervisor can review it, a restarted kiosk
can resume a draft with nothing missing, and the packet can carry it to the central server,
which judges the chip again. Evidence is personal data: the store seals it under the
application's data key and a purge shreds it with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kiosk.domain.ids import UserId


class EvidenceKind(StrEnum):
    """The kinds of evidence; a document's kind is its slot (one GPLX, one BHYT)."""

    CHIP = "chip"
    DOCUMENT = "document"
    LIVENESS = "liveness"
    CONSENT = "consent"
    TIMINGS = "timings"


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One chip check as it was judged: ``valid``, ``invalid``, ``not_run``..., and why."""

    verdict: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChipEvidence:
    """The raw read of the chip, for review and for the server to run Passive Authentication again.

    Attributes:
        access: the protocol that opened the chip ("PACE-CAN", "PACE-MRZ" or "BAC").
        files: the raw files by name ("EF.COM", "EF.SOD", "DG1", "DG2", "DG13", ...).
        passive_authentication, chip_authentication, active_authentication: each check.
        chip_verdict: the combined verdict and its reasons.
        transcripts: the Active Authentication challenge and signature and the Chip
            Authentication transcript, by name, so the server can check them again.
        warnings: disagreements between DG1 and DG13 and other findings that did not stop it.
    """

    access: str
    files: Mapping[str, bytes]
    passive_authentication: CheckRecord
    chip_authentication: CheckRecord
    active_authentication: CheckRecord
    chip_verdict: CheckRecord
    transcripts: Mapping[str, bytes] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A field that differs between a scanned card and the chip; both values are kept."""

    field: str
    on_card: str
    on_chip: str


@dataclass(frozen=True, slots=True)
class DocumentEvidence:
    """One scanned original (GPLX or BHYT) as the officer accepted it.

    Attributes:
        kind: ``gplx`` or ``bhyt`` (also the evidence slot: a rescan replaces the earlier one).
        image: the flat, upright card as JPEG.
        back_image: the back side, when the card has data on both.
        qr_text: the QR code's text as decoded, or None.
        fields: the decoded and validated fields by name.
        mismatches: each disagreement with the chip read.
        quality: the quality reasons the officer accepted the scan with (empty when clean).
    """

    kind: str
    image: bytes
    qr_text: str | None
    fields: Mapping[str, str]
    mismatches: tuple[Mismatch, ...] = ()
    back_image: bytes | None = None
    quality: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LivenessEvidence:
    """The liveness check of one face attempt and the officer's attestation.

    Attributes:
        challenge: the challenges asked, in order (``blink``, ``left``, ``right``).
        live: the measured result.
        checks: each check by name (the challenge steps and the passive checks) and its result.
        reasons: why it failed (stable codes), empty when live.
        attested_by, attested_at: the officer who confirmed seeing the citizen do it.
    """

    challenge: tuple[str, ...]
    live: bool
    checks: Mapping[str, bool]
    reasons: tuple[str, ...]
    attested_by: UserId | None
    attested_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """The citizen's confirmation of their data and of the consent text in force.

    Attributes:
        text_version_sha256: the SHA-256 (hex) of the consent text shown, naming its version.
        confirmed_at: when the citizen confirmed on the citizen window.
        officer_id: the officer present.
    """

    text_version_sha256: str
    confirmed_at: datetime
    officer_id: UserId


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything kept for one application (each part None or empty until its step is done)."""

    chip: ChipEvidence | None = None
    documents: Mapping[str, DocumentEvidence] = field(default_factory=dict)
    liveness: LivenessEvidence | None = None
    consent: ConsentRecord | None = None
    timings_ms: Mapping[str, float] = field(default_factory=dict)
