"""The Answer-to-Reset's historical bytes (ISO/IEC 7816-3 §8.2), and the card type they name.

A chip's ATR (or, contactless, the one PC/SC builds from the ATS or ATQB) ends with historical
bytes that name the chip's operating system and capabilities; with a hash of EF.CardAccess
(which names the PACE parameters) they tell card types apart well enough to remember which
access protocol a type accepts. The UID never serves: eMRTDs randomise it.
"""

from __future__ import annotations

import hashlib

from kiosk.emrtd.errors import MalformedData

_TS = frozenset({0x3B, 0x3F})
"""Direct and inverse convention, the only two initial characters an ATR may start with."""


def historical_bytes(atr: bytes) -> bytes:
    """The K historical bytes that T0 announces, after the interface bytes.

    Raises:
        MalformedData: the ATR does not start with TS, or is shorter than its T0 and TDi say.
    """
    if len(atr) < 2 or atr[0] not in _TS:
        raise MalformedData("ATR", "no initial character and format byte")
    count = atr[1] & 0x0F
    position, indicator = 2, atr[1] >> 4
    while True:
        present = bin(indicator).count("1")
        if position + present > len(atr):
            raise MalformedData("ATR", "interface bytes missing", position)
        position += present
        if not indicator & 0x08:
            break
        indicator = atr[position - 1] >> 4
    if position + count > len(atr):
        raise MalformedData("ATR", "historical bytes missing", position)
    return atr[position : position + count]


def card_type(atr: bytes, card_access: bytes | None) -> str:
    """A stable name for a kind of chip: its historical bytes and the SHA-256 of EF.CardAccess.

    An ATR that cannot be parsed stands for itself. Holds nothing personal: both parts are the
    same on every card of a type.
    """
    try:
        head = historical_bytes(atr)
    except MalformedData:
        head = atr
    return f"{head.hex()}:{hashlib.sha256(card_access or b'').hexdigest()}"
