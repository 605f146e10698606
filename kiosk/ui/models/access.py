"""The access key as the officer gives it: a typed 12-digit ID, or a USB QR scanner's burst.

A QR scanner in keyboard mode types the card's QR text as a very fast burst of keys ended by
Enter. ``KeyTiming`` tells such a burst from a person typing by the intervals between keys;
``access_from_scan`` reads the scanned text by position (the CCCD QR layout of facts/cccd.md
section 3.1) and keeps only the ID number, the birth date and the issue date, which is all the
chip's access keys need. The scanned name and address are dropped on purpose: a QR code is easy
to forge, so it is never used to cross-check the chip (the chip is the authority). Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.domain.cccd import MAX_QR_LENGTH, expiry_candidates
from kiosk.domain.validators import ValidationFailed, parse_ddmmyyyy, validate_id_number
from kiosk.services.chip_reading import AccessInput

SCANNER_GAP_MS = 30.0
"""The longest gap between two keys of a scanner burst; people type 80 ms apart or slower."""

SCANNER_MIN_KEYS = 20
"""A burst shorter than this is not taken for a scan (the shortest CCCD QR has ~60 characters)."""


class KeyTiming:
    """Watches the gaps between the keys of one entry (cleared at every Enter)."""

    def __init__(self) -> None:
        self._last_ms: float | None = None
        self._keys = 0
        self._slow = False

    def key(self, at_ms: float) -> None:
        """Count one key pressed at ``at_ms`` (a monotonic clock in milliseconds)."""
        if self._last_ms is not None and at_ms - self._last_ms > SCANNER_GAP_MS:
            self._slow = True
        self._last_ms = at_ms
        self._keys += 1

    def is_scanner(self) -> bool:
        """Whether the entry so far came as one scanner burst."""
        return self._keys >= SCANNER_MIN_KEYS and not self._slow

    def clear(self) -> None:
        """Start a new entry."""
        self.__init__()  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class AccessFields:
    """What opens the chip, as shown on the access screen.

    Attributes:
        scanned: the fields came from a QR scan (the screen says so).
    """

    id_number: str
    date_of_birth: date | None = None
    date_of_issue: date | None = None
    scanned: bool = False

    def access_input(self) -> AccessInput:
        """The access input for the chip service.

        The ID alone opens the chip with PACE-CAN; with the birth date the MRZ keys are tried
        next, for the one expiry the issue date gives (else for each the rules allow).
        """
        if self.date_of_birth is None:
            return AccessInput(id_number=self.id_number)
        expiries = expiry_candidates(self.date_of_birth, self.date_of_issue)
        if not expiries:  # a card valid for life: its MRZ expiry is unknown, PACE-CAN only
            return AccessInput(id_number=self.id_number)
        expiry = expiries[0] if len(expiries) == 1 else None
        return AccessInput(self.id_number, self.date_of_birth, expiry)


def access_from_typing(text: str) -> AccessFields:
    """The typed 12-digit ID (spaces ignored).

    Raises:
        ValidationFailed: not 12 digits.
    """
    return AccessFields(validate_id_number(text.replace(" ", "")))


def access_from_scan(text: str) -> AccessFields:
    """The ID, birth and issue dates of a scanned CCCD QR text, read by position.

    A scanner in keyboard mode often garbles letters with diacritics (or an input method
    rewrites them), so only the three fields needed are read and checked, by their place in
    the 2021 layout (``ID|oldID|name|birth|sex|address|issue``, or without the old ID); the
    other fields are not looked at. Any other layout gives the ID alone (its first field).

    Raises:
        ValidationFailed: no 12-digit ID first, or a date that is not ``ddMMyyyy``.
    """
    fields = [field.strip() for field in text.strip().split("|")]
    if len(text) > MAX_QR_LENGTH or not fields[0].isdigit():
        raise ValidationFailed("qr", "qr_layout")
    id_number = validate_id_number(fields[0], "qr.id_number")
    if len(fields) not in (6, 7):
        return AccessFields(id_number, scanned=True)
    born, issued = fields[-4], fields[-1]
    date_of_birth = parse_ddmmyyyy(born, "qr.date_of_birth")
    date_of_issue = parse_ddmmyyyy(issued, "qr.date_of_issue")
    if date_of_issue < date_of_birth:
        raise ValidationFailed("qr.date_of_issue", "before_birth")
    return AccessFields(id_number, date_of_birth, date_of_issue, scanned=True)
