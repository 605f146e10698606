"""Opening the chip: EF.CardAccess first, then PACE-CAN, PACE-MRZ and BAC (design.md's order).

EF.CardAccess is read before any SELECT of the application (ICAO 9303-11 §4.2): READ BINARY
with its short file identifier 1C, else SELECT 011C and READ BINARY (some CCCD stacks answer
6D00 to SELECT MF, facts/cccd.md §1.1). Its first PACEInfo this library supports gives the
PACE parameters; only when the file cannot be read is the constant that Vietnamese apps
hard-code used (``CCCD_CARD_ACCESS``), since no raw card dump confirms it.

Attempts run in order, the card reset between them: PACE with each CAN, PACE with each MRZ
key, BAC with each MRZ key. A wrong key moves on to the next attempt; a chip that refuses PACE
itself (no PACE, an unknown step answer) moves on to BAC; any other refusal stops the read.
When the caller remembers which protocol opened the last card of this type, that protocol's
attempts go first and the others keep their order after it: nothing is skipped, so a card that
only looks like the remembered type still gets every attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kiosk.emrtd.bac import run_bac
from kiosk.emrtd.crypto.agreement import Random
from kiosk.emrtd.errors import AccessDenied, MalformedData, StatusWordError, UnsupportedFeature
from kiosk.emrtd.files import (
    DEFAULT_SETTINGS,
    EF_CARD_ACCESS,
    ProgressCallback,
    ReadSettings,
    read_file,
    select_application,
)
from kiosk.emrtd.keys import CANKey, MRZKey
from kiosk.emrtd.lds import card_access
from kiosk.emrtd.lds.card_access import CCCD_CARD_ACCESS
from kiosk.emrtd.lds.security_infos import PACEInfo
from kiosk.emrtd.pace import PROTOCOL as PACE_PROTOCOL
from kiosk.emrtd.pace import protocol_for, run_pace
from kiosk.emrtd.transport import Transport

ACCESS_PACE_CAN = "PACE-CAN"
ACCESS_PACE_MRZ = "PACE-MRZ"
ACCESS_BAC = "BAC"

AccessKey = MRZKey | CANKey
"""A key the officer has: the CAN (PACE only) or the MRZ key (PACE and BAC)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One way to open the chip: the protocol's name as ``ChipRead.access`` reports it."""

    name: str
    key: AccessKey = field(repr=False)


def read_card_access(link: Transport) -> bytes | None:
    """EF.CardAccess as the chip serves it, or None when it cannot be read.

    Tried with READ BINARY by short file identifier, then with SELECT 011C.
    """
    for settings in (ReadSettings(use_sfi=True), DEFAULT_SETTINGS):
        try:
            return read_file(link, EF_CARD_ACCESS, settings=settings)
        except (StatusWordError, MalformedData):
            continue
    return None


def pace_info(card_access_data: bytes | None) -> PACEInfo | None:
    """The first PACEInfo this library runs; the CCCD constant only when the file is unread.

    A file that is present but malformed, or offers only unsupported PACE variants, gives None:
    the chip said what it does, and it is not what the constant claims.
    """
    try:
        infos = card_access.parse(card_access_data or CCCD_CARD_ACCESS)
    except MalformedData:
        return None
    for info in infos.pace:
        try:
            protocol_for(info)
        except UnsupportedFeature:
            continue
        return info
    return None


def attempts(
    keys: Sequence[AccessKey], info: PACEInfo | None, prefer: str | None = None
) -> list[Attempt]:
    """The attempts in design.md's order (PACE-CAN, PACE-MRZ, BAC), ``prefer``'s moved first."""
    cans = [k for k in keys if isinstance(k, CANKey)]
    mrz_keys = [k for k in keys if isinstance(k, MRZKey)]
    pace = [Attempt(ACCESS_PACE_CAN, k) for k in cans] + [
        Attempt(ACCESS_PACE_MRZ, k) for k in mrz_keys
    ]
    plan = (pace if info is not None else []) + [Attempt(ACCESS_BAC, k) for k in mrz_keys]
    return sorted(plan, key=lambda attempt: attempt.name != prefer)


def open_access(
    link: Transport,
    keys: Sequence[AccessKey],
    info: PACEInfo | None,
    *,
    reset: Callable[[], None] | None,
    rng: Random,
    progress: ProgressCallback | None,
    prefer: str | None = None,
    on_attempt: Callable[[str], None] | None = None,
) -> tuple[str, Transport]:
    """Run the attempts until one opens the chip; the protocol's name and the secure channel.

    ``prefer`` names the protocol to try first (see ``attempts``); ``on_attempt`` is told the
    protocol of each attempt as it starts, so the caller can count them per card.

    Raises:
        ValueError: no keys were given.
        AccessDenied: every attempt failed: the last wrong-key refusal when there was one
            (``wrong_key``), else the chip's refusal of the protocols.
        FileNotFound: the card has no eMRTD application (asked when no key was wrong).
    """
    if not keys:
        raise ValueError("at least one access key is needed")
    plan = attempts(keys, info, prefer)
    refusals: list[AccessDenied] = []
    pace_refused = False
    for attempt in plan:
        if pace_refused and attempt.name != ACCESS_BAC:
            continue
        if progress is not None:
            progress("access", len(refusals), len(plan))
        if refusals and reset is not None:
            reset()
        if on_attempt is not None:
            on_attempt(attempt.name)
        try:
            return attempt.name, _run(attempt, link, info, rng)
        except AccessDenied as err:
            if not err.wrong_key and err.protocol != PACE_PROTOCOL:
                raise
            pace_refused = pace_refused or not err.wrong_key
            refusals.append(err)
    wrong_key = next((e for e in reversed(refusals) if e.wrong_key), None)
    if wrong_key is not None:
        raise wrong_key
    # Nothing opened the chip and no key was wrong: a card without the eMRTD application (an
    # old CCCD, a CMND, a bank card) refuses PACE the same way, so ask it plainly (FileNotFound).
    if reset is not None:
        reset()
    select_application(link)
    if not refusals:
        raise AccessDenied(PACE_PROTOCOL, "EF.CardAccess")  # only a CAN, and no PACE offered
    raise refusals[-1]


def _run(attempt: Attempt, link: Transport, info: PACEInfo | None, rng: Random) -> Transport:
    if attempt.name == ACCESS_BAC:
        assert isinstance(attempt.key, MRZKey)  # noqa: S101 - attempts() pairs BAC with MRZ keys
        return run_bac(link, attempt.key, rng).secure_channel(link)
    assert info is not None  # noqa: S101 - attempts() plans PACE only with a PACEInfo
    channel = run_pace(link, attempt.key, info, rng).secure_channel(link)
    select_application(channel)
    return channel
