from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.documents.layouts import cccd, gplx
from kiosk.domain.cccd import QrLayout
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.validators import ValidationFailed

CCCD_2021 = "001090001234|123456789|Nguyễn Văn A|01011990|Nam|Số 1, Phường Ba Đình, Hà Nội|01072021"


def test_cccd_qr_gives_the_chip_access_data() -> None:
    qr = cccd.parse_qr(CCCD_2021)
    access = cccd.access_data(qr)
    assert qr.layout is QrLayout.CCCD_2021
    assert access is not None
    assert access.id_number == "001090001234"
    assert access.date_of_birth == date(1990, 1, 1)
    # Issued at 31, before the 40th birthday less two years: valid to the 40th birthday.
    assert access.expiry_dates == (date(2030, 1, 1),)


def test_unrecognised_cccd_layout_keeps_fields_and_reads_only_the_id() -> None:
    qr = cccd.parse_qr("001090001234|a|b|c|d|e|f|g|h")
    access = cccd.access_data(qr)
    assert qr.layout is QrLayout.UNRECOGNISED
    assert access == cccd.CccdAccess("001090001234", None, ())


def test_cccd_without_an_id_gives_no_access_data() -> None:
    assert cccd.access_data(cccd.parse_qr("x|y")) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x" * 4000,
        "00109000123|123456789|A|01011990|Nam|addr|01072021",
        "001090001234|123456789|A|32011990|Nam|addr|01072021",
        "001090001234|123456789|A|01011990|Male|addr|01072021",
        "001090001234|123456789|A|01011990|Nam|addr|01011980",
        "|".join(["1"] * 40),
    ],
)
def test_hostile_cccd_payloads_are_qr_invalid(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        cccd.parse_qr(text)
    assert caught.value.code is ErrorCode.QR_INVALID
    assert "rule" in caught.value.params


@given(st.text(max_size=300))
def test_any_cccd_text_gives_fields_or_qr_invalid(text: str) -> None:
    try:
        qr = cccd.parse_qr(text)
    except DomainError as err:
        code = err.code
    else:
        code = ErrorCode.QR_INVALID
        cccd.access_data(qr)
    assert code is ErrorCode.QR_INVALID


def test_gplx_qr_text_is_kept_exactly() -> None:
    text = "MAU-SPECIMEN|012345678901|Lê Thị Hòa|B"
    assert gplx.parse_qr(text).text == text


@pytest.mark.parametrize(
    ("text", "rule"), [("", "qr_length"), ("a" * 3001, "qr_length"), ("a\nb", "qr_text")]
)
def test_hostile_gplx_qr_is_refused(text: str, rule: str) -> None:
    with pytest.raises(DomainError) as caught:
        gplx.parse_qr(text)
    assert caught.value.params["rule"] == rule


def test_gplx_number_is_twelve_digits() -> None:
    fields = gplx.gplx_fields("0123 4567 8901", None)
    assert (fields.number, fields.qr) == ("012345678901", None)
    with pytest.raises(ValidationFailed):
        gplx.gplx_fields("01234567890", None)
    with pytest.raises(ValidationFailed):
        gplx.gplx_fields("01234567890A", "text")
