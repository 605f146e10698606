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
from kiosk.emrtd.errors import MalformedData, StatusWordError
from kiosk.emrtd.files import (
    DEFAULT_SETTINGS,
    EF_CARD_ACCESS,
    EF_COM,
    EF_SOD,
    EXTENDED_CHUNK,
    SHORT_CHUNK,
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
from kiosk.emrtd.tlv import iter_tlvs
from kiosk.emrtd.transport import Cancellable, Recorder, Transport

READ_ORDER = (1, 13, 14, 15, 2)
"""Small files first, the portrait last: the officer sees the identity early, and a card lifted
during the long DG2 read loses the least. DG3 (fingerprints) needs Terminal Authentication and
is never asked for."""

REQUIRED_GROUPS = (1, 2)

EF_ATR_INFO = 0x2F01
"""EF.ATR/INFO in the MF (ISO/IEC 7816-4 §8.4): where a card states its APDU size limits."""

TAG_EXTENDED_LENGTH_INFO = 0x7F66
SM_OVERHEAD = 48
"""Bytes a protected answer adds around the data: DO'87 header and padding, DO'99, DO'8E, SW."""


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
        apdus: the number of APDU exchanges the read took.
        timings_ms: milliseconds per phase ("access", each file, "verify").
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

    Raises:
        FileNotFound: the card has no eMRTD application (an old barcode card, a dead chip).
        AccessDenied: every key was refused (``wrong_key``) or the chip refused the protocol.
        Cancelled: ``cancel`` was set; the read stopped between two APDUs.
        PartialRead: the card left part-way; says which file and how far.
        MalformedData: a file does not have the structure the standard requires.
    """
    timings: dict[str, float] = {}
    recorder = Recorder(Cancellable(transport, cancel or threading.Event()))
    with _timed(timings, "access"):
        card_access = read_card_access(recorder)
        chosen = settings or announced_settings(recorder)
        info = pace_info(card_access)
        access, channel = open_access(recorder, keys, info, reset=reset, rng=rng, progress=progress)
    files = _read_files(channel, chosen, progress, cancel, timings)
    if card_access is not None:
        files = {EF_CARD_ACCESS.name: card_access, **files}
    with _timed(timings, "verify"):
        checked = _verify(files, trust, today)
    chip, active = _clone_checks(channel, recorder, files, rng, timings)
    return ChipRead(
        access=access,
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
        apdus=len(recorder.exchanges),
        timings_ms=timings,
    )


def announced_settings(link: Transport) -> ReadSettings:
    """The read settings the chip's EF.ATR/INFO allows.

    Extended length only when the announced limits hold a whole chunk with the
    secure-messaging overhead; short reads otherwise. A card without the file, or with one
    this code does not understand, is read with short APDUs, which every chip accepts.
    """
    try:
        select_file(link, EF_ATR_INFO)
        info = read_binary(link, 0, 256)
        limits = _extended_length_limits(info)
    except (StatusWordError, MalformedData):
        return DEFAULT_SETTINGS
    if limits is None:
        return DEFAULT_SETTINGS
    chunk = min(EXTENDED_CHUNK, min(limits) - SM_OVERHEAD)
    if chunk <= SHORT_CHUNK:
        return DEFAULT_SETTINGS
    return ReadSettings(extended_length=True, chunk_size=chunk)


def _extended_length_limits(info: bytes) -> tuple[int, int] | None:
    for item in iter_tlvs(info):
        if item.tag == TAG_EXTENDED_LENGTH_INFO:
            sizes = [int.from_bytes(c.value, "big") for c in item.children() if c.tag == 0x02]
            return (sizes[0], sizes[1]) if len(sizes) >= 2 else None
    return None


def _read_files(
    channel: Transport,
    settings: ReadSettings,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    timings: dict[str, float],
) -> dict[str, bytes]:
    def read(ef: ElementaryFile) -> bytes:
        with _timed(timings, ef.name):
            return read_file(channel, ef, settings=settings, progress=progress, cancel=cancel)

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
