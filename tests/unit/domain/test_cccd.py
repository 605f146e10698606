from __future__ import annotations

import contextlib
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.cccd import (
    CAN_CUOC_AGES,
    CCCD_AGES,
    MAX_QR_LENGTH,
    CccdQr,
    Expiry,
    QrLayout,
    card_expiry,
    expiry_candidates,
    parse_qr,
    thresholds_for,
)
from kiosk.domain.citizen import Sex
from kiosk.domain.errors import DomainError
from kiosk.domain.validators import ValidationFailed

# Synthetic, from facts/cccd.md 3.1.
QR_2021 = "001090001234|123456789|Nguyễn Văn A|01011990|Nam|Số 1, Phường Ba Đình, Hà Nội|01072021"


def test_2021_layout() -> None:
    qr = parse_qr(QR_2021)
    assert qr == CccdQr(
        QrLayout.CCCD_2021,
        tuple(QR_2021.split("|")),
        "001090001234",
        "123456789",
        "Nguyễn Văn A",
        date(1990, 1, 1),
        Sex.MALE,
        "Số 1, Phường Ba Đình, Hà Nội",
        date(2021, 7, 1),
    )


def test_2021_without_old_id() -> None:
    empty = parse_qr("079300000001||Trần Thị Bé|29022000|Nữ|TP Hồ Chí Minh|15032022\n")
    six = parse_qr("079300000001|Trần Thị Bé|29022000|Nữ|TP Hồ Chí Minh|15032022")
    assert empty.old_id_number is None
    assert (empty.full_name, empty.sex, empty.date_of_birth) == (
        "Trần Thị Bé",
        Sex.FEMALE,
        date(2000, 2, 29),
    )
    assert (six.id_number, six.old_id_number, six.full_name, six.date_of_issue) == (
        "079300000001",
        None,
        "Trần Thị Bé",
        date(2022, 3, 15),
    )


def test_nfd_text_is_stored_nfc() -> None:
    qr = parse_qr(unicodedata.normalize("NFD", QR_2021.replace("Nam", "Nữ")))
    assert qr.full_name == "Nguyễn Văn A"
    assert qr.sex is Sex.FEMALE
    assert all(unicodedata.is_normalized("NFC", value) for value in qr.raw_fields)


def test_empty_address_is_absent() -> None:
    assert parse_qr(QR_2021.replace("Số 1, Phường Ba Đình, Hà Nội", "")).address is None


def test_longer_layout_reads_only_what_is_certain() -> None:
    text = QR_2021 + "|Nguyễn Văn B|Lê Thị C|001090009999"
    qr = parse_qr(text)
    assert qr.layout is QrLayout.UNRECOGNISED
    assert qr.raw_fields == tuple(text.split("|"))
    assert (qr.id_number, qr.sex) == ("001090001234", Sex.MALE)
    assert (qr.full_name, qr.date_of_birth, qr.date_of_issue, qr.old_id_number) == (None,) * 4


@pytest.mark.parametrize(
    "text",
    [
        "some text",
        "Nam|Nam|001090001234|x|y|z|w|v",  # ID not first, sex twice
        "00109000123|a|b|c|d|e|f|g",
    ],
)
def test_unrecognised_without_certain_fields(text: str) -> None:
    qr = parse_qr(text)
    assert qr.layout is QrLayout.UNRECOGNISED
    assert (qr.id_number, qr.sex) == (None, None)


def test_a_bare_id_number() -> None:
    assert parse_qr("001090001234").id_number == "001090001234"


def replace_field(index: int, value: str) -> str:
    fields = QR_2021.split("|")
    fields[index] = value
    return "|".join(fields)


@pytest.mark.parametrize(
    ("text", "field", "rule"),
    [
        ("", "qr", "qr_length"),
        ("  \n ", "qr", "qr_length"),
        ("1" * (MAX_QR_LENGTH + 1), "qr", "qr_length"),
        ("|" * 32, "qr", "qr_field_count"),
        (QR_2021.replace("Nguyễn", "Ng\x00uyễn"), "qr", "qr_field_text"),
        (QR_2021.replace("Nguyễn", "Ng\u200buyễn"), "qr", "qr_field_text"),
        (replace_field(5, "x" * 401), "qr", "qr_field_text"),
        (replace_field(0, "00109000123X"), "qr.id_number", "id_number_format"),
        (replace_field(0, ""), "qr.id_number", "id_number_format"),
        (replace_field(1, "12345678"), "qr.old_id_number", "old_id_format"),
        (replace_field(2, ""), "qr.full_name", "name_length"),
        (replace_field(2, "A" * 101), "qr.full_name", "name_length"),
        (replace_field(3, "1990-01-01"), "qr.date_of_birth", "date_format"),
        (replace_field(3, "29021990"), "qr.date_of_birth", "date_invalid"),
        (replace_field(4, "Male"), "qr.sex", "sex_value"),
        (replace_field(4, "nam"), "qr.sex", "sex_value"),
        (replace_field(6, "99999999"), "qr.date_of_issue", "date_invalid"),
        (replace_field(6, "31121989"), "qr.date_of_issue", "before_birth"),
        ("||||||", "qr.id_number", "id_number_format"),
    ],
)
def test_hostile_payloads(text: str, field: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_qr(text)
    assert caught.value.params == {"field": field, "rule": rule}


def test_the_field_cap_is_inclusive() -> None:
    qr = parse_qr("|" * 31)
    assert qr.layout is QrLayout.UNRECOGNISED
    assert len(qr.raw_fields) == 32


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=4000))
def test_any_text_gives_a_value_or_a_domain_error(text: str) -> None:
    with contextlib.suppress(DomainError):
        assert isinstance(parse_qr(text), CccdQr)


FIELD = st.one_of(
    st.sampled_from(
        ["001090001234", "123456789", "", "Nam", "Nữ", "01011990", "29022000", "31022020",
         "99999999", "00000000", "Nguyễn Văn A"]
    ),
    st.text(max_size=20),
)  # fmt: skip


@settings(deadline=None, max_examples=200)
@given(st.lists(FIELD, min_size=1, max_size=40))
def test_near_valid_payloads_give_a_value_or_a_domain_error(fields: list[str]) -> None:
    try:
        qr = parse_qr("|".join(fields))
    except DomainError:
        return
    if qr.layout is QrLayout.CCCD_2021:
        assert qr.date_of_birth is not None
        assert qr.date_of_issue is not None
        assert qr.date_of_birth <= qr.date_of_issue


# ---- renewal rules (facts/cccd.md section 4) ----


def expiry(born: date, issued: date) -> Expiry:
    return card_expiry(born, issued)


def one(day: date) -> Expiry:
    return Expiry((day,), lifetime=False)


LIFETIME = Expiry((), lifetime=True)


def test_thresholds_switch_on_1_july_2024() -> None:
    assert thresholds_for(date(2024, 6, 30)) == CCCD_AGES == (25, 40, 60)
    assert thresholds_for(date(2024, 7, 1)) == CAN_CUOC_AGES == (14, 25, 40, 60)


@pytest.mark.parametrize(
    ("born", "issued", "expected"),
    [
        # CCCD (Law 2014): 25, 40, 60 with the two-year rule.
        (date(2000, 5, 10), date(2021, 1, 1), one(date(2025, 5, 10))),
        (date(2000, 5, 10), date(2023, 5, 9), one(date(2025, 5, 10))),
        (date(2000, 5, 10), date(2023, 5, 10), one(date(2040, 5, 10))),  # exactly 2 years before
        (date(1985, 5, 10), date(2024, 3, 1), one(date(2045, 5, 10))),  # the facts' example
        (date(1985, 5, 10), date(2010, 5, 10), one(date(2025, 5, 10))),  # issued on the 25th
        (date(1985, 5, 10), date(2023, 5, 9), one(date(2025, 5, 10))),
        (date(1964, 1, 1), date(2021, 12, 31), one(date(2024, 1, 1))),
        (date(1964, 1, 1), date(2022, 1, 1), LIFETIME),  # issued at 58: for life
        (date(1960, 1, 1), date(2021, 6, 1), LIFETIME),
        (date(2007, 1, 1), date(2021, 1, 1), one(date(2032, 1, 1))),  # issued at 14
        # Căn cước (Law 26/2023, from 1 July 2024): 14 comes first.
        (date(2015, 3, 1), date(2024, 7, 1), one(date(2029, 3, 1))),
        (date(2015, 3, 1), date(2024, 6, 30), one(date(2040, 3, 1))),  # the day before: CCCD
        (date(2012, 8, 2), date(2024, 8, 1), one(date(2026, 8, 2))),
        (date(2012, 8, 1), date(2024, 8, 1), one(date(2037, 8, 1))),  # at 12: runs to 25
        (date(2010, 1, 1), date(2025, 1, 1), one(date(2035, 1, 1))),
        (date(2003, 1, 1), date(2026, 1, 1), one(date(2043, 1, 1))),  # at 23: runs to 40
        (date(1966, 7, 1), date(2024, 7, 1), LIFETIME),
        (date(2024, 7, 1), date(2024, 7, 1), one(date(2038, 7, 1))),  # a newborn
    ],
)
def test_card_expiry(born: date, issued: date, expected: Expiry) -> None:
    assert expiry(born, issued) == expected


def test_29_february_keeps_both_readings() -> None:
    assert expiry(date(2004, 2, 29), date(2020, 1, 1)) == Expiry(
        (date(2029, 2, 28), date(2029, 3, 1)), lifetime=False
    )
    assert expiry(date(1984, 2, 29), date(2020, 1, 1)) == one(date(2024, 2, 29))  # a leap year
    # Issued on 28 Feb of the 58th year: lifetime if the birthday is 28 Feb, else to the 60th.
    assert expiry(date(1964, 2, 29), date(2022, 2, 28)) == Expiry(
        (date(2024, 2, 29),), lifetime=True
    )


def test_issue_before_birth_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="before_birth"):
        card_expiry(date(2000, 1, 2), date(2000, 1, 1))


@pytest.mark.parametrize("issued", [None, date(9999, 1, 1)])
def test_absurd_birth_years_are_refused(issued: date | None) -> None:
    with pytest.raises(ValidationFailed, match="date_out_of_range"):
        expiry_candidates(date(9950, 1, 1), issued)


@pytest.mark.parametrize(
    ("born", "candidates"),
    [
        (date(1990, 1, 1), (date(2015, 1, 1), date(2030, 1, 1), date(2050, 1, 1))),
        (date(2012, 7, 1), (date(2037, 7, 1), date(2052, 7, 1), date(2072, 7, 1))),
        (
            date(2012, 7, 2),
            (date(2026, 7, 2), date(2037, 7, 2), date(2052, 7, 2), date(2072, 7, 2)),
        ),
        (
            date(2016, 2, 29),
            (
                date(2030, 2, 28),
                date(2030, 3, 1),
                date(2041, 2, 28),
                date(2041, 3, 1),
                date(2056, 2, 29),
                date(2076, 2, 29),
            ),
        ),
    ],
)
def test_expiry_candidates_from_the_birth_date(born: date, candidates: tuple[date, ...]) -> None:
    assert expiry_candidates(born) == candidates


def test_expiry_candidates_with_the_issue_date() -> None:
    assert expiry_candidates(date(1985, 5, 10), date(2024, 3, 1)) == (date(2045, 5, 10),)
    assert expiry_candidates(date(1960, 1, 1), date(2021, 1, 1)) == ()


@settings(deadline=None, max_examples=200)
@given(st.dates(max_value=date(9000, 1, 1)), st.integers(min_value=0, max_value=80 * 366))
def test_expiry_is_a_renewal_birthday_after_issue(born: date, days: int) -> None:
    issued = date.fromordinal(born.toordinal() + days)
    result = card_expiry(born, issued)
    assert result.dates or result.lifetime
    for day in result.dates:
        assert day > issued
        assert day.year - born.year in thresholds_for(issued)
        assert day in expiry_candidates(born)
