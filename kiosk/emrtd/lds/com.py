"""EF.COM: the LDS version, the Unicode version and the list of data groups present.

ICAO 9303-10 §4.6.1: ``60 { 5F01 LDS version "aabb", 5F36 Unicode version "aabbcc", 5C tags }``.
The tag list is what the chip claims to hold; a reader still tries the files it needs, since
EF.COM is not covered by the SOD.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData

TAG_COM = 0x60
TAG_LDS_VERSION = 0x5F01
TAG_UNICODE_VERSION = 0x5F36
TAG_TAG_LIST = 0x5C

DATA_GROUP_TAGS: Mapping[int, int] = {
    1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68,
    9: 0x69, 10: 0x6A, 11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70,
}  # fmt: skip
"""Data group number -> the tag its file starts with (ICAO 9303-10 §4.6.1, Table 33)."""

_NUMBER_BY_TAG = {tag: number for number, tag in DATA_GROUP_TAGS.items()}


@dataclass(frozen=True, slots=True)
class COMFile:
    """The decoded EF.COM.

    Attributes:
        lds_version: four digits "aabb" (for example "0107" for LDS 1.7).
        unicode_version: six digits "aabbcc" (for example "040000").
        tags: the data group tags listed, in the chip's order.
    """

    lds_version: str
    unicode_version: str
    tags: tuple[int, ...]

    @property
    def data_groups(self) -> tuple[int, ...]:
        """The data group numbers listed (tags that name no data group are left out)."""
        return tuple(_NUMBER_BY_TAG[tag] for tag in self.tags if tag in _NUMBER_BY_TAG)


def parse(data: bytes) -> COMFile:
    """Decode EF.COM; anything but the structure of ICAO 9303-10 §4.6.1 is ``MalformedData``."""
    com = tlv.decode(data, TAG_COM)
    return COMFile(
        lds_version=_digits(com.child(TAG_LDS_VERSION).value, 4),
        unicode_version=_digits(com.child(TAG_UNICODE_VERSION).value, 6),
        tags=tuple(com.child(TAG_TAG_LIST).value),
    )


def encode(com: COMFile) -> bytes:
    """Build EF.COM, as the simulated chip serves it."""
    return tlv.encode(
        TAG_COM,
        tlv.encode(TAG_LDS_VERSION, com.lds_version.encode("ascii"))
        + tlv.encode(TAG_UNICODE_VERSION, com.unicode_version.encode("ascii"))
        + tlv.encode(TAG_TAG_LIST, bytes(com.tags)),
    )


def _digits(value: bytes, size: int) -> str:
    if len(value) != size or not all(0x30 <= byte <= 0x39 for byte in value):
        raise MalformedData("EF.COM", f"version is not {size} digits")
    return value.decode("ascii")
