"""Reading the citizen's chip: wait for the card, build the access keys, read, verify, translate.

The service turns what the officer has (the typed 12-digit ID, with or without dates, a CAN, the
MRZ, the card's QR code) into access keys in design.md's order (the CAN for PACE first, then the
MRZ key for PACE and BAC), runs ``kiosk.emrtd.read_document`` on the card from the reader port,
and hands back the identity in domain words with the raw read kept as evidence. Every failure of
the chip or the link becomes one stable error code (translation at the boundary, cause kept).

A card lifted mid-read is waited for (progress ``chip:card_lifted``: "đặt lại thẻ"), for at most
``return_wait`` seconds and until cancelled; once it is back (``chip:card_back``) the read goes
on from its last verified offset through the same ``ReadJournal``, and a different card put back
is refused (``card_replaced``). With a ``CardMemory`` the service lets the read start with the
access protocol that opened the last card of the same type, and probes the largest READ BINARY
once per reader model, then reads with it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from kiosk import emrtd
from kiosk.devices.ports import CardMemory, CardReader, CardSession
from kiosk.domain.cccd import expiry_candidates, parse_qr
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.domain.validators import ValidationFailed, validate_id_number
from kiosk.emrtd import AccessKey, CardDate, ChipRead, ReadJournal, TrustStore, read_document

log = logging.getLogger(__name__)

CARD_WAIT_SECONDS = 30.0
RETURN_WAIT_SECONDS = 30.0
"""How long a lifted card is waited for before the read fails with ``card_removed``."""
MAX_LOSSES = 5
"""Losses one read survives; a card that keeps leaving is better read from the start, held still."""
RETRY_SECONDS = 0.1
"""Pause before opening again a card that was found but failed before the chip opened."""
STEP_CARD_LIFTED = "chip:card_lifted"
"""Progress while the lifted card is awaited: ``done`` losses so far, ``total`` MAX_LOSSES."""
STEP_CARD_BACK = "chip:card_back"
"""Progress once the card put back answers (its access begins): the read resumes (same
``done`` and ``total``)."""


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
        memory: what was learnt of card types and reader models; None learns nothing (and
            probes nothing).
        return_wait: seconds a lifted card is waited for.
    """

    def __init__(
        self,
        trust: TrustStore,
        today: Callable[[], date],
        *,
        memory: CardMemory | None = None,
        return_wait: float = RETURN_WAIT_SECONDS,
    ) -> None:
        self._trust = trust
        self._today = today
        self._memory = memory
        self._return_wait = return_wait

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
        """Wait for the card, read and verify it; wait for it again if it is lifted mid-read.

        Raises:
            DomainError: with the code of what went wrong (no card, not an eMRTD, access
                denied, card removed and not put back in time, another card put back,
                malformed data...).
            Cancelled: the officer cancelled (also while the lifted card is awaited).
        """
        keys = self.access_keys(given)
        stop = cancel or threading.Event()
        session = _wait_for_card(reader, stop)
        model = reader.describe().model
        journal = ReadJournal(read_limit=self._read_limit(model))
        losses = _Losses(progress, self._return_wait)
        while True:
            try:
                read = self._read_once(session, keys, journal, losses.reporter(), stop)
                break
            except emrtd.ReadLimitExceeded as error:
                log.info("reader %s carries READ BINARY of %d bytes at most", model, error.limit)
                self._remember_limit(model, error.limit)
                session = _wait_for_card(reader, stop)  # the card is still there
            except (emrtd.ReadInterrupted, emrtd.CardRemoved) as error:
                session = losses.await_return(reader, journal, error, stop)
            except emrtd.EmrtdError as error:
                log.info("chip read failed: %s", error)
                raise translate(error) from error
        if journal.read_limit is not None:
            self._remember_limit(model, journal.read_limit)
        return ChipReadOutcome(citizen_of(read), ChipVerdict(read.verdict.verdict.value), read)

    def _read_once(
        self,
        session: CardSession,
        keys: list[AccessKey],
        journal: ReadJournal,
        progress: emrtd.ProgressCallback,
        cancel: threading.Event,
    ) -> ChipRead:
        """One session's part of the read: all of it, or up to the next loss."""
        return read_document(
            session.transport,
            keys,
            self._trust,
            today=self._today(),
            progress=progress,
            cancel=cancel,
            reset=session.reset,
            journal=journal,
            memory=self._memory,
            atr=session.info.atr,
            probe=self._memory is not None,
        )

    def _read_limit(self, model: str) -> int | None:
        return self._memory.read_limit(model) if self._memory is not None else None

    def _remember_limit(self, model: str, limit: int) -> None:
        if self._memory is not None:
            self._memory.remember_read_limit(model, limit)


class _Losses:
    """The card's losses during one read: counted, reported, and the wait for its return.

    A loss counts when the chip had been opened since the previous one (or is the first). A
    card that is found again but fails before the chip opens (a reader that has not yet seen
    it leave, a card laid down badly) is tried again every ``RETRY_SECONDS`` within the same
    ``return_wait``, without counting another loss.
    """

    def __init__(self, progress: ProgressSink | None, return_wait: float) -> None:
        self._progress = progress
        self._return_wait = return_wait
        self._count = 0
        self._sessions = -1
        self._deadline = 0.0
        self._back_pending = False

    def await_return(
        self,
        reader: CardReader,
        journal: ReadJournal,
        error: emrtd.EmrtdError,
        cancel: threading.Event,
    ) -> CardSession:
        """A session on the card put back.

        Raises:
            DomainError: CARD_REMOVED, no card came back within ``return_wait`` seconds, or
                the card was lost more than ``MAX_LOSSES`` times.
            Cancelled: ``cancel`` was set while waiting.
        """
        if journal.sessions != self._sessions:
            self._new_loss(journal, error)
        elif cancel.wait(RETRY_SECONDS):
            raise Cancelled
        remaining = self._deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise DomainError(ErrorCode.NO_CARD, "the lifted card did not come back in time")
            session = reader.wait_for_card(remaining, cancel)
        except DomainError as waited:
            if waited.code is not ErrorCode.NO_CARD:
                raise
            raise translate(error) from waited
        return session

    def reporter(self) -> emrtd.ProgressCallback:
        """The read's progress callback, reporting ``chip:card_back`` too when it is due.

        That is once the card put back answers: its access begins. A reader still showing the
        lifted card (pcscd notices a removal within 400 ms) does not count as its return.
        """

        def report(step: str, done: int, total: int) -> None:
            if step == "access" and self._back_pending:
                self._back_pending = False
                self._report(STEP_CARD_BACK)
            if self._progress is not None:
                self._progress(Progress(f"chip:{step}", done, total))

        return report

    def _new_loss(self, journal: ReadJournal, error: emrtd.EmrtdError) -> None:
        self._sessions = journal.sessions
        self._count += 1
        log.info("card lifted during the read (%d of %d): %s", self._count, MAX_LOSSES, error)
        if self._count > MAX_LOSSES:
            raise translate(error) from error
        self._deadline = time.monotonic() + self._return_wait
        self._back_pending = True
        self._report(STEP_CARD_LIFTED)

    def _report(self, step: str) -> None:
        if self._progress is not None:
            self._progress(Progress(step, self._count, MAX_LOSSES))


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
    if isinstance(error, emrtd.CardReplaced):
        return DomainError(ErrorCode.CARD_REPLACED, str(error), file=error.file)
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
