"""EF.DG14: the SecurityInfos of Chip Authentication and friends (ICAO 9303-10 §4.7.14).

``6E { SecurityInfos }``. It carries the chip's static Chip Authentication key, so Chip
Authentication proves anything only once Passive Authentication has covered DG14
(design.md, "Reading a CCCD chip").
"""

from __future__ import annotations

from kiosk.emrtd import tlv
from kiosk.emrtd.lds import security_infos
from kiosk.emrtd.lds.security_infos import SecurityInfos

TAG_DG14 = 0x6E


def parse(data: bytes) -> SecurityInfos:
    """Decode DG14 into its SecurityInfos."""
    return security_infos.parse(tlv.decode(data, TAG_DG14).value)


def encode(infos: SecurityInfos) -> bytes:
    """Build DG14, as the simulated chip serves it."""
    return tlv.encode(TAG_DG14, security_infos.encode(infos))
