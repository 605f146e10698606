"""EF.DG1: the machine readable zone as the chip stores it.

ICAO 9303-10 §4.7.1: ``61 { 5F1F <MRZ characters> }``; TD1 cards (the CCCD) hold 90
characters, TD2 72 and TD3 88, with no line separators. This module returns the MRZ text only:
the TD1 fields and their check digits are parsed once, by ``kiosk.emrtd.keys.parse_td1``
(to be connected by the public API), so that the rules live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData

TAG_DG1 = 0x61
TAG_MRZ = 0x5F1F

MRZ_LENGTHS = (90, 72, 88)
"""TD1, TD2 and TD3 MRZ sizes (ICAO 9303-5, -6, -4)."""

_MRZ_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


@dataclass(frozen=True, slots=True)
class DG1File:
    """The decoded DG1.

    Attributes:
        mrz: the MRZ characters run together (90 for a TD1 card); personal data, never log it.
    """

    mrz: str

    @property
    def lines(self) -> tuple[str, ...]:
        """The MRZ split into its printed lines (three of 30 for TD1, two otherwise)."""
        width = 30 if len(self.mrz) == MRZ_LENGTHS[0] else len(self.mrz) // 2
        return tuple(self.mrz[i : i + width] for i in range(0, len(self.mrz), width))


def parse(data: bytes) -> DG1File:
    """Decode DG1; refuses an MRZ of a size or alphabet ICAO 9303-3 §4.3 does not allow."""
    value = tlv.decode(data, TAG_DG1).child(TAG_MRZ).value
    if len(value) not in MRZ_LENGTHS:
        raise MalformedData("DG1", "MRZ has an unexpected length")
    if not _MRZ_ALPHABET.issuperset(value):
        raise MalformedData("DG1", "MRZ holds a character outside A-Z 0-9 <")
    return DG1File(mrz=value.decode("ascii"))


def encode(mrz: str) -> bytes:
    """Build DG1 around ``mrz`` (lines run together), as the simulated chip serves it."""
    return tlv.encode(TAG_DG1, tlv.encode(TAG_MRZ, mrz.encode("ascii")))
