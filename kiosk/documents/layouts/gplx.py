"""The driving licence (GPLX, PET card): its 12-digit number and its QR text.

Neither the number's inner structure nor the QR's content is documented (facts/cccd.md 3.4 and
section 7), so nothing is read out of the QR: its text is kept exactly, bounded, as evidence,
and the number (typed by the officer from the card) is checked only for its 12 digits.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.cccd import MAX_QR_LENGTH
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.validators import validate_gplx_number


@dataclass(frozen=True, slots=True)
class GplxQr:
    """The GPLX QR's text, uninterpreted."""

    text: str


@dataclass(frozen=True, slots=True)
class GplxFields:
    """A licence as recorded: the validated number and the QR text when the card has one."""

    number: str
    qr: GplxQr | None


def parse_qr(text: str) -> GplxQr:
    """Keep a GPLX QR text after bounding it (nothing in it is interpreted).

    Raises:
        DomainError: QR_INVALID when empty, longer than a QR can hold or with control characters.
    """
    if not text.strip() or len(text) > MAX_QR_LENGTH:
        raise DomainError(
            ErrorCode.QR_INVALID, "gplx.qr: qr_length", field="gplx.qr", rule="qr_length"
        )
    if not text.isprintable():
        raise DomainError(ErrorCode.QR_INVALID, "gplx.qr: qr_text", field="gplx.qr", rule="qr_text")
    return GplxQr(text)


def gplx_fields(number: str, qr_text: str | None) -> GplxFields:
    """The licence from the number on the card and the QR text (if one was decoded).

    Raises:
        ValidationFailed: the number is not 12 digits (spaces are ignored).
        DomainError: QR_INVALID for a QR text ``parse_qr`` refuses.
    """
    qr = parse_qr(qr_text) if qr_text is not None else None
    return GplxFields(validate_gplx_number(number), qr)
