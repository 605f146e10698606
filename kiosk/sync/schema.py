"""The sync packet's typed parts: its dataclasses, its versions and the keys each defines.

The wire contract is docs/sync-protocol.md ("The packet"). This module says what a packet holds:
one frozen dataclass per part, ``Packet`` at the top, the versions (``KNOWN_VERSIONS``,
``CURRENT_VERSION``), the top-level keys each version defines exactly (``PARTS``), the texts a
field may hold (its ``choices`` metadata) and the CBOR key where it is not the Python name (its
``key`` metadata). ``kiosk.sync.codec`` turns these parts into CBOR and back and applies the
validation; ``ValidationCode`` and ``SchemaError`` live here because both sides name them, the
kiosk when a packet cannot be built and the server when it refuses one.

The kiosk (which builds packets) and the reference server ``central`` (which validates them)
both import it. It is pure, the standard library only, because the server may import of
``kiosk`` only this module, ``kiosk.sync.codec`` and ``kiosk.emrtd``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, TypeAlias

CURRENT_VERSION: Final = 4
"""The version the kiosk builds."""

KNOWN_VERSIONS: Final = frozenset({1, 2, 3, 4})
"""Every version ``kiosk.sync.codec`` can encode and decode."""

Scalar: TypeAlias = str | int | float | bool | None
"""A value of the free-form maps (liveness checks, document fields)."""

VERDICTS: Final = ("valid", "invalid", "unverified", "not_supported", "not_performed")
CHIP_VERDICTS: Final = ("genuine", "not_genuine", "unverifiable")
SEXES: Final = ("M", "F")
DOCUMENT_KINDS: Final = ("gplx", "bhyt")


class ValidationCode(StrEnum):
    """The protocol's validation codes for a packet that does not fit its schema."""

    SCHEMA_VERSION_UNKNOWN = "schema_version_unknown"
    SCHEMA_PART_UNKNOWN = "schema_part_unknown"
    SCHEMA_INVALID = "schema_invalid"


class SchemaError(Exception):
    """A packet that does not fit the schema.

    ``str()`` names the code, the field path and what is wrong, never a value: a packet holds
    personal data and this text goes to logs and to the server's error reply.

    Attributes:
        code: the validation code the server answers with.
        field: the dotted path of the offending field (``chip.files.DG1``), or None for the
            packet as a whole.
    """

    def __init__(self, code: ValidationCode, field: str | None, problem: str) -> None:
        self.code = code
        self.field = field
        self.problem = problem
        where = f" {field}" if field else ""
        super().__init__(f"{code.value}:{where} {problem}")


def _key(name: str) -> dict[str, str]:
    """Field metadata: the CBOR key when it is not the Python name."""
    return {"key": name}


def _choices(*values: str) -> dict[str, tuple[str, ...]]:
    """Field metadata: the only texts the field may hold."""
    return {"choices": values}


@dataclass(frozen=True, slots=True)
class Citizen:
    """The person fields of ``kiosk card read --json`` (from DG13, DG1 where DG13 is silent)."""

    id_number: str
    full_name: str
    date_of_birth: dt.date
    sex: str = field(metadata=_choices(*SEXES))
    nationality: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    place_of_origin: str | None = None
    place_of_residence: str | None = None
    identifying_features: str | None = None
    date_of_issue: dt.date | None = None
    date_of_expiry: dt.date | None = None
    lifetime: bool = False
    father_name: str | None = None
    mother_name: str | None = None
    spouse_name: str | None = None
    old_id_number: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """How the citizen is reached for the activation (phone required)."""

    phone: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class ChipFiles:
    """The chip's files exactly as read: the server hashes them against EF.SOD again."""

    com: bytes = field(metadata=_key("COM"))
    dg1: bytes = field(metadata=_key("DG1"))
    dg2: bytes = field(metadata=_key("DG2"))
    dg13: bytes = field(metadata=_key("DG13"))
    sod: bytes = field(metadata=_key("SOD"))
    dg14: bytes | None = field(default=None, metadata=_key("DG14"))
    dg15: bytes | None = field(default=None, metadata=_key("DG15"))


@dataclass(frozen=True, slots=True)
class Check:
    """One check's verdict and reason codes, as the kiosk judged it."""

    verdict: str = field(metadata=_choices(*VERDICTS))
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActiveAuthenticationEvidence:
    """The kiosk's Active Authentication challenge and the chip's signature over it."""

    challenge: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class ChipAuthenticationEvidence:
    """The Chip Authentication transcript: protocol OID, key id and both public keys."""

    protocol: str
    terminal_public_key: bytes
    chip_public_key: bytes
    key_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChipEvidence:
    """What Chip and Active Authentication exchanged, so the server can judge them again."""

    active_authentication: ActiveAuthenticationEvidence | None = None
    chip_authentication: ChipAuthenticationEvidence | None = None


@dataclass(frozen=True, slots=True)
class Chip:
    """The chip read: access protocol, raw files, the kiosk's verdicts and the evidence."""

    access: str
    files: ChipFiles
    chip_verdict: str = field(metadata=_choices(*CHIP_VERDICTS))
    passive_authentication: Check
    chip_authentication: Check
    active_authentication: Check
    evidence: ChipEvidence | None = None


@dataclass(frozen=True, slots=True)
class Consent:
    """The consent text the citizen confirmed (by its hash), when, and before which officer."""

    text_version_sha256: str
    confirmed_at: dt.datetime
    officer_id: str


@dataclass(frozen=True, slots=True)
class Override:
    """A supervisor override (a failed face match let through, ...), with its reason."""

    kind: str
    reason_code: str
    by: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Approval:
    """Who submitted and approved, when, and every override on the way."""

    officer_id: str
    supervisor_id: str
    submitted_at: dt.datetime
    approved_at: dt.datetime
    four_eyes_relaxed: bool
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The kiosk's audit chain head when the packet was built (the server flags a rollback)."""

    sequence: int
    hash: str


@dataclass(frozen=True, slots=True)
class Face:
    """The live portrait and the 1:1 match against the chip portrait (schema version 2)."""

    portrait: bytes
    distance: float
    threshold: float
    decision: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Liveness:
    """The liveness challenge and its outcome (schema version 3)."""

    challenge: tuple[str, ...]
    live: bool
    checks: Mapping[str, Scalar]
    attested_by: str | None = None
    attested_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One scanned card (driving licence or health insurance) and its QR (schema version 4)."""

    kind: str = field(metadata=_choices(*DOCUMENT_KINDS))
    image: bytes
    qr_text: str | None
    fields: Mapping[str, Scalar]
    mismatches: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Packet:
    """One approved application, as the kiosk sends it and the server receives it.

    ``face``, ``liveness`` and ``documents`` exist from versions 2, 3 and 4; they stay None in
    a packet of an earlier version, and may be None (sent as null) in a later one.
    """

    schema_version: int
    packet_id: str
    application_id: str
    kiosk_id: str
    created_at: dt.datetime
    demo: bool
    citizen: Citizen
    contact: Contact
    chip: Chip
    consent: Consent
    approval: Approval
    audit_head: AuditHead
    face: Face | None = None
    liveness: Liveness | None = None
    documents: tuple[Document, ...] | None = None


_BASE_PARTS = (
    "schema_version",
    "packet_id",
    "application_id",
    "kiosk_id",
    "created_at",
    "demo",
    "citizen",
    "contact",
    "chip",
    "consent",
    "approval",
    "audit_head",
)
PARTS: Final[Mapping[int, tuple[str, ...]]] = {
    1: _BASE_PARTS,
    2: (*_BASE_PARTS, "face"),
    3: (*_BASE_PARTS, "face", "liveness"),
    4: (*_BASE_PARTS, "face", "liveness", "documents"),
}
"""The top-level keys each version defines, exactly."""
