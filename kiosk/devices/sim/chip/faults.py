"""Misbehaviour on request: the faults a simulated chip can be built with.

The names are a stable contract (design.md, "Command line": ``kiosk card sim list`` prints
``FAULTS``). Each fault imitates one thing that goes wrong with real cards, so the reader's
handling of it can be tested end to end:

- ``bad-mac``: the first protected READ BINARY answer carries a wrong MAC (a damaged or
  hostile chip); the reader must drop the session (ICAO 9303-11 §9.8.5).
- ``truncated-file``: DG2 ends early, its TLV length promising more bytes than the file has.
- ``removed-mid-read``: the card leaves the field half-way through DG2.
- ``forged-sod``: DG13 is changed after EF.SOD was signed; Passive Authentication must name it.
- ``unknown-signer``: EF.SOD is signed by a CSCA/Document Signer pair generated on the spot,
  not the installation's test CSCA, so no trust store holds its anchor.
- ``no-extended-length``: the chip refuses extended-length APDUs (6700) and does not advertise
  them, as many older chips do.
- ``clone-aa``: the same data (DG15 and EF.SOD of the genuine card), but the chip signs Active
  Authentication with another private key: a copy of the data on a chip of the copier's own.
- ``clone-ca``: the same for Chip Authentication: DG14 announces the genuine key, the chip
  agrees with another one, so the next protected answer fails its MAC.
- ``no-pace``: no EF.CardAccess, and MSE:Set AT for PACE is refused (6A80); BAC still works.
- ``no-emrtd``: not a CCCD chip at all but a card without the eMRTD application, such as a
  bank card (a payment application only) put on the reader in its place; like an old barcode
  CCCD or a CMND, it answers 6A82 to SELECT of the eMRTD AID, has no EF.CardAccess, and refuses
  PACE (6A80). design.md gives it a plain message: Level 2 cannot be done with it here.

Build-time faults change the files (``truncate``, ``forge_dg13``, ``removal_offset``,
``unknown_signer``); ``MACCorruptor`` acts while the chip runs; the clone faults change the
chip's private keys (``chip.keys``); ``no-pace`` leaves PACE out of the profile.
"""

from __future__ import annotations

import dataclasses
import tempfile
from enum import StrEnum
from pathlib import Path

from kiosk.devices.sim import pki
from kiosk.emrtd.apdu import ResponseAPDU
from kiosk.emrtd.lds import dg13


class Fault(StrEnum):
    """A misbehaviour of the simulated chip, by its command-line name."""

    BAD_MAC = "bad-mac"
    TRUNCATED_FILE = "truncated-file"
    REMOVED_MID_READ = "removed-mid-read"
    FORGED_SOD = "forged-sod"
    UNKNOWN_SIGNER = "unknown-signer"
    NO_EXTENDED_LENGTH = "no-extended-length"
    CLONE_AA = "clone-aa"
    CLONE_CA = "clone-ca"
    NO_PACE = "no-pace"
    NO_EMRTD = "no-emrtd"


FAULTS: tuple[str, ...] = tuple(fault.value for fault in Fault)
"""The fault names, in a stable order, for ``kiosk card sim list``."""

FORGED_RESIDENCE = "Số 99 phố Giả Mạo, Phường Hàng Bạc, Hà Nội"
"""What ``forge_dg13`` writes into the place of residence (fictitious, and plainly so)."""

_READ_BINARY = frozenset({0xB0, 0xB1})


def truncate(content: bytes) -> bytes:
    """``content`` without its last third, its TLV header still declaring the full length."""
    return content[: len(content) - len(content) // 3]


def removal_offset(content: bytes) -> int:
    """The offset past which a read of ``content`` pulls the card: half-way through."""
    return len(content) // 2


def forge_dg13(data: bytes) -> bytes:
    """DG13 with another place of residence, as a forger would change it after signing."""
    original = dg13.parse(data)
    return dg13.encode(dataclasses.replace(original, place_of_residence=FORGED_RESIDENCE))


def unknown_signer() -> pki.TestPKI:
    """A fresh CSCA and Document Signer that no trust store holds.

    It is generated in a temporary folder that is deleted at once: only the keys and
    certificates in memory are used, and nobody can ever trust this CSCA.
    """
    with tempfile.TemporaryDirectory(prefix="kiosk-unknown-signer-") as folder:
        return pki.load_or_create(Path(folder))


class MACCorruptor:
    """The ``bad-mac`` fault at run time: spoils the MAC of the first protected read answer.

    The last byte of a protected response is the last byte of DO'8E' (ICAO 9303-11 §9.8.5),
    so flipping it leaves every other object intact and only the MAC check can notice.
    """

    def __init__(self, active: bool) -> None:
        self._active = active
        self._pending = active

    def rearm(self) -> None:
        """Spoil the first read answer again: called when the card is reset."""
        self._pending = self._active

    def protected_response(self, ins: int, response: ResponseAPDU) -> ResponseAPDU:
        """``response`` as the chip sends it: spoiled once, for the first READ BINARY answer."""
        if not self._pending or ins not in _READ_BINARY or not response.data:
            return response
        self._pending = False
        spoiled = response.data[:-1] + bytes((response.data[-1] ^ 0x01,))
        return ResponseAPDU(spoiled, response.sw1, response.sw2)
