"""The citizen's identity as the card states it (chip DG13 first, the QR code as a fallback).

A ``Citizen`` is a checked value: its ID number has 12 digits, its texts are NFC and trimmed,
and its dates agree with each other, so every later step (matching, the receipt, the packet)
can rely on it without re-checking.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum

from kiosk.domain.text import normalise
from kiosk.domain.validators import ValidationFailed, validate_id_number

_MAX_TEXT = 500


class Sex(StrEnum):
    """Sex as the MRZ and the JSON output write it; the card prints Nam / Nữ."""

    MALE = "M"
    FEMALE = "F"


class IdNumberWarning(StrEnum):
    """A disagreement between an ID number's structure and the holder's data (not an error)."""

    BIRTH_YEAR_MISMATCH = "birth_year_mismatch"
    SEX_MISMATCH = "sex_mismatch"


def id_number_warnings(
    id_number: str, date_of_birth: date, sex: Sex
) -> tuple[IdNumberWarning, ...]:
    """Cross-check the ``PPP G YY NNNNNN`` structure against the birth date and sex.

    G encodes century and sex (even male, odd female; year = 1900 + 100 * (G // 2) + YY). A
    mismatch is worth showing the officer, but numbers issued since Circular 59/2021 expired
    need not follow it, so it is never a rejection (facts 3.5).
    """
    number = validate_id_number(id_number)
    gender_century = int(number[3])
    year = 1900 + 100 * (gender_century // 2) + int(number[4:6])
    warnings: list[IdNumberWarning] = []
    if year != date_of_birth.year:
        warnings.append(IdNumberWarning.BIRTH_YEAR_MISMATCH)
    if (gender_century % 2 == 1) != (sex is Sex.FEMALE):
        warnings.append(IdNumberWarning.SEX_MISMATCH)
    return tuple(warnings)


_SEXES = frozenset(sex.value for sex in Sex)


@dataclass(frozen=True, slots=True)
class Citizen:
    """The identity values of one card holder.

    Attributes:
        id_number: the 12-digit personal identification number.
        date_of_expiry: None both for a lifetime card (``lifetime`` True) and when not known.
        old_id_number: the 9-digit CMND or a replaced 12-digit number, when the card shows one.
    """

    id_number: str
    full_name: str
    date_of_birth: date
    sex: Sex
    nationality: str = "Việt Nam"
    ethnicity: str | None = None
    religion: str | None = None
    place_of_origin: str | None = None
    place_of_residence: str | None = None
    identifying_features: str | None = None
    date_of_issue: date | None = None
    date_of_expiry: date | None = None
    lifetime: bool = False
    father_name: str | None = None
    mother_name: str | None = None
    spouse_name: str | None = None
    old_id_number: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "id_number", validate_id_number(self.id_number))
        if self.sex not in _SEXES:
            raise ValidationFailed("sex", "sex_value")
        object.__setattr__(self, "sex", Sex(self.sex))  # a stored "F" becomes the enum
        for item in fields(self):
            value = getattr(self, item.name)
            if type(value) is str:  # texts only: Sex is a str too and must stay an enum
                text = _clean(value, item.name)
                # An optional field left blank is absent, not an empty string.
                object.__setattr__(
                    self, item.name, None if item.default is None and not text else text
                )
        if not self.full_name:
            raise ValidationFailed("full_name", "required")
        self._check_dates()

    @property
    def structure_warnings(self) -> tuple[IdNumberWarning, ...]:
        """Where the ID number's structure disagrees with this card's birth date or sex."""
        return id_number_warnings(self.id_number, self.date_of_birth, self.sex)

    def _check_dates(self) -> None:
        if self.lifetime and self.date_of_expiry is not None:
            raise ValidationFailed("date_of_expiry", "lifetime_with_expiry")
        issue = self.date_of_issue
        if issue is not None and issue < self.date_of_birth:
            raise ValidationFailed("date_of_issue", "before_birth")
        if issue is not None and self.date_of_expiry is not None and self.date_of_expiry <= issue:
            raise ValidationFailed("date_of_expiry", "not_after_issue")


def _clean(value: str, field: str) -> str:
    text = normalise(value)
    if len(text) > _MAX_TEXT or not text.isprintable():
        raise ValidationFailed(field, "text_invalid")
    return text
