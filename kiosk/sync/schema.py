"""The sync packet: typed parts, CBOR encoding, and the validation both sides apply.

The wire contract is docs/sync-protocol.md ("The packet"); this module is its only
implementation, imported by the kiosk (which builds packets) and by the reference server
``central`` (which validates them). It is pure: the standard library and ``cbor2``, nothing else
of ``kiosk``, because the server may import only this module and ``kiosk.emrtd``.

Each schema version defines exactly its top-level keys (``PARTS``). The encoder writes every key
of the packet's version, ``null`` for an empty optional one; the decoder refuses a version it
does not know (``schema_version_unknown``), a top-level key the version does not define
(``schema_part_unknown``), and anything else out of shape (``schema_invalid``, naming the field).
A key whose value may be null may also be absent. Text is NFC: the encoder normalises it and the
decoder refuses text that is not. Dates are ISO 8601 strings, times carry their offset, and
images and chip files are raw bytes.

Hostile CBOR yields ``SchemaError`` and nothing else: tags are refused (shared references could
build a cycle), duplicate keys and indefinite lengths too, and sizes are capped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import types
import typing
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, TypeAlias, Union

import cbor2

CURRENT_VERSION: Final = 4
"""The version the kiosk builds."""

KNOWN_VERSIONS: Final = frozenset({1, 2, 3, 4})
"""Every version this module can encode and decode."""

MAX_PACKET_BYTES: Final = 32 * 1024 * 1024
"""A packet is about 300 KB; anything near this cap is an attack or a defect."""

MAX_TEXT: Final = 65_536
MAX_BYTES: Final = 16 * 1024 * 1024
MAX_ITEMS: Final = 256
MAX_DEPTH: Final = 16

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


def encode_packet(packet: Packet) -> bytes:
    """The packet's CBOR bytes: every key of its version, nothing else.

    Raises:
        SchemaError: the version is unknown, a part is set that the version does not define,
            or a value is out of shape (a naive time, a text too long, ...).
    """
    parts = _parts_of(packet.schema_version, KNOWN_VERSIONS)
    for name in PARTS[CURRENT_VERSION]:
        if name not in parts and getattr(packet, name) is not None:
            raise SchemaError(ValidationCode.SCHEMA_PART_UNKNOWN, name, "not in this version")
    body = {name: _encode(getattr(packet, name), _HINTS[Packet][name], name) for name in parts}
    data = cbor2.dumps(body)
    # What the server will check, checked here: a packet the kiosk stores is one it accepts.
    decode_packet(data)
    return data


def decode_packet(data: bytes, known_versions: Collection[int] = KNOWN_VERSIONS) -> Packet:
    """The packet in ``data``, validated against its version.

    Args:
        data: the CBOR payload.
        known_versions: the versions the caller accepts (a server that knows 1..N).

    Raises:
        SchemaError: the only error, whatever ``data`` holds.
    """
    if len(data) > MAX_PACKET_BYTES:
        raise SchemaError(ValidationCode.SCHEMA_INVALID, None, "packet too large")
    try:
        raw = cbor2.loads(
            data,
            semantic_decoders=_REFUSED_TAGS,
            tag_hook=_refuse_tag,
            max_depth=MAX_DEPTH,
            allow_indefinite=False,
            allow_duplicate_keys=False,
        )
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as err:
        raise SchemaError(ValidationCode.SCHEMA_INVALID, None, "not CBOR") from err
    if not isinstance(raw, dict):
        raise SchemaError(ValidationCode.SCHEMA_INVALID, None, "not a map")
    version = raw.get("schema_version")
    if type(version) is not int:
        raise SchemaError(ValidationCode.SCHEMA_INVALID, "schema_version", "not an integer")
    parts = _parts_of(version, known_versions)
    for key in raw:
        if key not in parts:
            raise SchemaError(ValidationCode.SCHEMA_PART_UNKNOWN, _safe(key), "not in this version")
    return typing.cast(Packet, _decode_fields(Packet, raw, "", only=parts))


def _parts_of(version: int, known_versions: Collection[int]) -> tuple[str, ...]:
    if version not in known_versions or version not in PARTS:
        raise SchemaError(ValidationCode.SCHEMA_VERSION_UNKNOWN, "schema_version", "unknown")
    return PARTS[version]


def _refuse(_decoder: object, _immutable: bool) -> object:
    raise ValueError("CBOR tags are not part of the packet")


def _refuse_tag(_tag: object, _immutable: bool) -> object:
    raise ValueError("CBOR tags are not part of the packet")


_REFUSED_TAGS: Final = {
    tag: _refuse
    for tag in (0, 1, 2, 3, 4, 5, 24, 25, 28, 29, 30, 35, 36, 37, 256, 258, 260, 261, 1004, 55799)
}
"""Every tag cbor2 decodes by itself: none belongs in a packet, and 28/29 can build cycles."""


def _safe(key: object) -> str:
    """A key for an error text: short, and only when it is text (it came from the wire)."""
    return key[:64] if isinstance(key, str) else "<non-text key>"


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


_DATACLASSES: Final = (
    Citizen,
    Contact,
    ChipFiles,
    Check,
    ActiveAuthenticationEvidence,
    ChipAuthenticationEvidence,
    ChipEvidence,
    Chip,
    Consent,
    Override,
    Approval,
    AuditHead,
    Face,
    Liveness,
    Document,
    Packet,
)
_HINTS: Final[Mapping[type, dict[str, Any]]] = {cls: _hints(cls) for cls in _DATACLASSES}


def _wire_key(item: dataclasses.Field[Any]) -> str:
    return typing.cast(str, item.metadata.get("key", item.name))


def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


# --- encoding ---------------------------------------------------------------------------------


def _encode(value: object, hint: Any, path: str) -> object:
    """The CBOR-ready form of ``value`` (``hint`` is its annotated type)."""
    if value is None:
        if not _is_optional(hint):
            raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "missing")
        return None
    hint = _without_none(hint)
    if dataclasses.is_dataclass(hint):
        return _encode_dataclass(value, path)
    if typing.get_origin(hint) is tuple:
        items = typing.cast(tuple[object, ...], value)
        return [
            _encode(item, typing.get_args(hint)[0], f"{path}[{i}]") for i, item in enumerate(items)
        ]
    if typing.get_origin(hint) is Mapping:
        entries = typing.cast(Mapping[str, Scalar], value)
        return {
            unicodedata.normalize("NFC", k): _encode_scalar(v, f"{path}.{k}")
            for k, v in entries.items()
        }
    if hint is dt.datetime:
        moment = typing.cast(dt.datetime, value)
        if moment.tzinfo is None:
            raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "time without offset")
        return moment.isoformat()
    if hint is dt.date:
        return typing.cast(dt.date, value).isoformat()
    if hint is str:
        return unicodedata.normalize("NFC", typing.cast(str, value))
    return value


def _encode_dataclass(value: object, path: str) -> dict[str, object]:
    cls = type(value)
    hints = _HINTS[cls]
    out: dict[str, object] = {}
    for item in dataclasses.fields(typing.cast(Any, value)):
        key = _wire_key(item)
        encoded = _encode(getattr(value, item.name), hints[item.name], _path(path, key))
        choices = item.metadata.get("choices")
        if choices is not None and encoded not in choices:
            raise SchemaError(
                ValidationCode.SCHEMA_INVALID, _path(path, key), "not an allowed value"
            )
        out[key] = encoded
    return out


def _encode_scalar(value: Scalar, path: str) -> Scalar:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if value is None or isinstance(value, bool | int | float):
        return value
    raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not a scalar")


# --- decoding ---------------------------------------------------------------------------------


def _decode_fields(
    cls: type, raw: object, path: str, only: tuple[str, ...] | None = None
) -> object:
    """Build ``cls`` from the map ``raw``, refusing missing, extra and ill-typed keys."""
    if not isinstance(raw, dict):
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path or None, "not a map")
    hints = _HINTS[cls]
    items = [f for f in dataclasses.fields(cls) if only is None or f.name in only]
    known = {_wire_key(f) for f in items}
    extra = [k for k in raw if k not in known]
    if extra:
        raise SchemaError(
            ValidationCode.SCHEMA_INVALID, _path(path, _safe(extra[0])), "unexpected key"
        )
    values: dict[str, object] = {}
    for item in items:
        key = _wire_key(item)
        where = _path(path, key)
        value = _decode(raw.get(key), hints[item.name], where, present=key in raw)
        choices = item.metadata.get("choices")
        if choices is not None and value not in choices:
            raise SchemaError(ValidationCode.SCHEMA_INVALID, where, "not an allowed value")
        values[item.name] = value
    return cls(**values)


def _decode(raw: object, hint: Any, path: str, *, present: bool = True) -> object:
    """The typed value of ``raw`` for a field annotated ``hint``."""
    if raw is None:
        if _is_optional(hint):
            return None
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "missing" if not present else "null")
    hint = _without_none(hint)
    if dataclasses.is_dataclass(hint):
        return _decode_fields(typing.cast(type, hint), raw, path)
    if typing.get_origin(hint) is tuple:
        return _decode_list(raw, typing.get_args(hint)[0], path)
    if typing.get_origin(hint) is Mapping:
        return _decode_scalar_map(raw, path)
    return _decode_leaf(raw, hint, path)


def _decode_list(raw: object, item_hint: Any, path: str) -> tuple[object, ...]:
    if not isinstance(raw, list):
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not a list")
    if len(raw) > MAX_ITEMS:
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "too many items")
    return tuple(_decode(item, item_hint, f"{path}[{i}]") for i, item in enumerate(raw))


def _decode_scalar_map(raw: object, path: str) -> Mapping[str, Scalar]:
    if not isinstance(raw, dict):
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not a map")
    if len(raw) > MAX_ITEMS:
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "too many items")
    out: dict[str, Scalar] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "non-text key")
        where = f"{path}.{_safe(key)}"
        _check_text(key, where)
        if isinstance(value, str):
            _check_text(value, where)
        elif isinstance(value, float) and not math.isfinite(value):
            raise SchemaError(ValidationCode.SCHEMA_INVALID, where, "not a finite number")
        elif value is not None and not isinstance(value, bool | int | float):
            raise SchemaError(ValidationCode.SCHEMA_INVALID, where, "not a scalar")
        out[key] = value
    return out


def _decode_leaf(raw: object, hint: Any, path: str) -> object:
    if hint is bool:
        if isinstance(raw, bool):
            return raw
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not a boolean")
    if hint is int:
        if type(raw) is int and -(2**63) <= raw < 2**63:
            return raw
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not an integer")
    if hint is float:
        if type(raw) in (int, float) and math.isfinite(typing.cast(float, raw)):
            return float(typing.cast(float, raw))
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not a finite number")
    if hint is bytes:
        if isinstance(raw, bytes) and len(raw) <= MAX_BYTES:
            return raw
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not bytes")
    if not isinstance(raw, str):
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not text")
    _check_text(raw, path)
    if hint is str:
        return raw
    return _decode_time(raw, hint, path)


def _decode_time(raw: str, hint: Any, path: str) -> object:
    try:
        if hint is dt.date:
            return dt.date.fromisoformat(raw)
        moment = dt.datetime.fromisoformat(raw)
    except ValueError as err:
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "not an ISO 8601 value") from err
    if moment.tzinfo is None:
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "time without offset")
    return moment


def _check_text(text: str, path: str) -> None:
    if len(text) > MAX_TEXT:
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "text too long")
    if not unicodedata.is_normalized("NFC", text):
        raise SchemaError(ValidationCode.SCHEMA_INVALID, path, "text not NFC")


def _is_optional(hint: Any) -> bool:
    return _is_union(hint) and type(None) in typing.get_args(hint)


def _without_none(hint: Any) -> Any:
    if not _is_union(hint):
        return hint
    return next(arg for arg in typing.get_args(hint) if arg is not type(None))


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (Union, types.UnionType)
