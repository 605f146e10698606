"""The sync packet's CBOR codec and the validation both sides apply.

The parts are the dataclasses of ``kiosk.sync.schema``; this module is the only code that turns
them into CBOR (``encode_packet``, in the kiosk) and back (``decode_packet``, in the kiosk's
self-check and the reference server ``central``). It is pure: the standard library, ``cbor2``
and ``kiosk.sync.schema``, nothing else of ``kiosk``, because the server may import of ``kiosk``
only these two modules and ``kiosk.emrtd``.

The encoder writes every key of the packet's version, ``null`` for an empty optional one; the
decoder refuses a version it does not know (``schema_version_unknown``), a top-level key the
version does not define (``schema_part_unknown``), and anything else out of shape
(``schema_invalid``, naming the field). A key whose value may be null may also be absent. Text
is NFC: the encoder normalises it and the decoder refuses text that is not. Dates are ISO 8601
strings, times carry their offset, and images and chip files are raw bytes.

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
from typing import Any, Final, Union

import cbor2

from kiosk.sync.schema import (
    CURRENT_VERSION,
    KNOWN_VERSIONS,
    PARTS,
    ActiveAuthenticationEvidence,
    Approval,
    AuditHead,
    Check,
    Chip,
    ChipAuthenticationEvidence,
    ChipEvidence,
    ChipFiles,
    Citizen,
    Consent,
    Contact,
    Document,
    Face,
    Liveness,
    Override,
    Packet,
    Scalar,
    SchemaError,
    ValidationCode,
)

MAX_PACKET_BYTES: Final = 32 * 1024 * 1024
"""A packet is about 300 KB; anything near this cap is an attack or a defect."""

MAX_TEXT: Final = 65_536
MAX_BYTES: Final = 16 * 1024 * 1024
MAX_ITEMS: Final = 256
MAX_DEPTH: Final = 16


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
