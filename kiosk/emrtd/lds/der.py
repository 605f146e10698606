"""The few DER primitives the LDS needs beside BER-TLV: OBJECT IDENTIFIER and INTEGER.

ICAO 9303-10 §4.6 encodes the LDS in DER (ITU-T X.690 §8.3 INTEGER, §8.19 OBJECT IDENTIFIER).
Decoding is total: any byte string yields a value or ``MalformedData``. Kept here, not in the
ASN.1 library, so that the small SecurityInfos and DG13 structures are parsed with the bounded
TLV reader only.
"""

from __future__ import annotations

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData

TAG_INTEGER = 0x02
TAG_OID = 0x06
TAG_UTF8_STRING = 0x0C
TAG_PRINTABLE_STRING = 0x13
TAG_IA5_STRING = 0x16
TAG_SEQUENCE = 0x30
TAG_SET = 0x31

MAX_INTEGER_BYTES = 8
"""Integers in the LDS are versions, ids and field numbers; larger ones are refused."""


def decode_integer(value: bytes, what: str) -> int:
    """The signed integer of an INTEGER's value bytes."""
    if not value or len(value) > MAX_INTEGER_BYTES:
        raise MalformedData(what, "bad INTEGER length")
    return int.from_bytes(value, "big", signed=True)


def encode_integer(number: int) -> bytes:
    """An INTEGER data object (shortest two's-complement form)."""
    size = number.bit_length() // 8 + 1
    return tlv.encode(TAG_INTEGER, number.to_bytes(size, "big", signed=True))


def decode_oid(value: bytes, what: str) -> str:
    """The dotted form of an OBJECT IDENTIFIER's value bytes."""
    if not value or value[-1] & 0x80:
        raise MalformedData(what, "bad OBJECT IDENTIFIER")
    arcs: list[int] = []
    current = 0
    for byte in value:
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(current)
            current = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])


def encode_oid(dotted: str) -> bytes:
    """An OBJECT IDENTIFIER data object from its dotted form."""
    first, second, *rest = (int(part) for part in dotted.split("."))
    body = b"".join(_base128(arc) for arc in [40 * first + second, *rest])
    return tlv.encode(TAG_OID, body)


def _base128(arc: int) -> bytes:
    groups = [arc & 0x7F]
    arc >>= 7
    while arc:
        groups.append(0x80 | (arc & 0x7F))
        arc >>= 7
    return bytes(reversed(groups))


def sequence(*items: bytes) -> bytes:
    """A SEQUENCE holding the given encoded items, in order."""
    return tlv.encode(TAG_SEQUENCE, b"".join(items))
