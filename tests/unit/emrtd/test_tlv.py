"""Worked cases of the bounded BER-TLV reader and writer (ISO/IEC 7816-4 §5.2)."""

from __future__ import annotations

import pytest

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData

H = bytes.fromhex
EF_COM_D4 = H("60145F0104303130365F36063034303030305C026175")  # ICAO 9303-11 App. D.4


def test_ef_com_of_app_d4() -> None:
    com = tlv.decode(EF_COM_D4, 0x60)
    assert com.is_constructed
    assert [c.tag for c in com.children()] == [0x5F01, 0x5F36, 0x5C]
    assert com.child(0x5C).value == H("6175")
    assert com.find(0x5F1F) is None
    with pytest.raises(MalformedData, match="tag 5F1F missing inside 60"):
        com.child(0x5F1F)


def test_nesting_is_capped() -> None:
    deep = tlv.TLV(0x30, tlv.encode(0x30, b""), depth=tlv.MAX_DEPTH)
    with pytest.raises(MalformedData, match="nesting too deep"):
        deep.children()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "tag expected"),
        ("5F", "tag ended early"),
        ("5FFFFF01", "tag too long"),
        ("30", "length expected"),
        ("3080", "indefinite"),
        ("3085", "length field too long"),
        ("308201", "length field ended early"),
        ("3002AA", "runs past"),
        ("3000AA", "trailing bytes"),
    ],
)
def test_malformed(raw: str, reason: str) -> None:
    with pytest.raises(MalformedData, match=reason):
        tlv.decode(H(raw))


def test_unexpected_tag() -> None:
    with pytest.raises(MalformedData, match="tag 31 where 30 was expected"):
        tlv.decode(H("3100"), 0x30)


def test_padding_between_objects_is_skipped() -> None:
    assert [t.tag for t in tlv.iter_tlvs(H("00020101FF0400"))] == [0x02, 0x04]


@pytest.mark.parametrize(
    ("length", "encoded"), [(0, "00"), (0x7F, "7F"), (0x80, "8180"), (0x1234, "821234")]
)
def test_encode_length(length: int, encoded: str) -> None:
    assert tlv.encode_length(length) == H(encoded)
    assert tlv.read_length(H(encoded), 0) == (length, len(H(encoded)))


def test_encode_length_refuses_impossible_values() -> None:
    with pytest.raises(ValueError, match="negative"):
        tlv.encode_length(-1)
    with pytest.raises(ValueError, match="too large"):
        tlv.encode_length(1 << 32)


def test_encode_round_trip() -> None:
    assert tlv.encode(0x7F61, b"\x01") == H("7F610101")
    assert tlv.encode_tag(0) == H("00")


def test_constructed_bit_of_multi_byte_tags() -> None:
    assert tlv.TLV(0x7F61, b"").is_constructed
    assert not tlv.TLV(0x5F1F, b"").is_constructed
