from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.documents.layouts.bhyt import parse_qr
from kiosk.domain.citizen import Sex
from kiosk.domain.errors import DomainError, ErrorCode

NAME = "Trần Thị Thuỳ Dương"
ADDRESS = "Số 5 Lê Lợi, Phường Bến Nghé, TP Hồ Chí Minh"


def payload(**changes: str) -> str:
    fields = {
        0: "HC4790123456789",
        1: NAME.encode().hex(),
        2: "05/11/1987",
        3: "2",
        4: ADDRESS.encode().hex(),
        5: "79 - 014",
        6: "01/01/2025",
        7: "31/12/2025",
        8: "01/01/2020",
        9: "x",
    }
    for key, value in changes.items():
        fields[int(key[1:])] = value
    return "|".join(fields[i] for i in sorted(fields))


def rule_of(text: str) -> tuple[str | int, str | int]:
    with pytest.raises(DomainError) as caught:
        parse_qr(text)
    assert caught.value.code is ErrorCode.QR_INVALID
    return caught.value.params["field"], caught.value.params["rule"]


def test_fields_by_position_with_hex_utf8_name_and_address() -> None:
    qr = parse_qr(payload())
    assert qr.code.code == "HC4790123456789"
    assert qr.code.social_insurance_number == "0123456789"
    assert qr.full_name == NAME
    assert qr.address == ADDRESS
    assert qr.date_of_birth == date(1987, 11, 5)
    assert qr.birth_year == 1987
    assert qr.sex is Sex.FEMALE
    assert qr.facility_code == "79014"
    assert (qr.valid_from, qr.valid_to) == (date(2025, 1, 1), date(2025, 12, 31))
    assert qr.raw_fields[8:] == ("01/01/2020", "x")


def test_year_only_birth_keeps_the_year_and_no_date() -> None:
    qr = parse_qr(payload(f2="1987"))
    assert (qr.birth_year, qr.date_of_birth) == (1987, None)


def test_ten_digit_bhxh_number_alone_is_accepted() -> None:
    assert parse_qr(payload(f0="0123456789")).code.category is None


def test_nfd_name_is_stored_nfc() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", NAME)
    assert parse_qr(payload(f1=nfd.encode().hex())).full_name == NAME


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"f1": "zz"}, ("bhyt.full_name", "bad_hex")),
        ({"f1": "abc"}, ("bhyt.full_name", "bad_hex")),
        ({"f1": "c328"}, ("bhyt.full_name", "bad_utf8")),
        ({"f1": ""}, ("bhyt.full_name", "text_invalid")),
        ({"f1": "07"}, ("bhyt.full_name", "text_invalid")),
        ({"f1": ("a" * 101).encode().hex()}, ("bhyt.full_name", "text_invalid")),
        ({"f1": "41" * 450}, ("bhyt.full_name", "too_long")),
        ({"f4": "0g"}, ("bhyt.address", "bad_hex")),
        ({"f2": "31/02/1990"}, ("bhyt.date_of_birth", "date_invalid")),
        ({"f2": "1990-01-01"}, ("bhyt.date_of_birth", "date_format")),
        ({"f2": "0000"}, ("bhyt.date_of_birth", "date_invalid")),
        ({"f3": "0"}, ("bhyt.sex", "sex_value")),
        ({"f0": "XX9790123456789"}, ("bhyt.code", "bhyt_format")),
        ({"f5": "79014"}, ("bhyt.facility", "facility_format")),
        ({"f6": "01/13/2025"}, ("bhyt.valid_from", "date_invalid")),
        ({"f7": "31/12/2024"}, ("bhyt.valid_to", "before_valid_from")),
    ],
)
def test_hostile_fields_are_refused_by_name(
    changes: dict[str, str], expected: tuple[str, str]
) -> None:
    assert rule_of(payload(**changes)) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "qr_length"),
        ("   ", "qr_length"),
        ("x" * 3001, "qr_length"),
        ("a|b|c|d|e|f|g", "qr_field_count"),
        ("|" * 40, "qr_field_count"),
        (payload(f9="\x00"), "qr_field_text"),
    ],
)
def test_wrong_shapes_are_refused(text: str, rule: str) -> None:
    assert rule_of(text) == ("bhyt.qr", rule)


@given(st.text(max_size=400))
def test_any_text_gives_fields_or_qr_invalid(text: str) -> None:
    code = ErrorCode.QR_INVALID
    try:
        parse_qr(text)
    except DomainError as err:
        code = err.code
    assert code is ErrorCode.QR_INVALID
