"""A scan result as plain JSON values, the shape ``kiosk doc scan --json`` prints.

Dates are ISO 8601, enumerations their stable values, corners pairs of floats; the flat image is
not included (``--out`` writes it as PNG). The object holds personal data (the QR's fields and
the cross-check's values) for the officer's screen and the command's output, never for a log.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum

from kiosk.documents.scan import ScanResult


def scan_report(result: ScanResult) -> dict[str, object]:
    """``result`` as a JSON-ready dict: found, corners, quality, QR text and fields, checks."""
    quality = result.quality
    check = result.cross_check
    return {
        "kind": result.kind.value,
        "found": result.found,
        "corners": [list(point) for point in result.corners] if result.corners else None,
        "upright": result.upright,
        "quality": _plain(quality) if quality else None,
        "passed": quality.passed if quality else False,
        "qr_text": result.qr_text,
        "fields": _plain(result.fields) if result.fields else None,
        "qr_problem": _plain(result.qr_problem) if result.qr_problem else None,
        "access": _plain(result.access) if result.access else None,
        "cross_check": [_plain(item) for item in check.checks] if check else None,
        "mismatches": len(check.mismatches) if check else None,
    }


def _plain(value: object) -> object:
    """Dataclasses, enums, dates and tuples made JSON values, recursively."""
    if is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value
