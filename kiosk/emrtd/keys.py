"""Access keys (MRZ key for BAC/PACE, CAN for PACE) and the TD1 MRZ they come from.

ICAO 9303-3 §4.9 check digits and ICAO 9303-5 (TD1 layout) are the rules; on a CCCD the
document number is the last 9 digits of the 12-digit ID number, which sits in the optional data
of line 1 (facts/cccd.md §1.2). The QR code is parsed elsewhere (``domain/cccd.py``): this
module takes ready values. Nothing here puts personal data into ``repr`` or error messages.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field

from kiosk.emrtd.errors import MalformedData

_VALUES = {c: i for i, c in enumerate(string.digits + string.ascii_uppercase)} | {"<": 0}
_WEIGHTS = (7, 3, 1)
TD1_LINE = 30


def check_digit(text: str) -> str:
    """The ICAO 9303-3 §4.9 check digit of ``text`` (digits, A-Z and ``<``) as a character."""
    try:
        total = sum(_VALUES[c] * _WEIGHTS[i % 3] for i, c in enumerate(text))
    except KeyError as err:
        raise MalformedData("MRZ", "character outside 0-9, A-Z and <") from err
    return str(total % 10)


def _verify(field_name: str, value: str, digit: str) -> None:
    if check_digit(value) != digit:
        raise MalformedData("MRZ", f"check digit of {field_name} does not match")


def _yymmdd(field_name: str, text: str, century: int) -> dt.date:
    try:
        return dt.date(century + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError as err:
        raise MalformedData("MRZ", f"{field_name} is not a valid YYMMDD date") from err


def birth_date(text: str, today: dt.date) -> dt.date:
    """A YYMMDD birth date: the latest century that does not put it after ``today``."""
    date = _yymmdd("date_of_birth", text, 2000)
    return date if date <= today else _yymmdd("date_of_birth", text, 1900)


def expiry_date(text: str, today: dt.date) -> dt.date:
    """A YYMMDD expiry date, placed within 49 years before and 50 years after ``today``."""
    date = _yymmdd("date_of_expiry", text, 2000)
    if date.year > today.year + 50:
        return _yymmdd("date_of_expiry", text, 1900)
    return date


@dataclass(frozen=True, slots=True)
class TD1MRZ:
    """The three-line ID-card MRZ, parsed and checked (ICAO 9303-5 §4.2).

    Attributes:
        id_number: the 12-digit CCCD number from the optional data, or None when the optional
            data does not start with 12 digits (a TD1 from another issuer).
        warnings: findings that do not stop the read, such as a CCCD line-1 position-30 digit
            that is not the check digit of the 12-digit ID (no source states that rule).
    """

    document_code: str
    issuing_state: str
    document_number: str = field(repr=False)
    id_number: str | None = field(repr=False)
    date_of_birth: dt.date = field(repr=False)
    sex: str = field(repr=False)
    date_of_expiry: dt.date = field(repr=False)
    nationality: str
    surname: str = field(repr=False)
    given_names: str = field(repr=False)
    warnings: tuple[str, ...] = ()


def split_td1(text: str) -> tuple[str, str, str]:
    """Three 30-character lines from newline-separated text or 90 characters run together."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) == 1 and len(lines[0]) == 3 * TD1_LINE:
        lines = [lines[0][i : i + TD1_LINE] for i in range(0, 3 * TD1_LINE, TD1_LINE)]
    if len(lines) != 3 or any(len(line) != TD1_LINE for line in lines):
        raise MalformedData("MRZ", "expected three lines of 30 characters")
    if any(c not in _VALUES for c in "".join(lines)):
        raise MalformedData("MRZ", "character outside 0-9, A-Z and <")
    return lines[0], lines[1], lines[2]


def parse_td1(text: str, *, today: dt.date) -> TD1MRZ:
    """Parse and check a TD1 MRZ; ``today`` resolves two-digit years.

    Raises:
        MalformedData: the layout is wrong, a date is invalid, or the check digit of
            document_number, date_of_birth, date_of_expiry or composite does not match (the
            message names the field).
    """
    line1, line2, line3 = split_td1(text)
    _verify("document_number", line1[5:14], line1[14])
    _verify("date_of_birth", line2[0:6], line2[6])
    _verify("date_of_expiry", line2[8:14], line2[14])
    _verify("composite", line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29], line2[29])
    if line2[7] not in "MF<":
        raise MalformedData("MRZ", "sex is not M, F or <")
    surname, _, given = line3.partition("<<")
    optional = line1[15:30]
    id_number = optional[:12] if optional[:12].isdigit() else None
    return TD1MRZ(
        document_code=line1[0:2].rstrip("<"),
        issuing_state=line1[2:5],
        document_number=line1[5:14].rstrip("<"),
        id_number=id_number,
        date_of_birth=birth_date(line2[0:6], today),
        sex="X" if line2[7] == "<" else line2[7],
        date_of_expiry=expiry_date(line2[8:14], today),
        nationality=line2[15:18],
        surname=surname.replace("<", " ").strip(),
        given_names=given.replace("<", " ").strip(),
        warnings=_cccd_warnings(line1, id_number),
    )


def _cccd_warnings(line1: str, id_number: str | None) -> tuple[str, ...]:
    """CCCD layout findings (facts/cccd.md §1.2): position 30 and the 9-of-12 digits rule."""
    if id_number is None:
        return ()
    warnings = []
    if check_digit(line1[15:29]) != line1[29]:
        warnings.append("line 1 position 30 is not the check digit of the 12-digit ID")
    if line1[5:14] != id_number[3:]:
        warnings.append("document number is not the last 9 digits of the 12-digit ID")
    return tuple(warnings)


def _require_digits(what: str, value: str, length: int) -> None:
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise MalformedData("access key", f"{what} must be {length} digits")


@dataclass(frozen=True, slots=True)
class MRZKey:
    """The BAC / PACE-MRZ key material: document number, birth date, expiry date.

    A lifetime card has no expiry date; no policy for its MRZ key exists yet, so an expiry is
    required here (facts/cccd.md §7, item 6).
    """

    document_number: str = field(repr=False)
    date_of_birth: dt.date = field(repr=False)
    date_of_expiry: dt.date = field(repr=False)

    def __post_init__(self) -> None:
        number = self.document_number
        if not number or any(c not in _VALUES or c == "<" for c in number):
            raise MalformedData("access key", "document number must be 0-9 and A-Z")

    @property
    def mrz_information(self) -> str:
        """Document number (padded to 9 with ``<``), birth, expiry, each with its check digit.

        24 characters for a 9-character number, longer for longer numbers (ICAO 9303-11 §9.7.2).
        """
        number = self.document_number.ljust(9, "<")
        birth = self.date_of_birth.strftime("%y%m%d")
        expiry = self.date_of_expiry.strftime("%y%m%d")
        return "".join(part + check_digit(part) for part in (number, birth, expiry))

    @classmethod
    def from_id_number(
        cls, id_number: str, date_of_birth: dt.date, date_of_expiry: dt.date
    ) -> MRZKey:
        """The key of a CCCD from its 12-digit ID: the document number is the last 9 digits."""
        _require_digits("the ID number", id_number, 12)
        return cls(id_number[3:], date_of_birth, date_of_expiry)

    @classmethod
    def from_td1(cls, mrz: TD1MRZ) -> MRZKey:
        """The key printed in a parsed MRZ."""
        return cls(mrz.document_number, mrz.date_of_birth, mrz.date_of_expiry)


@dataclass(frozen=True, slots=True)
class CANKey:
    """The Card Access Number, a 6-digit PACE password (ICAO 9303-11 §9.7.3).

    A CCCD prints no CAN; its CAN is the last 6 digits of the 12-digit ID (facts/cccd.md §1.3).
    """

    can: str = field(repr=False)

    def __post_init__(self) -> None:
        _require_digits("the CAN", self.can, 6)

    @classmethod
    def from_id_number(cls, id_number: str) -> CANKey:
        """The CAN of a CCCD: the last 6 digits of its 12-digit ID."""
        _require_digits("the ID number", id_number, 12)
        return cls(id_number[6:])
