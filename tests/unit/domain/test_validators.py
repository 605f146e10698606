from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.errors import ErrorCode
from kiosk.domain.validators import (
    BhytCode,
    ValidationFailed,
    make_date,
    normalise_phone,
    parse_bhyt_code,
    parse_date,
    parse_ddmmyyyy,
    validate_email,
    validate_gplx_number,
    validate_id_number,
)

TODAY = date(2026, 11, 27)
# Digits that str.isdigit() accepts but the rules must not.
FULLWIDTH = "001090001234".translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
ARABIC_DATE = "01/07/2024".translate({ord(d): ord(d) - 48 + 0x660 for d in "0123456789"})


def test_validation_failed_carries_safe_params() -> None:
    error = ValidationFailed("phone", "phone_format")
    assert error.code is ErrorCode.VALIDATION_FAILED
    assert error.params == {"field": "phone", "rule": "phone_format"}
    assert str(error) == "validation_failed: phone: phone_format"


@pytest.mark.parametrize("value", ["001090001234", " 079300000001 "])
def test_id_number_ok(value: str) -> None:
    assert validate_id_number(value) == value.strip()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "00109000123",
        "0010900012345",
        "00109000123A",
        FULLWIDTH,
        "001 090 001234",
    ],
)
def test_id_number_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_id_number(value, field="qr.id")
    assert caught.value.params == {"field": "qr.id", "rule": "id_number_format"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("(091) 234-5678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("912345678", "0912345678"),
        ("0387654321", "0387654321"),
        ("0569999999", "0569999999"),
        ("0701234567", "0701234567"),
        ("0843123456", "0843123456"),  # 084 is a mobile prefix, not the country code
        ("843123456", "0843123456"),
    ],
)
def test_phone_forms(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0243 824 1234",  # Hà Nội landline (02x) is not a mobile
        "01234567890",  # an old 11-digit number, renumbered in 2018
        "0612345678",  # 06x is not a mobile prefix
        "091234567",  # too short
        "09123456789",  # too long
        "+1 650 253 0000",
        "09l2345678",
        "+84 +84 912345678",
    ],
)
def test_phone_refused(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalise_phone(typed)
    assert caught.value.rule == "phone_format"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("an.nguyen@example.vn", "an.nguyen@example.vn"),
        ("  An+kiosk@Example.COM.VN ", "An+kiosk@example.com.vn"),
        ("o'brien@mail.example", "o'brien@mail.example"),
        ("a@ví-dụ.vn", "a@ví-dụ.vn"),
        ("a@VÍ-DỤ.VN", "a@ví-dụ.vn"),
        ("a@xn--v-d-rma6749a.vn", "a@ví-dụ.vn"),
        ("x@bücher.de", "x@bücher.de"),
        ("user@sub-1.example-2.org", "user@sub-1.example-2.org"),
    ],
)
def test_email_ok(typed: str, stored: str) -> None:
    assert validate_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("", "email_format"),
        ("plain", "email_format"),
        ("@example.vn", "email_format"),
        ("a..b@example.vn", "email_format"),
        (".a@example.vn", "email_format"),
        ("a.@example.vn", "email_format"),
        ('"quoted"@example.vn', "email_format"),
        ("a b@example.vn", "email_format"),
        ("ví@example.vn", "email_format"),  # non-ASCII local parts need SMTPUTF8: refused
        ("a" * 65 + "@example.vn", "email_format"),
        ("a@" + "b" * 250 + ".vn", "email_format"),
        ("a@localhost", "email_domain"),
        ("a@example.123", "email_domain"),
        ("a@-example.vn", "email_domain"),
        ("a@example-.vn", "email_domain"),
        ("a@exa_mple.vn", "email_domain"),
        ("a@example..vn", "email_domain"),
        ("a@" + "b" * 64 + ".vn", "email_domain"),
        ("a@" + ("víđ" + "a" * 50 + ".") * 4 + "vn", "email_domain"),  # 254 in punycode
        ("a@[127.0.0.1]", "email_domain"),
        ("a@a@example.vn", "email_format"),
        ("a@xn--zzzz.vn", "email_domain"),  # not valid punycode
        ("a@xn--a.vn", "email_domain"),
    ],
)
def test_email_refused(typed: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_email(typed)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("DN4797914567890", BhytCode("7914567890", "DN", 4, "79")),
        ("hs 4 01 0123456789", BhytCode("0123456789", "HS", 4, "01")),
        ("TE1010123456789", BhytCode("0123456789", "TE", 1, "01")),
        ("0123456789", BhytCode("0123456789")),
    ],
)
def test_bhyt_codes(typed: str, parsed: BhytCode) -> None:
    assert parse_bhyt_code(typed) == parsed
    assert parse_bhyt_code(parsed.code) == parsed


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "DN6797914567890",  # benefit level 6 does not exist
        "DN0797914567890",
        "D14797914567890",
        "DN479791456789",  # 14 characters
        "DN47979145678901",
        "012345678",  # 9 digits
        "01234567890",
        "DN47A7914567890",
    ],
)
def test_bhyt_refused(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_bhyt_code(typed)
    assert caught.value.params == {"field": "bhyt_code", "rule": "bhyt_format"}


def test_gplx_number() -> None:
    assert validate_gplx_number("7901 2345 6789") == "790123456789"
    for bad in ("79012345678", "7901234567890", "79012345678A", ""):
        with pytest.raises(ValidationFailed):
            validate_gplx_number(bad)


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("01/07/2024", date(2024, 7, 1)),
        ("2024-07-01", date(2024, 7, 1)),
        (" 29/02/2024 ", date(2024, 2, 29)),
        ("2000-02-29", date(2000, 2, 29)),
        ("900101", date(1990, 1, 1)),
        ("261127", date(2026, 11, 27)),  # today is not in the future
        ("261128", date(1926, 11, 28)),  # tomorrow is: a birth date a century ago
        ("000229", date(2000, 2, 29)),
        ("400229", date(1940, 2, 29)),
    ],
)
def test_past_dates(typed: str, parsed: date) -> None:
    assert parse_date(typed, today=TODAY) == parsed


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("300101", date(2030, 1, 1)),
        ("190101", date(2019, 1, 1)),  # an expired card
        ("751231", date(2075, 12, 31)),
        ("761231", date(1976, 12, 31)),  # 50 years ahead is too far: the past century
        ("770101", date(1977, 1, 1)),
        ("991231", date(1999, 12, 31)),
        ("2045-05-10", date(2045, 5, 10)),
    ],
)
def test_future_dates(typed: str, parsed: date) -> None:
    assert parse_date(typed, today=TODAY, future=True) == parsed


def test_future_window_wraps_up() -> None:
    assert parse_date("100101", today=date(2070, 1, 1), future=True) == date(2110, 1, 1)


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("", "date_format"),
        ("1/7/2024", "date_format"),
        ("2024/07/01", "date_format"),
        ("01-07-2024", "date_format"),
        ("20240701", "date_format"),
        ("29/02/2023", "date_invalid"),  # not a leap year
        ("29/02/1900", "date_invalid"),  # century, not a leap year
        ("31/04/2024", "date_invalid"),
        ("00/01/2024", "date_invalid"),
        ("2024-13-01", "date_invalid"),
        ("0000-01-01", "date_invalid"),
        ("230229", "date_invalid"),
        (ARABIC_DATE, "date_format"),
    ],
)
def test_dates_refused(typed: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_date(typed, today=TODAY, field="date_of_birth")
    assert caught.value.params == {"field": "date_of_birth", "rule": rule}


def test_ddmmyyyy() -> None:
    assert parse_ddmmyyyy("29022024") == date(2024, 2, 29)
    with pytest.raises(ValidationFailed, match="date_format"):
        parse_ddmmyyyy("2902202")
    with pytest.raises(ValidationFailed, match="date_invalid"):
        parse_ddmmyyyy("29022023")
    assert make_date(2024, 1, 31) == date(2024, 1, 31)


VALIDATORS: list[Callable[[str], object]] = [
    validate_id_number,
    normalise_phone,
    validate_email,
    parse_bhyt_code,
    validate_gplx_number,
    parse_ddmmyyyy,
    lambda text: parse_date(text, today=TODAY),
    lambda text: parse_date(text, today=TODAY, future=True),
]

TYPED = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"[a-z.+-]{1,10}@(xn--)?[a-z0-9-]{0,12}(\.[a-z0-9-]{1,5}){0,3}", fullmatch=True),
    st.from_regex(r"\+?(84)?0?[0-9 .]{7,12}", fullmatch=True),
    st.from_regex(r"[0-9/-]{6,10}", fullmatch=True),
)


@pytest.mark.parametrize("validator", VALIDATORS)
@settings(deadline=None, max_examples=50)
@given(text=TYPED)
def test_any_input_gives_a_value_or_a_validation_failure(
    validator: Callable[[str], object], text: str
) -> None:
    with contextlib.suppress(ValidationFailed):
        validator(text)
