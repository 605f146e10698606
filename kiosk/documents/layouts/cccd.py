"""The CCCD QR code as the scanner sees it: ``kiosk.domain.cccd`` parses, this layer reports.

The layout and the renewal rules belong to the domain (the chip reader and the command line use
them too); here a broken payload becomes the scanner's ``QR_INVALID`` error, and the fields the
chip access needs (ID number, birth date, the expiry dates the rules allow) are gathered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.domain.cccd import CccdQr, expiry_candidates
from kiosk.domain.cccd import parse_qr as parse_domain_qr
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.validators import ValidationFailed


@dataclass(frozen=True, slots=True)
class CccdAccess:
    """What a BAC or PACE-CAN key can be built from, as read from the QR.

    Attributes:
        id_number: the 12-digit number; its last 6 digits are the CAN.
        date_of_birth: None when the QR's layout was not recognised.
        expiry_dates: every expiry the renewal rules allow (empty for a lifetime card or an
            unknown birth date).
    """

    id_number: str
    date_of_birth: date | None
    expiry_dates: tuple[date, ...]


def parse_qr(text: str) -> CccdQr:
    """The CCCD QR fields (see ``kiosk.domain.cccd.parse_qr``).

    Raises:
        DomainError: QR_INVALID, with the broken field and rule as parameters.
    """
    try:
        return parse_domain_qr(text)
    except ValidationFailed as err:
        raise DomainError(ErrorCode.QR_INVALID, err.detail, field=err.field, rule=err.rule) from err


def access_data(qr: CccdQr) -> CccdAccess | None:
    """The chip access data in ``qr``, or None when it holds no 12-digit ID number.

    Raises:
        DomainError: QR_INVALID when the dates cannot have renewal dates (year out of range).
    """
    if qr.id_number is None:
        return None
    if qr.date_of_birth is None:
        return CccdAccess(qr.id_number, None, ())
    try:
        expiries = expiry_candidates(qr.date_of_birth, qr.date_of_issue)
    except ValidationFailed as err:
        raise DomainError(ErrorCode.QR_INVALID, err.detail, field=err.field, rule=err.rule) from err
    return CccdAccess(qr.id_number, qr.date_of_birth, expiries)
