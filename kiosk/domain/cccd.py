"""The CCCD card's QR code and its renewal rules (facts/cccd.md sections 3.1, 3.2 and 4).

The QR text is hostile input: anyone can print a QR code. ``parse_qr`` bounds its size, checks
every field of the layout it recognises, and for a layout it does not know keeps the fields raw
and reads only what is unambiguous, never guessing a field's meaning. The expiry rules give the
dates a BAC key needs when only the birth (and maybe issue) date is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.domain.citizen import Sex
from kiosk.domain.text import normalise
from kiosk.domain.validators import ValidationFailed, parse_ddmmyyyy

# A QR code holds at most 2953 bytes (version 40, binary, level L), so longer text is not a QR
# payload; the field caps stop absurd values before they reach a screen or the database.
MAX_QR_LENGTH = 3000
MAX_QR_FIELDS = 32
_MAX_NAME = 100
_MAX_FIELD = 400

_ID12 = re.compile(r"[0-9]{12}")
_OLD_ID = re.compile(r"([0-9]{9})?")
_SEX = {"Nam": Sex.MALE, "Nữ": Sex.FEMALE}


class QrLayout(StrEnum):
    """Which layout a QR text was read with."""

    CCCD_2021 = "cccd_2021"
    UNRECOGNISED = "unrecognised"


@dataclass(frozen=True, slots=True)
class CccdQr:
    """What the QR code says; a field is None when absent or not recognisable with certainty.

    Attributes:
        raw_fields: every ``|``-separated field, NFC, so nothing the code holds is lost (the
            2024 card's back QR has more fields, in a layout nobody has documented).
    """

    layout: QrLayout
    raw_fields: tuple[str, ...]
    id_number: str | None = None
    old_id_number: str | None = None
    full_name: str | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    address: str | None = None
    date_of_issue: date | None = None


def parse_qr(text: str) -> CccdQr:
    """Read a CCCD QR text: the 2021 front layout, or what is certain in any other.

    The 2021 layout is ``ID12|oldID9|name|ddMMyyyy|Nam/Nữ|address|ddMMyyyy``; 6 fields
    (without the old ID) are accepted too, since one source shows that form. Any other field
    count is ``UNRECOGNISED``: only a 12-digit first field (the ID number, first in every known
    layout and in the legal list) and a single ``Nam``/``Nữ`` field are read. That ID is enough
    for PACE-CAN, the first access method.

    Raises:
        ValidationFailed: empty, too long, control characters, too many fields, or a field of
            the 2021 layout that breaks its rule.
    """
    fields = _split(text)
    if len(fields) in (6, 7):
        return _parse_2021(fields)
    sexes = [_SEX[value] for value in fields if value in _SEX]
    return CccdQr(
        QrLayout.UNRECOGNISED,
        fields,
        id_number=fields[0] if _ID12.fullmatch(fields[0]) else None,
        sex=sexes[0] if len(sexes) == 1 else None,
    )


def _split(text: str) -> tuple[str, ...]:
    if not text.strip() or len(text) > MAX_QR_LENGTH:
        raise ValidationFailed("qr", "qr_length")
    raw = text.strip().split("|")
    if len(raw) > MAX_QR_FIELDS:
        raise ValidationFailed("qr", "qr_field_count")
    fields = tuple(normalise(value) for value in raw)
    if not all(value.isprintable() and len(value) <= _MAX_FIELD for value in fields):
        raise ValidationFailed("qr", "qr_field_text")
    return fields


def _parse_2021(fields: tuple[str, ...]) -> CccdQr:
    id_number, old_id, name, born, sex, address, issued = (
        fields if len(fields) == 7 else (fields[0], "", *fields[1:])
    )
    if not _ID12.fullmatch(id_number):
        raise ValidationFailed("qr.id_number", "id_number_format")
    if not _OLD_ID.fullmatch(old_id):
        raise ValidationFailed("qr.old_id_number", "old_id_format")
    if not name or len(name) > _MAX_NAME:
        raise ValidationFailed("qr.full_name", "name_length")
    if sex not in _SEX:
        raise ValidationFailed("qr.sex", "sex_value")
    date_of_birth = parse_ddmmyyyy(born, "qr.date_of_birth")
    date_of_issue = parse_ddmmyyyy(issued, "qr.date_of_issue")
    if date_of_issue < date_of_birth:
        raise ValidationFailed("qr.date_of_issue", "before_birth")
    return CccdQr(
        QrLayout.CCCD_2021,
        fields,
        id_number,
        old_id or None,
        name,
        date_of_birth,
        _SEX[sex],
        address or None,
        date_of_issue,
    )


CAN_CUOC_START = date(2024, 7, 1)
"""Law 26/2023/QH15 applies to cards issued from this day: thresholds 14, 25, 40, 60."""
CCCD_AGES = (25, 40, 60)
CAN_CUOC_AGES = (14, 25, 40, 60)
_GRACE_YEARS = 2


@dataclass(frozen=True, slots=True)
class Expiry:
    """A card's expiry as the rules give it.

    Normally one date, or none with ``lifetime``. For a 29 February birthday the facts give no
    rule for the anniversary in a common year (facts section 7, item 10), so both readings (28
    February and 1 March) are kept; the caller tries both rather than risk the wrong one.

    Attributes:
        dates: the possible expiry dates, earliest first.
        lifetime: the card may be valid for life (no expiry, "Không thời hạn").
    """

    dates: tuple[date, ...]
    lifetime: bool


def thresholds_for(date_of_issue: date) -> tuple[int, ...]:
    """The renewal ages in force on ``date_of_issue``: the 2024 law added 14."""
    return CAN_CUOC_AGES if date_of_issue >= CAN_CUOC_START else CCCD_AGES


def card_expiry(date_of_birth: date, date_of_issue: date) -> Expiry:
    """The expiry of a card issued on ``date_of_issue`` to a holder born on ``date_of_birth``.

    The card runs to the first renewal birthday after the issue date, unless it was issued
    within two years before that birthday: then to the next one; past the last (60) it is valid
    for life (facts section 4).

    Raises:
        ValidationFailed: the issue date is before the birth date.
    """
    _check_birth(date_of_birth)
    if date_of_issue < date_of_birth:
        raise ValidationFailed("date_of_issue", "before_birth")
    readings = {_expiry(date_of_birth, date_of_issue, late) for late in (False, True)}
    dates = tuple(sorted(found for found in readings if found is not None))
    return Expiry(dates, None in readings)


def expiry_candidates(date_of_birth: date, date_of_issue: date | None = None) -> tuple[date, ...]:
    """Every expiry date the rules allow, to build BAC keys from the QR's dates.

    With the issue date this is ``card_expiry`` (empty for a lifetime card). With the birth date
    alone it is each renewal birthday (at 14 only if a card issued from 1 July 2024 before age
    12 is possible): at most four, and two readings of each for a 29 February birthday.
    """
    if date_of_issue is not None:
        return card_expiry(date_of_birth, date_of_issue).dates
    _check_birth(date_of_birth)
    ages = list(CCCD_AGES)
    if _anniversary(date_of_birth, 14 - _GRACE_YEARS, late=True) > CAN_CUOC_START:
        ages.insert(0, 14)
    found = {_anniversary(date_of_birth, age, late) for age in ages for late in (False, True)}
    return tuple(sorted(found))


def _check_birth(date_of_birth: date) -> None:
    # A hostile QR code can carry the year 9999; its 60th birthday is not a date Python has.
    if date_of_birth.year > date.max.year - CCCD_AGES[-1]:
        raise ValidationFailed("date_of_birth", "date_out_of_range")


def _expiry(date_of_birth: date, date_of_issue: date, late: bool) -> date | None:
    """The expiry under one reading of a 29 February birthday (``late``: 1 March)."""
    for age in thresholds_for(date_of_issue):
        if _anniversary(date_of_birth, age, late) <= date_of_issue:
            continue
        if date_of_issue < _anniversary(date_of_birth, age - _GRACE_YEARS, late):
            return _anniversary(date_of_birth, age, late)
    return None


def _anniversary(date_of_birth: date, years: int, late: bool) -> date:
    """The birthday ``years`` after birth; 29 February falls on 28 February or 1 March."""
    year = date_of_birth.year + years
    if (date_of_birth.month, date_of_birth.day) == (2, 29) and not _is_leap(year):
        return date(year, 3, 1) if late else date(year, 2, 28)
    return date_of_birth.replace(year=year)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
