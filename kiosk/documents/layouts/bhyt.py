"""The health-insurance card (BHYT) QR code: fields by position (facts/cccd.md 3.3 and 3.6).

``code|hex(name)|birth|sex|hex(address)|facility|valid from|valid to|...``: the name and address
are hex-encoded UTF-8, the birth date is ``dd/MM/yyyy`` or a year alone, sex is ``1`` (male) or
``2`` (female), the facility is printed ``PP - CCC`` (a 5-digit code). Fields 8 onwards have no
documented meaning; they are kept raw and never interpreted. The payload is hostile input, so
its size, field count, hex, UTF-8 and dates are all checked, and a failure names the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kiosk.domain.cccd import MAX_QR_FIELDS, MAX_QR_LENGTH
from kiosk.domain.citizen import Sex
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.text import normalise
from kiosk.domain.validators import BhytCode, ValidationFailed, make_date, parse_bhyt_code

MIN_FIELDS = 8
"""Fields 0 to 7 are the documented ones; one integration demands 10 (a single source), so
fewer than 8 is refused and 8 or 9 are read."""

_MAX_NAME = 100
_MAX_ADDRESS = 400
_DMY = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_YEAR = re.compile(r"[0-9]{4}")
_FACILITY = re.compile(r"([0-9]{2}) - ([0-9]{3})")
_SEX = {"1": Sex.MALE, "2": Sex.FEMALE}


@dataclass(frozen=True, slots=True)
class BhytQr:
    """The BHYT QR's fields.

    Attributes:
        date_of_birth: None when the card gives only the year (then compare ``birth_year``).
        facility_code: the registered primary-care facility, 5 digits (``PP - CCC`` joined).
        raw_fields: every field as read (name and address still hex), the rest kept unread.
    """

    code: BhytCode
    full_name: str
    birth_year: int
    date_of_birth: date | None
    sex: Sex
    address: str
    facility_code: str
    valid_from: date
    valid_to: date
    raw_fields: tuple[str, ...]


def parse_qr(text: str) -> BhytQr:
    """Read a BHYT QR text.

    Raises:
        DomainError: QR_INVALID, naming the field and the broken rule.
    """
    fields = _split(text)
    born_year, born = _birth(fields[2])
    valid_from = _dmy(fields[6], "valid_from")
    valid_to = _dmy(fields[7], "valid_to")
    if valid_to < valid_from:
        raise _invalid("valid_to", "before_valid_from")
    return BhytQr(
        code=_code(fields[0]),
        full_name=_hex_text(fields[1], "full_name", _MAX_NAME),
        birth_year=born_year,
        date_of_birth=born,
        sex=_sex(fields[3]),
        address=_hex_text(fields[4], "address", _MAX_ADDRESS),
        facility_code=_facility(fields[5]),
        valid_from=valid_from,
        valid_to=valid_to,
        raw_fields=fields,
    )


def _invalid(field: str, rule: str) -> DomainError:
    return DomainError(
        ErrorCode.QR_INVALID, f"bhyt.{field}: {rule}", field=f"bhyt.{field}", rule=rule
    )


def _split(text: str) -> tuple[str, ...]:
    if not text.strip() or len(text) > MAX_QR_LENGTH:
        raise _invalid("qr", "qr_length")
    fields = tuple(text.strip().split("|"))
    if not MIN_FIELDS <= len(fields) <= MAX_QR_FIELDS:
        raise _invalid("qr", "qr_field_count")
    if not all(field.isprintable() for field in fields):
        raise _invalid("qr", "qr_field_text")
    return fields


def _code(value: str) -> BhytCode:
    try:
        return parse_bhyt_code(value, "bhyt.code")
    except ValidationFailed as err:
        raise _invalid("code", err.rule) from err


def _hex_text(value: str, field: str, limit: int) -> str:
    """Hex of UTF-8 bytes to NFC text (at most ``limit`` characters, printable)."""
    if len(value) > 4 * 2 * limit:  # 4 UTF-8 bytes per character at most, 2 hex digits each
        raise _invalid(field, "too_long")
    try:
        text = bytes.fromhex(value).decode("utf-8")
    except ValueError as err:  # UnicodeDecodeError is a ValueError too
        raise _invalid(
            field, "bad_hex" if not isinstance(err, UnicodeDecodeError) else "bad_utf8"
        ) from err
    cleaned = normalise(text)
    if not cleaned or len(cleaned) > limit or not cleaned.isprintable():
        raise _invalid(field, "text_invalid")
    return cleaned


def _birth(value: str) -> tuple[int, date | None]:
    if _YEAR.fullmatch(value):
        year = int(value)
        if not 1900 <= year <= 2999:
            raise _invalid("date_of_birth", "date_invalid")
        return year, None
    born = _dmy(value, "date_of_birth")
    return born.year, born


def _dmy(value: str, field: str) -> date:
    match = _DMY.fullmatch(value)
    if match is None:
        raise _invalid(field, "date_format")
    day, month, year = (int(part) for part in match.groups())
    try:
        return make_date(year, month, day, field)
    except ValidationFailed as err:
        raise _invalid(field, err.rule) from err


def _sex(value: str) -> Sex:
    if value not in _SEX:
        raise _invalid("sex", "sex_value")
    return _SEX[value]


def _facility(value: str) -> str:
    match = _FACILITY.fullmatch(value.strip())
    if match is None:
        raise _invalid("facility", "facility_format")
    return match.group(1) + match.group(2)
