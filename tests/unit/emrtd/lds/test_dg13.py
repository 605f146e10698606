"""DG13 of the CCCD: the synthetic sample of facts/cccd.md §2.2 and the variants of §2.3."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import der, dg13
from kiosk.emrtd.lds.dg13 import CardDate, DG13File

# facts/cccd.md §2.2: synthetic full DG13, 359 bytes.
FACTS_DG13 = bytes.fromhex(
    "6D8201633082015F020101060628D316010008318201503011020101130C3030"
    "3130393030303132333430140201020C0F4E677579E1BB856E2056C4836E2041"
    "300F020103130A30312F30312F3139393030080201040C034E616D300F020105"
    "0C0A5669E1BB8774204E616D30090201060C044B696E68300B0201070C064B68"
    "C3B46E67300E0201080C0948C3A0204EE1BB9969302B0201090C2653E1BB9120"
    "312C205068C6B0E1BB9D6E6720426120C490C3AC6E682C2048C3A0204EE1BB99"
    "69302C02010A0C274EE1BB9174207275E1BB93692063C3A163682032636D2074"
    "72C3AA6E206DC3A970207472C3A169300F02010B130A30312F30372F32303231"
    "300F02010C0C0A30312F30312F32303330302802010D30110C0F4E677579E1BB"
    "856E2056C4836E204230100C0E5472E1BAA76E205468E1BB8B2043300302010E"
    "300E02010F130931323334353637383930150201101310303132333435363738"
    "39414243444546"
)


def test_facts_sample_parses_to_the_expected_fields() -> None:
    assert len(FACTS_DG13) == 359
    assert dg13.parse(FACTS_DG13) == DG13File(
        id_number="001090001234",
        full_name="Nguyễn Văn A",
        date_of_birth=CardDate("01/01/1990", date(1990, 1, 1)),
        sex="Nam",
        nationality="Việt Nam",
        ethnicity="Kinh",
        religion="Không",
        place_of_origin="Hà Nội",
        place_of_residence="Số 1, Phường Ba Đình, Hà Nội",
        identifying_features="Nốt ruồi cách 2cm trên mép trái",
        date_of_issue=CardDate("01/07/2021", date(2021, 7, 1)),
        date_of_expiry=CardDate("01/01/2030", date(2030, 1, 1)),
        father_name="Nguyễn Văn B",
        mother_name="Trần Thị C",
        spouse_name=None,
        old_id_number="123456789",
        field_16="0123456789ABCDEF",
    )
    assert not dg13.parse(FACTS_DG13).is_lifetime


def test_encode_reproduces_the_facts_sample_byte_for_byte() -> None:
    assert dg13.encode(dg13.parse(FACTS_DG13)) == FACTS_DG13


def _dg13(*fields: bytes) -> bytes:
    header = der.encode_integer(1) + der.encode_oid(dg13.UTF8_ENCODING_OID)
    return tlv.encode(0x6D, der.sequence(header, tlv.encode(0x31, b"".join(fields))))


def _field(number: int, *values: bytes) -> bytes:
    return der.sequence(der.encode_integer(number), *values)


def _utf8(text: str) -> bytes:
    return tlv.encode(0x0C, text.encode())


def test_field_13_as_one_sequence_of_two_strings() -> None:
    parsed = dg13.parse(_dg13(_field(13, der.sequence(_utf8("Cha"), _utf8("Mẹ")))))
    assert (parsed.father_name, parsed.mother_name) == ("Cha", "Mẹ")


def test_field_13_with_only_the_mother_round_trips() -> None:
    value = DG13File(mother_name="Mẹ")
    parsed = dg13.parse(dg13.encode(value))
    assert parsed == value


def test_field_14_with_a_spouse_and_bare_strings() -> None:
    assert dg13.parse(_dg13(_field(14, der.sequence(_utf8("Vợ"))))).spouse_name == "Vợ"
    assert dg13.parse(_dg13(_field(14, _utf8("Chồng")))).spouse_name == "Chồng"
    assert dg13.parse(_dg13(_field(14))).spouse_name is None


def test_lifetime_card() -> None:
    parsed = dg13.parse(_dg13(_field(12, _utf8("Không thời hạn"))))
    assert parsed.is_lifetime
    assert parsed.date_of_expiry == CardDate("Không thời hạn", None)


def test_text_is_normalised_to_nfc() -> None:
    decomposed = "Nguye\u0302\u0303n"
    assert dg13.parse(_dg13(_field(2, _utf8(decomposed)))).full_name == "Nguyễn"


@pytest.mark.parametrize(
    "text", ["01012020", "2020-01-01", "31/02/2020", "1/1/2020", "\uff101/01/2020"]
)
def test_other_date_texts_are_kept_as_text(text: str) -> None:
    assert dg13.parse_date(text) == CardDate(text, None)


def test_unknown_and_irregular_fields_are_kept_raw() -> None:
    odd = [
        _field(17, _utf8("x")),  # beyond 16
        _field(2, der.encode_integer(5)),  # not a string
        _field(4, tlv.encode(0x0C, b"\xff")),  # not UTF-8
        _field(5, _utf8("a"), _utf8("b")),  # two values for a single field
        _field(6),  # no value
        _field(13, _utf8("a"), _utf8("b"), _utf8("c")),  # three parents
        _field(1, der.sequence(der.sequence(_utf8("x")))),  # nested too deep
        _field(7, _utf8("Không")),
        _field(7, _utf8("again")),  # repeated field
    ]
    parsed = dg13.parse(_dg13(*odd))
    assert parsed.religion == "Không"
    assert parsed.full_name is None
    assert [number for number, _ in parsed.unknown] == [17, 2, 4, 5, 6, 13, 1, 7]
    assert parsed.unknown[0] == (17, _utf8("x"))
    assert dg13.parse(dg13.encode(parsed)).unknown == tuple(
        sorted(parsed.unknown, key=lambda f: f[0])
    )


@pytest.mark.parametrize(
    "data",
    [
        tlv.encode(0x6D, der.sequence(der.encode_integer(1), tlv.encode(0x31, b""))),
        _dg13(der.encode_integer(1)),  # a field that is not a SEQUENCE
        _dg13(der.sequence(_utf8("x"))),  # a field without its number
        _dg13(der.sequence()),
        _dg13(_field(1, b"\x30\x05\x0c\x01")),  # broken inner TLV
        _dg13(der.sequence(tlv.encode(0x02, b""))),  # empty INTEGER
    ],
)
def test_broken_envelopes_are_malformed(data: bytes) -> None:
    with pytest.raises(MalformedData):
        dg13.parse(data)
