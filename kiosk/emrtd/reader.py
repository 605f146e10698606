"""Reading one document end to end: select, access, read the files, verify (ICAO 9303-10, -11).

``read_document`` is the short driver over the protocol modules (JMRTD's split): it reads
EF.CardAccess, opens the chip with PACE-CAN, PACE-MRZ or BAC (``access``), reads EF.COM, EF.SOD
and the data groups COM lists, parses them, runs Passive Authentication, then Chip
Authentication (DG14) and Active Authentication (DG15). Everything read is kept raw in
``ChipRead.files``, and the AA challenge and signature and the CA transcript in
``ChipRead.evidence``, so the central server can verify the read again.

Chip Authentication runs once every file is read, not right after DG14: if it fails, the
session is gone (the chip and we no longer share keys), and reading the portrait would need a
second access. Done last, a clone is still read whole and reported, and Active Authentication
then runs under the Chip Authentication keys, whose switch the SELECT of the proof has shown.

The transport stack, from the card up: the caller's transport, ``Cancellable`` (stops between
two APDUs), ``Recorder`` (counts exchanges), then the secure channel once access succeeds.

A read can outlive its session (``kiosk.emrtd.resume``): given a ``ReadJournal``, a call on the
card put back opens it again (with the protocol that worked first), reads EF.SOD's first chunk
again and raises ``CardReplaced`` if it differs from the bytes held, then reads only what is
missing, from the last verified offset. Given ``probe``, the first read on a reader of unknown
capacity finds the largest READ BINARY it carries (``kiosk.emrtd.read_size``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from kiosk.emrtd.access import AccessKey, open_access, pace_info, read_card_access
from kiosk.emrtd.atr import card_type
from kiosk.emrtd.auth.active import (
    ActiveAuthenticationEvidence,
    ActiveAuthenticationOutcome,
    authenticate_active,
)
from kiosk.emrtd.auth.chip import (
    ChipAuthenticationOutcome,
    ChipAuthenticationTranscript,
    authenticate_chip,
)
from kiosk.emrtd.auth.passive import verify_passive
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import (
    CheckResult,
    ChipVerdictResult,
    decide_chip_verdict,
)
from kiosk.emrtd.errors import AccessDenied, CardReplaced, MalformedData, PartialRead
from kiosk.emrtd.files import (
    EF_CARD_ACCESS,
    EF_COM,
    EF_SOD,
    ElementaryFile,
    ProgressCallback,
    ReadSettings,
    data_group,
    read_binary,
    read_file,
    select_file,
)
from kiosk.emrtd.keys import TD1MRZ, parse_td1
from kiosk.emrtd.lds import com as com_file
from kiosk.emrtd.lds import dg1 as dg1_file
from kiosk.emrtd.lds import dg2 as dg2_file
from kiosk.emrtd.lds import dg13 as dg13_file
from kiosk.emrtd.lds import dg14 as dg14_file
from kiosk.emrtd.lds import dg15 as dg15_file
from kiosk.emrtd.lds.dg2 import FaceImage
from kiosk.emrtd.lds.dg13 import DG13File
from kiosk.emrtd.read_size import announced_settings, limited_settings, probe_read_limit
from kiosk.emrtd.resume import AccessMemory, ReadJournal
from kiosk.emrtd.transport import Cancellable, Recorder, Transport

READ_ORDER = (1, 13, 14, 15, 2)
"""Small files first, the portrait last: the officer sees the identity early, and a card lifted
during the long DG2 read loses the least. DG3 (fingerprints) needs Terminal Authentication and
is never asked for."""

REQUIRED_GROUPS = (1, 2)


@dataclass(frozen=True, slots=True)
class AuthenticationEvidence:
    """What Chip and Active Authentication exchanged, for the central server to judge again."""

    chip_authentication: ChipAuthenticationTranscript | None = None
    active_authentication: ActiveAuthenticationEvidence | None = None


@dataclass(frozen=True, slots=True)
class ChipRead:
    """Everything a read proved and produced. Holds personal data: never log it.

    Attributes:
        access: the protocol that opened the chip ("PACE-CAN", "PACE-MRZ" or "BAC").
        files: the raw files by name ("EF.COM", "EF.SOD", "DG1", ...), kept as evidence.
        mrz: DG1's MRZ, parsed and checked.
        personal: DG13, or None when the chip has none.
        portrait: the face image record of DG2 (image bytes undecoded).
        evidence: the AA challenge and signature and the CA transcript.
        warnings: disagreements between DG1 and DG13, and MRZ findings that do not stop the read.
        apdus: the number of APDU exchanges the read took (every session).
        timings_ms: milliseconds per phase ("access", each file, "verify"), every session.
        sessions: how many times the chip was opened (1, plus one per resumption).
        access_attempts: access attempts made on this card, every session counted.
    """

    access: str
    files: Mapping[str, bytes]
    mrz: TD1MRZ
    personal: DG13File | None
    portrait: FaceImage
    passive_authentication: CheckResult
    chip_authentication: CheckResult
    active_authentication: CheckResult
    verdict: ChipVerdictResult
    evidence: AuthenticationEvidence
    warnings: tuple[str, ...]
    apdus: int
    timings_ms: Mapping[str, float]
    sessions: int = 1
    access_attempts: int = 1


def read_document(
    transport: Transport,
    keys: Sequence[AccessKey],
    trust: TrustStore,
    *,
    today: date,
    settings: ReadSettings | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    reset: Callable[[], None] | None = None,
    rng: Callable[[int], bytes] = os.urandom,
    journal: ReadJournal | None = None,
    memory: AccessMemory | None = None,
    atr: bytes = b"",
    read_limit: int | None = None,
    probe: bool = False,
) -> ChipRead:
    """Read and verify the document on ``transport``.

    Args:
        transport: the plain link to the card.
        keys: access keys: CANs for PACE, MRZ keys for PACE and BAC (several when only the
            birth date is known and each possible expiry is tried).
        trust: the CSCA anchors for Passive Authentication.
        today: the current date (MRZ centuries, certificate validity).
        settings: chunking and extended length when already known for this kind of chip;
            None reads EF.ATR/INFO and uses extended length only when the chip announces it.
        progress: called per access attempt and per file chunk.
        cancel: checked before every APDU.
        reset: resets the card between access attempts (a warm reset, or RF off and on).
        rng: the random source of the protocols (fixed only in known-answer tests).
        journal: the card's read so far; pass the same one again on the card put back after
            a ``PartialRead`` or ``CardRemoved`` to resume (see ``kiosk.emrtd.resume``).
        memory: the access protocol per card type: recalled to order the attempts, and told
            what worked.
        atr: the card's ATR, whose historical bytes name its type for ``memory``.
        read_limit: the largest READ BINARY the reader is known to carry.
        probe: find that largest size on this read (the reader's model is new); the result
            is in ``journal.read_limit``.

    Raises:
        FileNotFound: the card has no eMRTD application (an old barcode card, a dead chip).
        AccessDenied: every key was refused (``wrong_key``) or the chip refused the protocol.
        Cancelled: ``cancel`` was set; the read stopped between two APDUs.
        PartialRead: the card left part-way; says which file and how far.
        ReadLimitExceeded: probing found the reader's limit and broke the session.
        CardReplaced: the card put back is not the one the journal's files came from.
        MalformedData: a file does not have the structure the standard requires.
    """
    journal = journal if journal is not None else ReadJournal()
    timings = journal.timings_ms
    recorder = Recorder(Cancellable(transport, cancel or threading.Event()))
    try:
        with _timed(timings, "access"):
            card_access = read_card_access(recorder)
            if journal.settings is None:
                journal.settings = settings or announced_settings(recorder)
            limit = read_limit if journal.read_limit is None else journal.read_limit
            chosen = limited_settings(journal.settings, limit)
            kind = card_type(atr, card_access)
            channel = _open(
                recorder, keys, card_access, kind, journal, memory, reset, rng, progress
            )
        _check_same_card(channel, journal, chosen)
        probing = probe and limit is None and chosen.extended_length
        files = _read_files(channel, chosen, progress, cancel, journal, probing)
        if card_access is not None:
            files = {EF_CARD_ACCESS.name: card_access, **files}
        with _timed(timings, "verify"):
            checked = _verify(files, trust, today)
        chip, active = _clone_checks(channel, recorder, files, rng, timings)
    finally:
        journal.apdus += len(recorder.exchanges)
    return ChipRead(
        access=journal.access or "",
        files=files,
        mrz=checked.mrz,
        personal=checked.personal,
        portrait=checked.portrait,
        passive_authentication=checked.passive,
        chip_authentication=chip.result,
        active_authentication=active.result,
        verdict=decide_chip_verdict(checked.passive, chip.result, active.result),
        evidence=AuthenticationEvidence(chip.transcript, active.evidence),
        warnings=(*checked.mrz.warnings, *_disagreements(checked.mrz, checked.personal)),
        apdus=journal.apdus,
        timings_ms=dict(timings),
        sessions=journal.sessions,
        access_attempts=journal.attempts,
    )


def _open(
    link: Transport,
    keys: Sequence[AccessKey],
    card_access: bytes | None,
    kind: str,
    journal: ReadJournal,
    memory: AccessMemory | None,
    reset: Callable[[], None] | None,
    rng: Callable[[int], bytes],
    progress: ProgressCallback | None,
) -> Transport:
    """Open the chip, the protocol that worked on this card (or this type) first.

    Raises:
        CardReplaced: keys that opened the card before a loss prove wrong for the card put
            back: another card.
    """
    journal.card_type = kind
    prefer = journal.access or (memory.recall(kind) if memory is not None else None)

    def count(_protocol: str) -> None:
        journal.attempts += 1

    try:
        access, channel = open_access(
            link,
            keys,
            pace_info(card_access),
            reset=reset,
            rng=rng,
            progress=progress,
            prefer=prefer,
            on_attempt=count,
        )
    except AccessDenied as err:
        if journal.access is None or not err.wrong_key:
            raise
        journal.forget_files()  # the keys opened the card that was lifted: this is another
        raise CardReplaced("access key") from err
    journal.access = access
    journal.sessions += 1
    if memory is not None:
        memory.remember(kind, access)
    return channel


def _check_same_card(channel: Transport, journal: ReadJournal, settings: ReadSettings) -> None:
    """Prove that the card opened holds the EF.SOD whose bytes the journal holds.

    Before any byte of EF.SOD is held, nothing can prove it, so what is held (EF.COM at most)
    is dropped and read again. The comparison covers the first chunk (or what is held of it):
    past the header it holds the hash of every data group.

    Raises:
        CardReplaced: the bytes differ.
    """
    held = journal.held(EF_SOD.name)
    if not held:
        journal.forget_files()
        return
    select_file(channel, EF_SOD.fid)
    length = min(len(held), settings.chunk)
    again = read_binary(channel, 0, length, extended=settings.extended_length)
    if again != held[:length]:
        journal.forget_files()
        raise CardReplaced(EF_SOD.name)


def _read_files(
    channel: Transport,
    settings: ReadSettings,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    journal: ReadJournal,
    probe: bool,
) -> dict[str, bytes]:
    """EF.COM, EF.SOD and the data groups COM lists; those the journal holds are not read."""

    def read(ef: ElementaryFile) -> bytes:
        if ef.name not in journal.files:
            with _timed(journal.timings_ms, ef.name):
                journal.files[ef.name] = _read_one(channel, ef, settings, progress, cancel, journal)
        return journal.files[ef.name]

    if probe:
        probe_read_limit(channel, settings, journal)
    files = {EF_COM.name: read(EF_COM)}
    present = com_file.parse(files[EF_COM.name]).data_groups
    missing = [n for n in REQUIRED_GROUPS if n not in present]
    if missing:
        raise MalformedData("EF.COM", f"DG{missing[0]} is not listed")
    files[EF_SOD.name] = read(EF_SOD)
    for number in READ_ORDER:
        if number in present:
            ef = data_group(number)
            files[ef.name] = read(ef)
    return files


def _read_one(
    channel: Transport,
    ef: ElementaryFile,
    settings: ReadSettings,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    journal: ReadJournal,
) -> bytes:
    """Read ``ef`` from where the journal left it; keep the verified part if the card leaves."""
    try:
        data = read_file(
            channel,
            ef,
            settings=settings,
            progress=progress,
            cancel=cancel,
            resume=journal.partial.get(ef.name, b""),
        )
    except PartialRead as err:
        journal.partial[ef.name] = err.partial
        raise
    journal.partial.pop(ef.name, None)
    return data


@dataclass(frozen=True, slots=True)
class _Checked:
    mrz: TD1MRZ
    personal: DG13File | None
    portrait: FaceImage
    passive: CheckResult


def _verify(files: dict[str, bytes], trust: TrustStore, today: date) -> _Checked:
    mrz = parse_td1(dg1_file.parse(files["DG1"]).mrz, today=today)
    personal = dg13_file.parse(files["DG13"]) if "DG13" in files else None
    portrait = dg2_file.parse(files["DG2"]).portrait
    by_number = {int(name[2:]): data for name, data in files.items() if name.startswith("DG")}
    issued = personal.date_of_issue.value if personal and personal.date_of_issue else None
    passive = verify_passive(files[EF_SOD.name], by_number, trust, issued_on=issued, today=today)
    return _Checked(mrz, personal, portrait, passive)


def _clone_checks(
    channel: Transport,
    link: Transport,
    files: Mapping[str, bytes],
    rng: Callable[[int], bytes],
    timings: dict[str, float],
) -> tuple[ChipAuthenticationOutcome, ActiveAuthenticationOutcome]:
    """Chip Authentication, then Active Authentication over the channel it leaves.

    Passive Authentication was given DG14 and DG15 with the other files, so the verdict rule
    can count these checks only when the issuer signed the keys they use.
    """
    dg14 = dg14_file.parse(files["DG14"]) if "DG14" in files else None
    dg15 = dg15_file.parse(files["DG15"]) if "DG15" in files else None
    with _timed(timings, "chip_authentication"):
        chip = authenticate_chip(channel, link, dg14, rng)
    with _timed(timings, "active_authentication"):
        active = authenticate_active(chip.channel, dg15, dg14, rng)
    return chip, active


def _disagreements(mrz: TD1MRZ, personal: DG13File | None) -> list[str]:
    if personal is None:
        return ["dg13_absent"]
    found = []
    if personal.id_number is not None and personal.id_number != mrz.id_number:
        found.append("id_number_dg1_dg13_differ")
    birth = personal.date_of_birth.value if personal.date_of_birth else None
    if birth is not None and birth != mrz.date_of_birth:
        found.append("date_of_birth_dg1_dg13_differ")
    sex = {"Nam": "M", "Nữ": "F"}.get(personal.sex or "")
    if sex is not None and sex != mrz.sex:
        found.append("sex_dg1_dg13_differ")
    return found


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the block's wall time in milliseconds to ``timings[name]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + (time.perf_counter() - start) * 1000
