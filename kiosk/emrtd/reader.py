"""Reading one document end to end: select, access, read the files, verify (ICAO 9303-10, -11).

``read_document`` is the short driver over the protocol modules (JMRTD's split): it runs BAC
with each candidate key in turn (resetting the card between attempts), reads EF.COM, EF.SOD and
the data groups COM lists, parses them, and runs Passive Authentication. Everything read is kept
raw in ``ChipRead.files`` as evidence, so the central server can verify the read again.

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

from kiosk.emrtd.auth.passive import verify_passive
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import (
    CheckResult,
    ChipVerdictResult,
    Verdict,
    decide_chip_verdict,
)
from kiosk.emrtd.bac import run_bac
from kiosk.emrtd.errors import AccessDenied, MalformedData, StatusWordError
from kiosk.emrtd.files import (
    DEFAULT_SETTINGS,
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
from kiosk.emrtd.keys import TD1MRZ, MRZKey, parse_td1
from kiosk.emrtd.lds import com as com_file
from kiosk.emrtd.lds import dg1 as dg1_file
from kiosk.emrtd.lds import dg2 as dg2_file
from kiosk.emrtd.lds import dg13 as dg13_file
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

ACCESS_BAC = "BAC"


@dataclass(frozen=True, slots=True)
class ChipRead:
    """Everything a read proved and produced. Holds personal data: never log it.

    Attributes:
        access: the protocol that opened the chip ("BAC"; PACE in part 2).
        files: the raw files by name ("EF.COM", "EF.SOD", "DG1", ...), kept as evidence.
        mrz: DG1's MRZ, parsed and checked.
        personal: DG13, or None when the chip has none.
        portrait: the face image record of DG2 (image bytes undecoded).
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
    warnings: tuple[str, ...]
    apdus: int
    timings_ms: Mapping[str, float]


def read_document(
    transport: Transport,
    keys: Sequence[MRZKey],
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
        keys: access keys to try in order (several when only the birth date is known and each
            possible expiry is tried).
        trust: the CSCA anchors for Passive Authentication.
        today: the current date (MRZ centuries, certificate validity).
        settings: chunking and extended length when already known for this kind of chip;
            None reads EF.ATR/INFO and uses extended length only when the chip announces it.
        progress: called per access attempt and per file chunk.
        cancel: checked before every APDU.
        reset: resets the card between access attempts (a warm reset, or RF off and on).
        rng: the random source of the access protocol (fixed only in known-answer tests).

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
        chosen = settings or announced_settings(recorder)
        access, channel = _access(recorder, keys, reset, rng, progress)
    files = _read_files(channel, chosen, progress, cancel, timings)
    with _timed(timings, "verify"):
        checked = _verify(files, trust, today)
    return ChipRead(
        access=access,
        files=files,
        mrz=checked.mrz,
        personal=checked.personal,
        portrait=checked.portrait,
        passive_authentication=checked.passive,
        chip_authentication=checked.chip,
        active_authentication=checked.active,
        verdict=decide_chip_verdict(checked.passive, checked.chip, checked.active),
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


def _access(
    link: Transport,
    keys: Sequence[MRZKey],
    reset: Callable[[], None] | None,
    rng: Callable[[int], bytes],
    progress: ProgressCallback | None,
) -> tuple[str, Transport]:
    if not keys:
        raise ValueError("at least one access key is needed")
    refused: AccessDenied | None = None
    for attempt, key in enumerate(keys):
        if progress is not None:
            progress("access", attempt, len(keys))
        if attempt and reset is not None:
            reset()
        try:
            result = run_bac(link, key, rng)
        except AccessDenied as err:
            if not err.wrong_key:
                raise
            refused = err
            continue
        return ACCESS_BAC, result.secure_channel(link)
    assert refused is not None  # noqa: S101 - the loop ran at least once and only continues on refusal
    raise refused


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
    chip: CheckResult
    active: CheckResult


def _verify(files: dict[str, bytes], trust: TrustStore, today: date) -> _Checked:
    mrz = parse_td1(dg1_file.parse(files["DG1"]).mrz, today=today)
    personal = dg13_file.parse(files["DG13"]) if "DG13" in files else None
    portrait = dg2_file.parse(files["DG2"]).portrait
    by_number = {int(name[2:]): data for name, data in files.items() if name.startswith("DG")}
    issued = personal.date_of_issue.value if personal and personal.date_of_issue else None
    passive = verify_passive(files[EF_SOD.name], by_number, trust, issued_on=issued, today=today)
    chip = _not_yet_run(14 in by_number, "chip_authentication")
    active = _not_yet_run(15 in by_number, "active_authentication")
    return _Checked(mrz, personal, portrait, passive, chip, active)


def _not_yet_run(offered: bool, check: str) -> CheckResult:
    # Chip and Active Authentication arrive with chip reading part 2; until then a chip that
    # offers them is honestly "not performed" (and so never called genuine), one that does not
    # offer them "not supported".
    if offered:
        return CheckResult(Verdict.NOT_PERFORMED, (f"{check}_not_available",))
    return CheckResult(Verdict.NOT_SUPPORTED)


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
