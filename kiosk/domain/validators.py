"""Checks of the values an officer types or a card carries, with typed failures.

Each validator returns the value in its one stored form (normalised) or raises
``ValidationFailed`` naming the field and the broken rule, never the value itself (it may be
personal data). Facts referred to: shared/facts/cccd.md sections 3.4 to 3.6.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kiosk.domain.errors import DomainError, ErrorCode


class ValidationFailed(DomainError):
    """A value broke a rule; ``field`` and ``rule`` let the message say which, safely."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(ErrorCode.VALIDATION_FAILED, f"{field}: {rule}", field=field, rule=rule)
        self.field = field
        self.rule = rule


_ID_NUMBER = re.compile(r"[0-9]{12}")


def validate_id_number(value: str, field: str = "id_number") -> str:
    """The 12-digit personal identification number (số định danh cá nhân), trimmed.

    Only the length and digits are rules: the law guarantees nothing more (facts 3.5), so the
    province/century/sex structure is checked by ``citizen.id_number_warnings`` and never
    rejects.
    """
    number = value.strip()
    if not _ID_NUMBER.fullmatch(number):
        raise ValidationFailed(field, "id_number_format")
    return number


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Vietnamese mobile numbers are 10 digits, 0 + a network digit 3, 5, 7, 8 or 9 + 8 digits (since
# the 2018 renumbering). The facts give no finer prefix list, so none is hard-coded: carriers move
# prefixes between them, and a wrong list would refuse real citizens.
_MOBILE = re.compile(r"0[35789][0-9]{8}")


def normalise_phone(value: str, field: str = "phone") -> str:
    """A Vietnamese mobile number as ``0xxxxxxxxx``, from the forms people write.

    Accepts spaces, dots, dashes and brackets, and the ``+84``, ``84`` and ``0`` prefixes
    (also ``+84 0...``), so the SMS of the central server reaches the same number however typed.
    """
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+84"):
        digits = digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = digits[2:]
    if not digits.startswith("0"):
        digits = "0" + digits
    if not _MOBILE.fullmatch(digits):
        raise ValidationFailed(field, "phone_format")
    return digits


# RFC 5322 dot-atom (no quoted strings, no comments): what real mailboxes use.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def validate_email(value: str, field: str = "email") -> str:
    """An e-mail address in a practical RFC 5322 subset; the domain may be internationalised.

    Returns the address with its domain lower-cased and NFC (kept in Unicode for display); the
    ASCII (punycode) form of the domain is what is checked, as a mail server would see it.
    """
    address = value.strip()
    local, at, domain = address.rpartition("@")
    if not at or len(address) > 254 or len(local) > 64 or not _LOCAL_PART.fullmatch(local):
        raise ValidationFailed(field, "email_format")
    try:
        # Both ways: a typed "xn--" label must also be valid punycode.
        ascii_domain = domain.lower().encode("idna").decode("ascii")
        unicode_domain = ascii_domain.encode("ascii").decode("idna")
    except UnicodeError as err:
        raise ValidationFailed(field, "email_domain") from err
    if not _is_host_name(ascii_domain):
        raise ValidationFailed(field, "email_domain")
    return f"{local}@{unicode_domain}"


def _is_host_name(ascii_domain: str) -> bool:
    """Two or more LDH labels, at most 253 characters, with a top-level label not all digits."""
    labels = ascii_domain.split(".")
    return (
        len(ascii_domain) <= 253
        and len(labels) >= 2
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


_BHYT_CODE = re.compile(r"([A-Z]{2})([1-5])([0-9]{2})([0-9]{10})")
_BHXH_NUMBER = re.compile(r"[0-9]{10}")


@dataclass(frozen=True, slots=True)
class BhytCode:
    """A health-insurance card code (facts 3.6): ``XX N PP`` + the 10-digit BHXH number.

    Cards since 2021 are often shown with the BHXH number alone, so the first three parts are
    optional; the BHXH number is the person's lasting key either way.

    Attributes:
        category: the participant category letters (DN, HC, HT, TE, ...).
        benefit_level: the benefit level 1 to 5.
        province_code: the 2-digit province code.
        social_insurance_number: the 10-digit mã số BHXH.
    """

    social_insurance_number: str
    category: str | None = None
    benefit_level: int | None = None
    province_code: str | None = None

    @property
    def code(self) -> str:
        """The code as printed: 15 characters, or the 10 digits alone."""
        if self.category is None:
            return self.social_insurance_number
        prefix = f"{self.category}{self.benefit_level}{self.province_code}"
        return prefix + self.social_insurance_number


def parse_bhyt_code(value: str, field: str = "bhyt_code") -> BhytCode:
    """The BHYT code's parts; spaces are ignored and letters upper-cased (people type both)."""
    code = re.sub(r"\s", "", value).upper()
    if _BHXH_NUMBER.fullmatch(code):
        return BhytCode(social_insurance_number=code)
    match = _BHYT_CODE.fullmatch(code)
    if match is None:
        raise ValidationFailed(field, "bhyt_format")
    category, level, province, number = match.groups()
    return BhytCode(number, category, int(level), province)


_GPLX_NUMBER = re.compile(r"[0-9]{12}")


def validate_gplx_number(value: str, field: str = "gplx_number") -> str:
    """A PET driving-licence number: 12 digits; its inner structure is unknown (facts 3.4)."""
    number = re.sub(r"\s", "", value)
    if not _GPLX_NUMBER.fullmatch(number):
        raise ValidationFailed(field, "gplx_format")
    return number


_DMY = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_YYMMDD = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})")
_DDMMYYYY = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")


def parse_date(value: str, *, today: date, future: bool = False, field: str = "date") -> date:
    """A date typed as DD/MM/YYYY, YYYY-MM-DD or YYMMDD (the forms the command line accepts).

    YYMMDD has no century, so ``today`` and the kind of date decide it the way MRZ readers do: a
    past date (birth, issue) takes the latest century not after ``today``; a future date
    (expiry, ``future=True``) the century within 50 years either side of ``today``.
    """
    text = value.strip()
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _YYMMDD.fullmatch(text):
        yy, month, day = (int(part) for part in match.groups())
        year = _century(yy, month, day, today, future)
    else:
        raise ValidationFailed(field, "date_format")
    return make_date(year, month, day, field)


def parse_ddmmyyyy(value: str, field: str = "date") -> date:
    """A date in the 8-digit ``ddMMyyyy`` form of the CCCD QR code."""
    match = _DDMMYYYY.fullmatch(value)
    if match is None:
        raise ValidationFailed(field, "date_format")
    day, month, year = (int(part) for part in match.groups())
    return make_date(year, month, day, field)


def make_date(year: int, month: int, day: int, field: str = "date") -> date:
    """``date(year, month, day)``, with an impossible date (31/04, 29/02/2023) a typed failure."""
    try:
        return date(year, month, day)
    except ValueError as err:
        raise ValidationFailed(field, "date_invalid") from err


def _century(yy: int, month: int, day: int, today: date, future: bool) -> int:
    """The four-digit year for a two-digit ``yy`` (see ``parse_date``)."""
    year = today.year - today.year % 100 + yy
    if future:
        if year < today.year - 50:
            return year + 100
        return year - 100 if year >= today.year + 50 else year
    if (year, month, day) > (today.year, today.month, today.day):
        return year - 100
    return year
