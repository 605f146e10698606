"""Bounded BER-TLV reading and writing (ISO/IEC 7816-4 §5.2, ICAO 9303-10 §4.4).

Everything a chip sends is untrusted: every length is checked against the bytes actually
present, tags are at most three bytes, lengths at most four bytes, nesting at most
``MAX_DEPTH`` levels, and indefinite lengths are refused (the LDS is DER-encoded; the CMS inside
EF.SOD is handed to the ASN.1 library, which copes with BER on its own). Any violation raises
``MalformedData`` and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kiosk.emrtd.errors import MalformedData

MAX_DEPTH = 16
"""Deepest nesting accepted; the deepest LDS structure (DG2 in CBEFF) needs five."""

MAX_TAG_BYTES = 3
MAX_LENGTH_BYTES = 4


@dataclass(frozen=True, slots=True)
class TLV:
    """One decoded data object.

    Attributes:
        tag: the tag bytes as an integer (0x5F1F, 0x7F61, ...).
        value: the value bytes.
        offset: where the value starts in the buffer it was read from (for error reports).
        depth: nesting level, 0 for a top-level object.
    """

    tag: int
    value: bytes
    offset: int = 0
    depth: int = 0

    @property
    def is_constructed(self) -> bool:
        """Whether the value is itself a sequence of data objects (bit 6 of the first byte)."""
        return bool(_first_tag_byte(self.tag) & 0x20)

    def children(self) -> list[TLV]:
        """Decode the value as a sequence of data objects, one level deeper."""
        if self.depth + 1 > MAX_DEPTH:
            raise MalformedData("TLV", "nesting too deep", self.offset)
        return list(iter_tlvs(self.value, base_offset=self.offset, depth=self.depth + 1))

    def child(self, tag: int) -> TLV:
        """The first child with ``tag``; a missing one is malformed data."""
        found = self.find(tag)
        if found is None:
            raise MalformedData("TLV", f"tag {tag:X} missing inside {self.tag:X}", self.offset)
        return found

    def find(self, tag: int) -> TLV | None:
        """The first child with ``tag``, or None."""
        return next((c for c in self.children() if c.tag == tag), None)


def _first_tag_byte(tag: int) -> int:
    while tag > 0xFF:
        tag >>= 8
    return tag


def read_tag(data: bytes, offset: int) -> tuple[int, int]:
    """Decode a tag at ``offset``; return the tag and the offset after it."""
    if offset >= len(data):
        raise MalformedData("TLV", "tag expected, data ended", offset)
    first = data[offset]
    tag = first
    pos = offset + 1
    if first & 0x1F == 0x1F:
        while True:
            if pos >= len(data):
                raise MalformedData("TLV", "tag ended early", offset)
            if pos - offset >= MAX_TAG_BYTES:
                raise MalformedData("TLV", "tag too long", offset)
            byte = data[pos]
            tag = (tag << 8) | byte
            pos += 1
            if not byte & 0x80:
                break
    return tag, pos


def read_length(data: bytes, offset: int) -> tuple[int, int]:
    """Decode a definite length at ``offset``; return the length and the offset after it."""
    if offset >= len(data):
        raise MalformedData("TLV", "length expected, data ended", offset)
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    count = first & 0x7F
    if count == 0:
        raise MalformedData("TLV", "indefinite length refused", offset)
    if count > MAX_LENGTH_BYTES:
        raise MalformedData("TLV", "length field too long", offset)
    end = offset + 1 + count
    if end > len(data):
        raise MalformedData("TLV", "length field ended early", offset)
    return int.from_bytes(data[offset + 1 : end], "big"), end


def read_header(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Decode tag and length only; return ``(tag, length, value_offset)``.

    Used to learn a file's total size from its first bytes before the rest is read.
    """
    tag, pos = read_tag(data, offset)
    length, pos = read_length(data, pos)
    return tag, length, pos


def read_tlv(
    data: bytes, offset: int = 0, *, base_offset: int = 0, depth: int = 0
) -> tuple[TLV, int]:
    """Decode one data object at ``offset``; return it and the offset after it."""
    tag, length, start = read_header(data, offset)
    end = start + length
    if end > len(data):
        raise MalformedData("TLV", f"value of tag {tag:X} runs past the data", base_offset + offset)
    return TLV(tag, bytes(data[start:end]), base_offset + start, depth), end


def iter_tlvs(data: bytes, *, base_offset: int = 0, depth: int = 0) -> Iterator[TLV]:
    """Decode consecutive data objects filling ``data`` exactly.

    ISO 7816-4 allows 00 and FF padding between objects; it is skipped.
    """
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):
            pos += 1
            continue
        item, pos = read_tlv(data, pos, base_offset=base_offset, depth=depth)
        yield item


def decode(data: bytes, expected_tag: int | None = None) -> TLV:
    """Decode exactly one data object that fills ``data`` (trailing bytes are malformed)."""
    item, end = read_tlv(data)
    if end != len(data):
        raise MalformedData("TLV", "trailing bytes after the object", end)
    if expected_tag is not None and item.tag != expected_tag:
        raise MalformedData("TLV", f"tag {item.tag:X} where {expected_tag:X} was expected", 0)
    return item


def encode_tag(tag: int) -> bytes:
    """The bytes of ``tag``."""
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_length(length: int) -> bytes:
    """The shortest definite-length encoding of ``length``."""
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(body) > MAX_LENGTH_BYTES:
        raise ValueError("length too large")
    return bytes([0x80 | len(body)]) + body


def encode(tag: int, value: bytes) -> bytes:
    """One data object: tag, length, value."""
    return encode_tag(tag) + encode_length(len(value)) + value
