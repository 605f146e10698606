"""Comparing what a scanned card says with what the chip of the holder's CCCD says.

The chip read is the JSON object ``kiosk card read --json`` prints (DG13 person fields, DG1
under ``mrz``). Each comparable field gives one ``FieldCheck``, whatever happens: a match, a
mismatch with both values, or a value absent or unreadable on either side, so that nothing is
dropped without the officer seeing it. Names are compared through ``kiosk.domain.text``: NFC,
case folding and one tone-mark placement ("Hòa" = "HOÀ"), and separately against the MRZ, which
carries the name without diacritics and may truncate it at the line's end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.documents.layouts.bhyt import BhytQr
from kiosk.documents.layouts.gplx import GplxQr
from kiosk.domain.cccd import CccdQr
from kiosk.domain.citizen import Sex
from kiosk.domain.text import ascii_fold, name_key

_MRZ_NAME_LENGTH = 30  # TD1 line 3: SURNAME<<GIVEN<NAMES, truncated to 30 characters


class Outcome(StrEnum):
    """How one field compared."""

    MATCH = "match"
    MISMATCH = "mismatch"
    ABSENT_ON_DOCUMENT = "absent_on_document"
    ABSENT_IN_CHIP = "absent_in_chip"
    INVALID_IN_CHIP = "invalid_in_chip"


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """One field's comparison, with both values for the officer (shown, never logged).

    Attributes:
        field: ``full_name``, ``full_name_mrz``, ``date_of_birth``, ``sex`` or ``id_number``.
        rule: how the values were compared (``name_key``, ``mrz_ascii``, ``date``, ``year``,
            ``exact``).
    """

    field: str
    outcome: Outcome
    document_value: str | None
    chip_value: str | None
    rule: str


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """Every field compared; ``mismatches`` are the ones to show in red."""

    checks: tuple[FieldCheck, ...]

    @property
    def mismatches(self) -> tuple[FieldCheck, ...]:
        """The checks whose values disagree."""
        return tuple(check for check in self.checks if check.outcome is Outcome.MISMATCH)


@dataclass(frozen=True, slots=True)
class _Claims:
    """What a card states about its holder, in comparable form."""

    full_name: str | None
    date_of_birth: date | None
    birth_year: int | None
    sex: Sex | None
    id_number: str | None


def cross_check(fields: CccdQr | BhytQr | GplxQr, chip: Mapping[str, object]) -> CrossCheck:
    """Compare a card's QR fields with a chip read (``kiosk card read --json`` as a dict)."""
    claims = _claims(fields)
    name = claims.full_name
    if claims.date_of_birth is None and claims.birth_year is not None:
        birth = _compare(
            "date_of_birth", "year", str(claims.birth_year), chip.get("date_of_birth"), _same_year
        )
    else:
        born = claims.date_of_birth.isoformat() if claims.date_of_birth else None
        birth = _compare("date_of_birth", "date", born, chip.get("date_of_birth"), _same_date)
    sex = claims.sex.value if claims.sex else None
    checks = (
        _compare("full_name", "name_key", name, chip.get("full_name"), _same_name),
        _compare("full_name_mrz", "mrz_ascii", name, _mrz_name(chip.get("mrz")), _same_mrz_name),
        birth,
        _compare("sex", "exact", sex, chip.get("sex"), _same_text),
        _compare("id_number", "exact", claims.id_number, chip.get("id_number"), _same_text),
    )
    return CrossCheck(checks)


def _claims(fields: CccdQr | BhytQr | GplxQr) -> _Claims:
    if isinstance(fields, CccdQr):
        born = fields.date_of_birth
        year = born.year if born else None
        return _Claims(fields.full_name, born, year, fields.sex, fields.id_number)
    if isinstance(fields, BhytQr):
        return _Claims(fields.full_name, fields.date_of_birth, fields.birth_year, fields.sex, None)
    return _Claims(None, None, None, None, None)  # the GPLX QR's content is not interpreted


def _compare(
    field: str,
    rule: str,
    document: str | None,
    chip: object,
    same: Callable[[str, str], bool | None],
) -> FieldCheck:
    """One field's check; ``same`` answers None when the chip's value cannot be read."""
    shown = None if chip is None else str(chip)
    if document is None:
        return FieldCheck(field, Outcome.ABSENT_ON_DOCUMENT, None, shown, rule)
    if chip is None:
        return FieldCheck(field, Outcome.ABSENT_IN_CHIP, document, None, rule)
    if not isinstance(chip, str) or not chip.strip():
        return FieldCheck(field, Outcome.INVALID_IN_CHIP, document, shown, rule)
    verdict = same(document, chip)
    if verdict is None:
        return FieldCheck(field, Outcome.INVALID_IN_CHIP, document, chip, rule)
    outcome = Outcome.MATCH if verdict else Outcome.MISMATCH
    return FieldCheck(field, outcome, document, chip, rule)


def _same_name(document: str, chip: str) -> bool:
    return name_key(document) == name_key(chip)


def _same_text(document: str, chip: str) -> bool:
    return document == chip.strip()


def _same_date(document: str, chip: str) -> bool | None:
    chip_date = _iso_date(chip)
    return None if chip_date is None else chip_date.isoformat() == document


def _same_year(document: str, chip: str) -> bool | None:
    chip_date = _iso_date(chip)
    return None if chip_date is None else str(chip_date.year) == document


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _mrz_name(mrz: object) -> str | None:
    """``SURNAME<<GIVEN<NAMES`` (as on the MRZ line) from the chip's ``mrz`` object, or None."""
    if not isinstance(mrz, Mapping):
        return None
    surname, given = mrz.get("surname"), mrz.get("given_names")
    if not isinstance(surname, str) or not isinstance(given, str):
        return None
    return "<".join(surname.split()) + "<<" + "<".join(given.split())


def _same_mrz_name(document: str, chip: str) -> bool:
    """Equal without diacritics, or the MRZ line was full and holds the name's start.

    ICAO 9303-3 §4.6 truncates names that do not fit line 3 (30 characters with the ``<<``).
    """
    folded = " ".join(ascii_fold(document).upper().split())
    mrz = " ".join(chip.upper().replace("<", " ").split())
    if folded == mrz:
        return True
    return len(chip.strip()) >= _MRZ_NAME_LENGTH and folded.startswith(mrz)
