"""EF.CardAccess: the SecurityInfos a chip shows before any access (ICAO 9303-11 §3.11.2).

The file is a bare ``SecurityInfos`` SET (no application tag); the PACE parameters come from
it. Some CCCD stacks cannot read it, so ``CCCD_CARD_ACCESS`` holds the constant that Vietnamese
apps hard-code (facts/cccd.md §1.3): a fallback only, since no raw card dump confirms it.
"""

from __future__ import annotations

from kiosk.emrtd.lds import security_infos
from kiosk.emrtd.lds.security_infos import SecurityInfos

CCCD_CARD_ACCESS = bytes.fromhex(
    "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007"
    "020204020202010202010d"
)
"""TA v1; CA ECDH AES-128 v1; PACE ECDH-GM AES-128 v2 with parameter 13 (brainpoolP256r1)."""


def parse(data: bytes) -> SecurityInfos:
    """Decode EF.CardAccess."""
    return security_infos.parse(data)


def encode(infos: SecurityInfos) -> bytes:
    """Build EF.CardAccess, as the simulated chip serves it."""
    return security_infos.encode(infos)
