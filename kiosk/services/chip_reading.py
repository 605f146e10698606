"""Reading the citizen's chip: wait for the card, build the access keys, read, verify, translate.

The service turns what the officer has (the typed 12-digit ID, with or without dates, a CAN, the
MRZ, the card's QR code) into access keys in design.md's order (the CAN for PACE first, then the
MRZ key for PACE and BAC), runs ``kiosk.emrtd.read_document`` on the card from the reader port,
and hands back the identity in domain words with the raw read kept as evidence. Every failure of
the chip or the link becomes one stable error code (translation at the boundary, cause kept).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from kiosk import emrtd
from kiosk.devices.ports import CardReader, CardSession
from kiosk.domain.cccd import expiry_candidates, parse_qr
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.domain.validators import ValidationFailed, validate_id_number
from kiosk.emrtd import AccessKey, CardDate, ChipRead, TrustStore, read_document

log = logging.getLogger(__name__)

CARD_WAIT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class AccessInput:
    """What the officer has to open the chip: one of the four forms.

    Attributes:
        id_number, date_of_birth, date_of_expiry: typed from the card. The ID alone opens the
            chip with PACE-CAN (the CAN is its last 6 digits); with the birth date BAC is
            possible too (without the expiry, each expiry the renewal rules allow is tried).
        can: a 6-digit Card Access Number, for PACE only.
        mrz: the three MRZ lines.
        qr_text: the text of the CCCD QR code (ID, birth and issue dates).
    """

    id_number: str | None = None
    date_of_birth: date | None = None
    date_of_expiry: date | None = None
    can: str | None = None
    mrz: str | None = None
    qr_text: str | None = None


@dataclass(frozen=True, slots=True)
class ChipReadOutcome:
    """A finished read: the identity and verdict in domain words, and the read as evidence."""

    citizen: Citizen
    verdict: ChipVerdict
    read: ChipRead


class ChipReadingService:
    """Reads the card on the reader it is given.

    Args:
        trust: the CSCA anchors (in demo mode the installation's test CSCA is among them).
        today: the current local date (MRZ centuries, certificate validity).
    """

    def __init__(self, trust: TrustStore, today: Callable[[], date]) -> None:
        self._trust = trust
        self._today = today

    def access_keys(self, given: AccessInput) -> list[AccessKey]:
        """The keys to try, in order: the CAN (PACE), then MRZ keys (PACE, then BAC).

        Raises:
            ValidationFailed: the input is incomplete or malformed (names the field).
        """
        if given.can:
            return [_can(given.can)]
        if given.mrz:
            return _keys_from_mrz(given.mrz, self._today())
        if given.qr_text:
            qr = parse_qr(given.qr_text)
            if qr.id_number is None or qr.date_of_birth is None:
                raise ValidationFailed("qr", "no_id_or_birth_date")
            expiries = expiry_candidates(qr.date_of_birth, qr.date_of_issue)
            return _keys(qr.id_number, qr.date_of_birth, expiries)
        if given.id_number:
            return self._keys_from_id(given)
        raise ValidationFailed("access", "id_required")

    def _keys_from_id(self, given: AccessInput) -> list[AccessKey]:
        number = validate_id_number(given.id_number or "")
        birth = given.date_of_birth
        if birth is None:
            return [emrtd.CANKey.from_id_number(number)]
        if given.date_of_expiry is not None:
            return _keys(number, birth, (given.date_of_expiry,))
        return _keys(number, birth, expiry_candidates(birth))

    def read(
        self,
        reader: CardReader,
        given: AccessInput,
        *,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
    ) -> ChipReadOutcome:
        """Wait for the card, read and verify it.

        Raises:
            DomainError: with the code of what went wrong (no card, not an eMRTD, access
                denied, card removed, malformed data...).
            Cancelled: the officer cancelled.
        """
        keys = self.access_keys(given)
        stop = cancel or threading.Event()
        session = _wait_for_card(reader, stop)
        report = _progress_adapter(progress)
        with _translated():
            read = read_document(
                session.transport,
                keys,
                self._trust,
                today=self._today(),
                progress=report,
                cancel=stop,
                reset=session.reset,
            )
        return ChipReadOutcome(citizen_of(read), ChipVerdict(read.verdict.verdict.value), read)


def _can(text: str) -> emrtd.CANKey:
    try:
        return emrtd.CANKey(text.strip())
    except emrtd.MalformedData as err:
        raise ValidationFailed("can", "six_digits_required") from err


def _keys_from_mrz(text: str, today: date) -> list[AccessKey]:
    """The CAN of a CCCD's MRZ (its 12-digit ID), then the MRZ key."""
    try:
        mrz = emrtd.parse_td1(text, today=today)
    except emrtd.MalformedData as err:
        raise ValidationFailed("mrz", err.reason) from err
    key = emrtd.MRZKey.from_td1(mrz)
    if mrz.id_number is None:
        return [key]
    return [emrtd.CANKey.from_id_number(mrz.id_number), key]


def _keys(id_number: str, birth: date, expiries: tuple[date, ...]) -> list[AccessKey]:
    """The CAN of the ID, then one MRZ key per possible expiry."""
    if not expiries:
        raise ValidationFailed("date_of_expiry", "required")
    mrz_keys = [emrtd.MRZKey.from_id_number(id_number, birth, expiry) for expiry in expiries]
    return [emrtd.CANKey.from_id_number(id_number), *mrz_keys]


def _wait_for_card(reader: CardReader, cancel: threading.Event) -> CardSession:
    with _translated():
        return reader.wait_for_card(CARD_WAIT_SECONDS, cancel)


def _progress_adapter(sink: ProgressSink | None) -> emrtd.ProgressCallback | None:
    if sink is None:
        return None

    def report(step: str, done: int, total: int) -> None:
        sink(Progress(f"chip:{step}", done, total))

    return report


@contextmanager
def _translated() -> Iterator[None]:
    """Turn every ``EmrtdError`` into the domain error the user is told about."""
    try:
        yield
    except emrtd.EmrtdError as error:
        log.info("chip read failed: %s", error)
        raise translate(error) from error


def translate(error: emrtd.EmrtdError) -> Exception:
    """The domain error (or ``Cancelled``) for an error of the chip library."""
    if isinstance(error, emrtd.Cancelled):
        return Cancelled()
    if isinstance(error, emrtd.FileNotFound):
        return DomainError(ErrorCode.CARD_NOT_EMRTD, str(error))
    if isinstance(error, emrtd.AccessDenied):
        code = ErrorCode.ACCESS_DENIED if error.wrong_key else ErrorCode.CHIP_PROTOCOL
        return DomainError(code, str(error), step=error.step)
    if isinstance(error, emrtd.ReadInterrupted | emrtd.CardRemoved):
        return DomainError(ErrorCode.CARD_REMOVED, str(error))
    if isinstance(error, emrtd.MalformedData):
        return DomainError(ErrorCode.CHIP_DATA_MALFORMED, str(error), file=error.what)
    if isinstance(error, emrtd.SecureMessagingError):
        return DomainError(ErrorCode.CHIP_PROTOCOL, str(error), step="secure_messaging")
    if isinstance(error, emrtd.TransportError):
        return DomainError(ErrorCode.READER_UNAVAILABLE, str(error))
    return DomainError(ErrorCode.CHIP_PROTOCOL, str(error), step=type(error).__name__)


_SEX_WORDS = {"Nam": Sex.MALE, "Nữ": Sex.FEMALE}


def citizen_of(read: ChipRead) -> Citizen:
    """The identity the chip holds: DG13 with diacritics, DG1 where DG13 is silent.

    Raises:
        ValidationFailed: a value breaks the domain's rules (a malformed ID number, ...).
    """
    mrz, dg13 = read.mrz, read.personal
    if dg13 is None:
        name = " ".join(part for part in (mrz.surname, mrz.given_names) if part)
        return Citizen(mrz.id_number or "", name, mrz.date_of_birth, _sex(None, mrz.sex))
    return Citizen(
        id_number=dg13.id_number or mrz.id_number or "",
        full_name=dg13.full_name or f"{mrz.surname} {mrz.given_names}",
        date_of_birth=_date(dg13.date_of_birth) or mrz.date_of_birth,
        sex=_sex(dg13.sex, mrz.sex),
        nationality=dg13.nationality or "Việt Nam",
        ethnicity=dg13.ethnicity,
        religion=dg13.religion,
        place_of_origin=dg13.place_of_origin,
        place_of_residence=dg13.place_of_residence,
        identifying_features=dg13.identifying_features,
        date_of_issue=_date(dg13.date_of_issue),
        date_of_expiry=None
        if dg13.is_lifetime
        else _date(dg13.date_of_expiry) or mrz.date_of_expiry,
        lifetime=dg13.is_lifetime,
        father_name=dg13.father_name,
        mother_name=dg13.mother_name,
        spouse_name=dg13.spouse_name,
        old_id_number=dg13.old_id_number,
    )


def _sex(dg13_word: str | None, mrz_letter: str) -> Sex:
    if dg13_word in _SEX_WORDS:
        return _SEX_WORDS[dg13_word]
    if mrz_letter in ("M", "F"):
        return Sex(mrz_letter)
    raise ValidationFailed("sex", "unreadable")


def _date(card_date: CardDate | None) -> date | None:
    return card_date.value if card_date is not None else None
